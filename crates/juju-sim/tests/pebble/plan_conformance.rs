//! Ported from canonical/pebble `internals/plan/plan_test.go`: the `planTests` table that
//! `TestParseLayer` runs (layers parsed as `layer-<i>` with order `i`, combined with
//! `CombineLayers`, then `Plan.Validate`), and `TestCombineLayersCycle`, `TestMissingOverride`,
//! `TestMissingCommand`, `TestPebbleLabelPrefixReserved` and `TestParseCommand`. Each test
//! names its Go test and case (`summary`). Go's errors match a regular expression; these are
//! the exact messages that expression matches.

use std::collections::BTreeMap;

use juju_sim::pebble::{
    Check, ExecCheck, GoDuration, HttpCheck, Layer, LogTarget, Plan, PlanError, Service, TcpCheck,
    combine_layers, command_string,
};

/// `TestParseLayer`'s steps: parse each input as `layer-<i>`, combine, validate. Returns the
/// combined layer, or the first error.
fn run(inputs: &[&str]) -> Result<Layer, PlanError> {
    let layers = parsed(inputs)?;
    let combined = combine_layers(&layers)?;
    let plan = plan_of(&combined);
    plan.validate()?;
    Ok(combined)
}

fn parsed(inputs: &[&str]) -> Result<Vec<Layer>, PlanError> {
    (0..).zip(inputs).map(|(i, yaml)| Layer::parse(i, &format!("layer-{i}"), yaml)).collect()
}

fn plan_of(combined: &Layer) -> Plan {
    Plan {
        services: combined.services.clone(),
        checks: combined.checks.clone(),
        log_targets: combined.log_targets.clone(),
    }
}

#[track_caller]
fn fails(inputs: &[&str], message: &str) {
    match run(inputs) {
        Err(e) => assert_eq!(e.message, message),
        Ok(plan) => panic!("expected {message:?}, got {plan:?}"),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn secs(n: i64) -> Option<GoDuration> {
    Some(GoDuration::from_secs(n))
}

fn millis(n: i64) -> Option<GoDuration> {
    Some(GoDuration::from_millis(n))
}

fn replace(command: &str) -> Service {
    Service { r#override: "replace".into(), command: command.into(), ..Service::default() }
}

const SIMPLE_0: &str = r#"
summary: Simple layer
description: A simple layer.
services:
  srv1:
    override: replace
    summary: Service summary
    command: cmd arg1 "arg2 arg3"
    kill-delay: 10s
    startup: enabled
    after:
      - srv2
    before:
      - srv3
    requires:
      - srv2
      - srv3
    environment:
      var1: val1
      var0: val0
      var2: val2
    backoff-delay: 1s
    backoff-factor: 1.5
    backoff-limit: 10s
    working-dir: /workdir/srv1
  srv2:
    override: replace
    startup: enabled
    command: cmd
    before:
      - srv3
    working-dir: /workdir/srv2
  srv3:
    override: replace
    command: cmd
  srv6:
    override: replace
    command: cmd6a
"#;

const SIMPLE_1: &str = r#"
summary: Simple override layer.
description: The second layer.
services:
  srv1:
    override: merge
    environment:
      var3: val3
    after:
      - srv4
    before:
      - srv5
    working-dir: /workdir/srv1/override
  srv2:
    override: replace
    startup: disabled
    command: cmd
    summary: Replaced service
  srv4:
    override: replace
    command: cmd
    startup: enabled
  srv5:
    override: replace
    command: cmd
  srv6:
    override: merge
    command: cmd6b
    environment:
      foo: bar
      baz: buz
    on-check-failure:
      chk1: restart
"#;

/// plan_test.go TestParseLayer, "Relatively simple layer with override on top": the layers
/// as parsed.
#[test]
fn pebble_conformance_simple_layer_parses_as_pebble_parses_it() {
    let layers = parsed(&[SIMPLE_0, SIMPLE_1]).unwrap();
    assert_eq!((layers[0].order, layers[0].label.as_str()), (0, "layer-0"));
    assert_eq!(layers[0].summary, "Simple layer");
    let srv1 = &layers[0].services["srv1"];
    let expected = Service {
        summary: "Service summary".into(),
        r#override: "replace".into(),
        command: r#"cmd arg1 "arg2 arg3""#.into(),
        kill_delay: secs(10),
        startup: "enabled".into(),
        before: strings(&["srv3"]),
        after: strings(&["srv2"]),
        requires: strings(&["srv2", "srv3"]),
        environment: map(&[("var1", "val1"), ("var0", "val0"), ("var2", "val2")]),
        working_dir: "/workdir/srv1".into(),
        backoff_delay: secs(1),
        backoff_factor: Some(1.5),
        backoff_limit: secs(10),
        ..Service::default()
    };
    assert_eq!(srv1, &expected);
    let srv6 = &layers[1].services["srv6"];
    assert_eq!(srv6.on_check_failure, map(&[("chk1", "restart")]));
    assert_eq!(layers[1].services["srv1"].r#override, "merge");
}

/// plan_test.go TestParseLayer, "Relatively simple layer with override on top": the combined
/// layer (merge appends after/before and merges the environment; replace takes the new service
/// whole; the summary and description are the last layer's).
#[test]
fn pebble_conformance_simple_layer_with_override_on_top() {
    let combined = run(&[SIMPLE_0, SIMPLE_1]).unwrap();
    assert_eq!(combined.summary, "Simple override layer.");
    assert_eq!(combined.description, "The second layer.");
    let srv1 = &combined.services["srv1"];
    assert_eq!(srv1.after, strings(&["srv2", "srv4"]));
    assert_eq!(srv1.before, strings(&["srv3", "srv5"]));
    assert_eq!(srv1.requires, strings(&["srv2", "srv3"]));
    assert_eq!(
        srv1.environment,
        map(&[("var1", "val1"), ("var0", "val0"), ("var2", "val2"), ("var3", "val3")])
    );
    assert_eq!(srv1.working_dir, "/workdir/srv1/override");
    assert_eq!((srv1.kill_delay, srv1.backoff_factor), (secs(10), Some(1.5)));
    let srv2 = &combined.services["srv2"];
    let expected = Service {
        summary: "Replaced service".into(),
        startup: "disabled".into(),
        ..replace("cmd")
    };
    assert_eq!(srv2, &expected, "replace drops srv2's working-dir and before");
    assert_eq!(combined.services["srv4"], Service { startup: "enabled".into(), ..replace("cmd") });
    let srv6 = &combined.services["srv6"];
    assert_eq!((srv6.r#override.as_str(), srv6.command.as_str()), ("replace", "cmd6b"));
    assert_eq!(srv6.environment, map(&[("foo", "bar"), ("baz", "buz")]));
    // The backoff defaults apply without being set (so the plan does not print them).
    assert_eq!(srv6.backoff_delay, None);
    assert_eq!(srv6.effective_backoff_delay(), GoDuration::from_millis(500));
}

/// plan_test.go TestParseLayer, "Relatively simple layer with override on top": the `start`
/// and `stop` orders of the combined plan.
#[test]
fn pebble_conformance_simple_layer_start_and_stop_order() {
    let plan = plan_of(&run(&[SIMPLE_0, SIMPLE_1]).unwrap());
    let lanes = |names: Vec<Vec<String>>| -> Vec<Vec<String>> {
        names.into_iter().filter(|l| !l.is_empty()).collect()
    };
    let one = |s: &str| vec![s.to_owned()];
    assert_eq!(
        lanes(plan.start_order(&one("srv1")).unwrap()),
        [strings(&["srv2", "srv1", "srv3"])]
    );
    assert_eq!(lanes(plan.start_order(&one("srv2")).unwrap()), [strings(&["srv2"])]);
    assert_eq!(lanes(plan.start_order(&one("srv3")).unwrap()), [strings(&["srv3"])]);
    assert_eq!(lanes(plan.stop_order(&one("srv1")).unwrap()), [strings(&["srv1"])]);
    assert_eq!(lanes(plan.stop_order(&one("srv2")).unwrap()), [strings(&["srv1", "srv2"])]);
    assert_eq!(lanes(plan.stop_order(&one("srv3")).unwrap()), [strings(&["srv3", "srv1"])]);
}

/// plan_test.go TestParseLayer, "Order loop on before/after".
#[test]
fn pebble_conformance_order_loop_on_before_after() {
    fails(
        &["
summary: Order loop
services:
  srv1:
    override: replace
    command: cmd
    after:
      - srv3
  srv2:
    override: replace
    command: cmd
    after:
      - srv1
    before:
      - srv3
  srv3:
    override: replace
    command: cmd
"],
        "services in before/after loop: srv1, srv2, srv3",
    );
}

/// plan_test.go TestParseLayer, "Handling of nulls and typed values in environment".
#[test]
fn pebble_conformance_nulls_and_typed_values_in_environment() {
    let layers = parsed(&["
services:
  srv1:
    override: replace
    command: cmd
    environment:
      a: true
      b: 1.1
      c:
"])
    .unwrap();
    let env = &layers[0].services["srv1"].environment;
    assert_eq!(env, &map(&[("a", "true"), ("b", "1.1"), ("c", "")]));
}

/// plan_test.go TestParseLayer, "Unknown keys are not accepted" (`(?s).*field future not
/// found.*`).
#[test]
fn pebble_conformance_unknown_keys_are_not_accepted() {
    let e = run(&["
services:
  srv1:
    future: true
    override: replace
    command: cmd
"])
    .unwrap_err();
    assert!(e.message.contains("field future not found"), "{e}");
    assert!(e.message.starts_with("cannot parse layer \"layer-0\" section \"services\": "), "{e}");
}

/// plan_test.go TestParseLayer, `Cannot use service name "pebble"`.
#[test]
fn pebble_conformance_cannot_use_service_name_pebble() {
    fails(
        &["services:\n  pebble:\n    command: cmd\n"],
        "cannot use reserved service name \"pebble\"",
    );
}

/// plan_test.go TestParseLayer, `Cannot have null service definition`.
#[test]
fn pebble_conformance_cannot_have_null_service_definition() {
    fails(&["services:\n  svc1: ~\n"], "service object cannot be null for service \"svc1\"");
}

/// plan_test.go TestParseLayer, `Cannot use empty string as service name`.
#[test]
fn pebble_conformance_cannot_use_empty_string_as_service_name() {
    fails(
        &["services:\n  \"\":\n    override: replace\n    command: cmd\n"],
        "cannot use empty string as service name",
    );
}

fn svc1(extra: &str) -> String {
    format!("services:\n  \"svc1\":\n    override: replace\n    command: cmd\n{extra}")
}

/// plan_test.go TestParseLayer, `Invalid action`.
#[test]
fn pebble_conformance_invalid_action() {
    fails(
        &[&svc1("    on-success: foo\n")],
        "plan service \"svc1\" on-success action \"foo\" invalid",
    );
}

/// plan_test.go TestParseLayer, `Invalid on-success success-shutdown`.
#[test]
fn pebble_conformance_invalid_on_success_success_shutdown() {
    fails(
        &[&svc1("    on-success: success-shutdown\n")],
        "plan service \"svc1\" on-success action \"success-shutdown\" invalid",
    );
}

/// plan_test.go TestParseLayer, `Invalid on-failure failure-shutdown`.
#[test]
fn pebble_conformance_invalid_on_failure_failure_shutdown() {
    fails(
        &[&svc1("    on-failure: failure-shutdown\n")],
        "plan service \"svc1\" on-failure action \"failure-shutdown\" invalid",
    );
}

/// plan_test.go TestParseLayer, `Invalid on-check-failure failure-shutdown`.
#[test]
fn pebble_conformance_invalid_on_check_failure_failure_shutdown() {
    let yaml = svc1(
        "    on-check-failure:\n      test: failure-shutdown\nchecks:\n  test:\n    override: \
         replace\n    http:\n      url: https://example.com/foo\n",
    );
    fails(&[&yaml], "plan service \"svc1\" on-check-failure action \"failure-shutdown\" invalid");
}

/// plan_test.go TestParseLayer, `Invalid backoff-delay duration`.
#[test]
fn pebble_conformance_invalid_backoff_delay_duration() {
    fails(
        &[&svc1("    backoff-delay: foo\n")],
        "cannot parse layer \"layer-0\" section \"services\": invalid duration \"foo\"",
    );
}

/// plan_test.go TestParseLayer, `Zero backoff-factor`.
#[test]
fn pebble_conformance_zero_backoff_factor() {
    fails(
        &[&svc1("    backoff-factor: 0\n")],
        "plan service \"svc1\" backoff-factor must be 1.0 or greater, not 0",
    );
}

/// plan_test.go TestParseLayer, `Too small backoff-factor`.
#[test]
fn pebble_conformance_too_small_backoff_factor() {
    fails(
        &[&svc1("    backoff-factor: 0.5\n")],
        "plan service \"svc1\" backoff-factor must be 1.0 or greater, not 0.5",
    );
}

/// plan_test.go TestParseLayer, `Invalid backoff-factor`.
#[test]
fn pebble_conformance_invalid_backoff_factor() {
    fails(
        &[&svc1("    backoff-factor: foo\n")],
        "cannot parse layer \"layer-0\" section \"services\": invalid floating-point number \"foo\"",
    );
}

fn command(cmd: &str) -> String {
    format!("services:\n  svc1:\n    override: replace\n    command: {cmd}\n")
}

/// plan_test.go TestParseLayer, `Invalid service command`.
#[test]
fn pebble_conformance_invalid_service_command() {
    fails(
        &[&command("foo '")],
        "plan service \"svc1\" command invalid: cannot parse service \"svc1\" command: EOF \
         found when expecting closing quote",
    );
}

/// plan_test.go TestParseLayer, `Optional/overridable arguments in service command`.
#[test]
fn pebble_conformance_optional_arguments_in_service_command() {
    let cmd = r#"cmd -v [ --foo bar -e "x [ y ] z" ]"#;
    let layers = parsed(&[&command(&format!("'{cmd}'"))]).unwrap();
    assert_eq!(layers[0].services["svc1"], replace(cmd));
    let (base, extra) = layers[0].services["svc1"].parse_command("svc1").unwrap();
    assert_eq!(
        (base, extra),
        (strings(&["cmd", "-v"]), strings(&["--foo", "bar", "-e", "x [ y ] z"]))
    );
}

/// plan_test.go TestParseLayer, `Invalid service command: cannot have any arguments after [
/// ... ] group`.
#[test]
fn pebble_conformance_no_arguments_after_the_group() {
    fails(
        &[&command("cmd -v [ --foo ] bar")],
        "plan service \"svc1\" command invalid: cannot parse service \"svc1\" command: cannot \
         have any arguments after [ ... ] group",
    );
}

/// plan_test.go TestParseLayer, `Invalid service command: cannot have ] outside of [ ... ]
/// group`.
#[test]
fn pebble_conformance_no_closing_bracket_outside_the_group() {
    fails(
        &[&command("cmd -v ] foo")],
        "plan service \"svc1\" command invalid: cannot parse service \"svc1\" command: cannot \
         have ] outside of [ ... ] group",
    );
}

/// plan_test.go TestParseLayer, `Invalid service command: cannot nest [ ... ] groups`.
#[test]
fn pebble_conformance_groups_do_not_nest() {
    fails(
        &[&command("cmd -v [ foo [ --bar ] ]")],
        "plan service \"svc1\" command invalid: cannot parse service \"svc1\" command: cannot \
         nest [ ... ] groups",
    );
}

/// plan_test.go TestParseLayer, "Checks fields parse correctly and defaults are correct".
#[test]
fn pebble_conformance_checks_fields_and_defaults() {
    let combined = run(&["
checks:
  chk-http:
    override: replace
    level: alive
    period: 20s
    timeout: 500ms
    threshold: 7
    http:
      url: https://example.com/foo
      headers:
        Foo: bar
        Authorization: Basic password

  chk-tcp:
    override: merge
    level: ready
    startup: enabled
    tcp:
      port: 7777
      host: somehost

  chk-exec:
    override: replace
    startup: disabled
    exec:
      command: sleep 1
      environment:
        FOO: bar
        BAZ: buzz
      working-dir: /root
"])
    .unwrap();
    let http = &combined.checks["chk-http"];
    let expected = Check {
        r#override: "replace".into(),
        level: "alive".into(),
        period: secs(20),
        timeout: millis(500),
        threshold: 7,
        http: Some(HttpCheck {
            url: "https://example.com/foo".into(),
            headers: map(&[("Foo", "bar"), ("Authorization", "Basic password")]),
        }),
        ..Check::default()
    };
    assert_eq!(http, &expected);
    let tcp = &combined.checks["chk-tcp"];
    let expected = Check {
        r#override: "merge".into(),
        level: "ready".into(),
        startup: "enabled".into(),
        threshold: 3,
        tcp: Some(TcpCheck { port: 7777, host: "somehost".into() }),
        ..Check::default()
    };
    assert_eq!(tcp, &expected);
    assert_eq!(
        (tcp.effective_period(), tcp.effective_timeout()),
        (secs(10).unwrap(), secs(3).unwrap())
    );
    let exec = &combined.checks["chk-exec"];
    let expected = Check {
        r#override: "replace".into(),
        startup: "disabled".into(),
        threshold: 3,
        exec: Some(ExecCheck {
            command: "sleep 1".into(),
            environment: map(&[("FOO", "bar"), ("BAZ", "buzz")]),
            working_dir: "/root".into(),
            ..ExecCheck::default()
        }),
        ..Check::default()
    };
    assert_eq!(exec, &expected);
}

/// plan_test.go TestParseLayer, "Checks override replace works correctly".
#[test]
fn pebble_conformance_checks_override_replace() {
    let combined = run(&[
        "
checks:
  chk-http:
    override: replace
    period: 20s
    http:
      url: https://example.com/foo
      headers:
        Foo: bar
  chk-tcp:
    override: replace
    level: ready
    tcp:
      port: 7777
      host: somehost
  chk-exec:
    override: replace
    exec:
      command: sleep 1
      working-dir: /root
",
        "
checks:
  chk-http:
    override: replace
    http:
      url: https://example.com/bar
  chk-tcp:
    override: replace
    tcp:
      port: 8888
  chk-exec:
    override: replace
    exec:
      command: sleep 2
",
    ])
    .unwrap();
    let base = Check { r#override: "replace".into(), threshold: 3, ..Check::default() };
    let http = HttpCheck { url: "https://example.com/bar".into(), ..HttpCheck::default() };
    assert_eq!(combined.checks["chk-http"], Check { http: Some(http), ..base.clone() });
    let tcp = TcpCheck { port: 8888, host: String::new() };
    assert_eq!(combined.checks["chk-tcp"], Check { tcp: Some(tcp), ..base.clone() });
    let exec = ExecCheck { command: "sleep 2".into(), ..ExecCheck::default() };
    assert_eq!(combined.checks["chk-exec"], Check { exec: Some(exec), ..base });
}

/// plan_test.go TestParseLayer, "Checks override merge works correctly" (the default timeout
/// is capped at the 1s period without being set).
#[test]
fn pebble_conformance_checks_override_merge() {
    let combined = run(&[
        "
checks:
  chk-http:
    override: merge
    period: 1s
  chk-tcp:
    override: merge
    timeout: 300ms
    tcp:
      host: foobar
  chk-exec:
    override: merge
    threshold: 5
    exec:
      working-dir: /root
",
        "
checks:
  chk-http:
    override: merge
    http:
      url: https://example.com/bar
      headers:
        Foo: bar
  chk-tcp:
    override: merge
    tcp:
      port: 80
  chk-exec:
    override: merge
    timeout: 7s
    exec:
      command: sleep 2
      environment:
        FOO: bar
",
    ])
    .unwrap();
    let http = &combined.checks["chk-http"];
    assert_eq!((http.period, http.timeout, http.threshold), (secs(1), None, 3));
    assert_eq!(http.effective_timeout(), GoDuration::from_secs(1));
    let url = http.http.as_ref().map(|h| (h.url.as_str(), h.headers.clone()));
    assert_eq!(url, Some(("https://example.com/bar", map(&[("Foo", "bar")]))));
    let tcp = &combined.checks["chk-tcp"];
    assert_eq!(
        (tcp.timeout, tcp.tcp.clone()),
        (millis(300), Some(TcpCheck { port: 80, host: "foobar".into() }))
    );
    let exec = &combined.checks["chk-exec"];
    assert_eq!((exec.timeout, exec.threshold), (secs(7), 5));
    let expected = ExecCheck {
        command: "sleep 2".into(),
        working_dir: "/root".into(),
        environment: map(&[("FOO", "bar")]),
        ..ExecCheck::default()
    };
    assert_eq!(exec.exec, Some(expected));
}

/// plan_test.go TestParseLayer, "Timeout is capped at period".
#[test]
fn pebble_conformance_timeout_is_capped_at_period() {
    let combined = run(&[
        "checks:\n  chk1:\n    override: replace\n    period: 100ms\n    timeout: 2s\n    tcp:\n      host: foobar\n      port: 80\n",
    ])
    .unwrap();
    let chk = &combined.checks["chk1"];
    assert_eq!((chk.period, chk.timeout, chk.threshold), (millis(100), millis(100), 3));
}

/// plan_test.go TestParseLayer, "Unset timeout is capped at period" (capped, but not set).
#[test]
fn pebble_conformance_unset_timeout_is_capped_at_period() {
    let combined = run(&[
        "checks:\n  chk1:\n    override: replace\n    period: 100ms\n    tcp:\n      host: foobar\n      port: 80\n",
    ])
    .unwrap();
    let chk = &combined.checks["chk1"];
    assert_eq!((chk.timeout, chk.effective_timeout()), (None, GoDuration::from_millis(100)));
}

/// plan_test.go TestParseLayer, "One of http, tcp, or exec must be present for check".
#[test]
fn pebble_conformance_one_of_http_tcp_or_exec() {
    fails(
        &["checks:\n  chk1:\n    override: replace\n"],
        "plan must specify one of \"http\", \"tcp\", or \"exec\" for check \"chk1\"",
    );
}

/// plan_test.go TestParseLayer, "HTTP check requires url field".
#[test]
fn pebble_conformance_http_check_requires_url() {
    fails(
        &["checks:\n  chk1:\n    override: replace\n    http: {}\n"],
        "plan must set \"url\" for http check \"chk1\"",
    );
}

/// plan_test.go TestParseLayer, "TCP check requires port field".
#[test]
fn pebble_conformance_tcp_check_requires_port() {
    fails(
        &["checks:\n  chk2:\n    override: replace\n    tcp: {}\n"],
        "plan must set \"port\" for tcp check \"chk2\"",
    );
}

/// plan_test.go TestParseLayer, "Exec check requires command field".
#[test]
fn pebble_conformance_exec_check_requires_command() {
    fails(
        &["checks:\n  chk3:\n    override: replace\n    exec: {}\n"],
        "plan must set \"command\" for exec check \"chk3\"",
    );
}

/// plan_test.go TestParseLayer, `Invalid exec check command`.
#[test]
fn pebble_conformance_invalid_exec_check_command() {
    fails(
        &["checks:\n  chk1:\n    override: replace\n    exec:\n      command: foo '\n"],
        "plan check \"chk1\" command invalid: EOF found when expecting closing quote",
    );
}

/// plan_test.go TestParseLayer, `Invalid exec check service context`.
#[test]
fn pebble_conformance_invalid_exec_check_service_context() {
    fails(
        &[
            "checks:\n  chk1:\n    override: replace\n    exec:\n      command: foo\n      service-context: nosvc\n",
        ],
        "plan check \"chk1\" service context specifies non-existent service \"nosvc\"",
    );
}

/// plan_test.go TestParseLayer, `Invalid check startup value`.
#[test]
fn pebble_conformance_invalid_check_startup_value() {
    fails(
        &[
            "checks:\n  chk1:\n    override: replace\n    startup: true\n    exec:\n      command: foo\n",
        ],
        "plan check \"chk1\" startup must be \"enabled\" or \"disabled\"",
    );
}

const TARGETS_0: &str = "
services:
  svc1:
    command: foo
    override: merge
    startup: enabled
  svc2:
    command: bar
    override: merge
    startup: enabled

log-targets:
  tgt1:
    type: loki
    location: http://10.1.77.196:3100/loki/api/v1/push
    services: [all]
    override: merge
  tgt2:
    type: loki
    location: http://10.1.77.206:3100/loki/api/v1/push
    services: [all]
    override: merge
";

/// plan_test.go TestParseLayer, "Simple layer with log targets".
#[test]
fn pebble_conformance_simple_layer_with_log_targets() {
    let combined = run(&["
services:
  svc1:
    command: foo
    override: merge
    startup: enabled
  svc2:
    command: bar
    override: merge
    startup: enabled

log-targets:
  tgt1:
    type: loki
    location: http://10.1.77.196:3100/loki/api/v1/push
    services: [all]
    override: merge
  tgt2:
    type: opentelemetry
    location: http://10.1.77.196:4318
    services: [all]
    override: merge
  tgt3:
    type: syslog
    location: udp://10.1.77.196:514
    services: [all]
    override: merge
"])
    .unwrap();
    let target = |t: &str, loc: &str| LogTarget {
        r#type: t.into(),
        location: loc.into(),
        services: strings(&["all"]),
        r#override: "merge".into(),
        labels: BTreeMap::new(),
    };
    assert_eq!(
        combined.log_targets["tgt1"],
        target("loki", "http://10.1.77.196:3100/loki/api/v1/push")
    );
    assert_eq!(combined.log_targets["tgt2"], target("opentelemetry", "http://10.1.77.196:4318"));
    assert_eq!(combined.log_targets["tgt3"], target("syslog", "udp://10.1.77.196:514"));
    let svc1 = Service {
        r#override: "merge".into(),
        startup: "enabled".into(),
        command: "foo".into(),
        ..Service::default()
    };
    assert_eq!(combined.services["svc1"], svc1);
}

/// plan_test.go TestParseLayer, "Overriding log targets" (services lists are appended).
#[test]
fn pebble_conformance_overriding_log_targets() {
    let combined = run(&[
        TARGETS_0,
        "
services:
  svc1:
    command: foo
    override: merge
  svc2:
    command: bar
    override: replace
    startup: enabled

log-targets:
  tgt1:
    services: [-all, svc1]
    override: merge
  tgt2:
    type: loki
    location: udp://0.0.0.0:514
    services: [-svc1]
    override: merge
",
    ])
    .unwrap();
    let tgt1 = &combined.log_targets["tgt1"];
    assert_eq!(tgt1.services, strings(&["all", "-all", "svc1"]));
    assert_eq!(tgt1.location, "http://10.1.77.196:3100/loki/api/v1/push");
    let tgt2 = &combined.log_targets["tgt2"];
    assert_eq!(
        (tgt2.location.as_str(), tgt2.services.clone()),
        ("udp://0.0.0.0:514", strings(&["all", "-svc1"]))
    );
    assert_eq!(combined.services["svc1"].startup, "enabled", "merge keeps the earlier startup");
    assert_eq!(combined.services["svc2"].r#override, "replace");
}

/// plan_test.go TestParseLayer, "Log target requires type field".
#[test]
fn pebble_conformance_log_target_requires_type() {
    fails(
        &[
            "log-targets:\n  tgt1:\n    location: http://10.1.77.196:3100/loki/api/v1/push\n    override: merge\n",
        ],
        "plan must define \"type\" (\"loki\", \"opentelemetry\" or \"syslog\") for log target \"tgt1\"",
    );
}

/// plan_test.go TestParseLayer, "Log target location must be specified".
#[test]
fn pebble_conformance_log_target_location_must_be_specified() {
    fails(
        &["log-targets:\n  tgt1:\n    type: loki\n    services: [all]\n    override: merge\n"],
        "plan must define \"location\" for log target \"tgt1\"",
    );
}

/// plan_test.go TestParseLayer, "Unsupported log target type".
#[test]
fn pebble_conformance_unsupported_log_target_type() {
    fails(
        &[
            "log-targets:\n  tgt1:\n    type: foobar\n    location: http://10.1.77.196:3100/loki/api/v1/push\n    override: merge\n",
        ],
        "log target \"tgt1\" has unsupported type \"foobar\", must be \"loki\", \"opentelemetry\" or \"syslog\"",
    );
}

/// plan_test.go TestParseLayer, "Log target specifies invalid service".
#[test]
fn pebble_conformance_log_target_specifies_invalid_service() {
    fails(
        &[
            "log-targets:\n  tgt1:\n    type: loki\n    location: http://10.1.77.196:3100/loki/api/v1/push\n    services: [nonexistent]\n    override: merge\n",
        ],
        "log target \"tgt1\" specifies unknown service \"nonexistent\"",
    );
}

/// plan_test.go TestParseLayer, `Service name can't start with "-"`.
#[test]
fn pebble_conformance_service_name_cannot_start_with_dash() {
    fails(
        &["services:\n  -svc1:\n    command: foo\n    override: merge\n"],
        "cannot use service name \"-svc1\": starting with \"-\" not allowed",
    );
}

/// plan_test.go TestParseLayer, "Log forwarding labels override".
#[test]
fn pebble_conformance_log_forwarding_labels_override() {
    let combined = run(&[
        "
log-targets:
  tgt1:
    override: merge
    type: loki
    location: https://my.loki.server/loki/api/v1/push
    labels:
      label1: foo11
      label2: foo12
  tgt2:
    override: merge
    type: loki
    location: https://my.loki.server/loki/api/v1/push
    labels:
      label1: foo21
      label2: foo22
",
        "
log-targets:
  tgt1:
    override: merge
    labels:
      label2: bar12
      label3: bar13
  tgt2:
    override: replace
    type: loki
    location: https://new.loki.server/loki/api/v1/push
    labels:
      label2: bar22
      label3: bar23
",
    ])
    .unwrap();
    assert_eq!(
        combined.log_targets["tgt1"].labels,
        map(&[("label1", "foo11"), ("label2", "bar12"), ("label3", "bar13")])
    );
    let tgt2 = &combined.log_targets["tgt2"];
    assert_eq!(tgt2.labels, map(&[("label2", "bar22"), ("label3", "bar23")]));
    assert_eq!(
        (tgt2.r#override.as_str(), tgt2.location.as_str()),
        ("replace", "https://new.loki.server/loki/api/v1/push")
    );
}

/// plan_test.go TestParseLayer, "Reserved log target labels".
#[test]
fn pebble_conformance_reserved_log_target_labels() {
    fails(
        &[
            "log-targets:\n  tgt1:\n    override: merge\n    type: loki\n    location: https://my.loki.server/loki/api/v1/push\n    labels:\n      pebble_service: illegal\n",
        ],
        "log target \"tgt1\": label \"pebble_service\" uses reserved prefix \"pebble_\"",
    );
}

/// plan_test.go TestParseLayer, "Required field two layers deep".
#[test]
fn pebble_conformance_required_field_two_layers_deep() {
    let combined = run(&[
        "services:\n  srv1:\n    override: replace\n    command: sleep 1000\n",
        "services:\n  srv1:\n    override: merge\n    environment:\n      VAR1: foo\n",
        "services:\n  srv1:\n    override: merge\n    environment:\n      VAR2: bar\n",
    ])
    .unwrap();
    let expected =
        Service { environment: map(&[("VAR1", "foo"), ("VAR2", "bar")]), ..replace("sleep 1000") };
    assert_eq!(combined.services["srv1"], expected);
}

/// plan_test.go TestParseLayer, "Three layers missing command".
#[test]
fn pebble_conformance_three_layers_missing_command() {
    fails(
        &[
            "services:\n  srv1:\n    override: replace\n",
            "services:\n  srv1:\n    override: merge\n    environment:\n      VAR1: foo\n",
            "services:\n  srv1:\n    override: merge\n    environment:\n      VAR2: bar\n",
        ],
        "plan must define \"command\" for service \"srv1\"",
    );
}

/// plan_test.go TestCombineLayersCycle: layers without a cycle each can combine into one.
#[test]
fn pebble_conformance_combine_layers_cycle() {
    let a = Layer::parse(
        1,
        "label1",
        "services:\n  srv1:\n    override: replace\n    command: cmd\n    after:\n      - srv2\n",
    )
    .unwrap();
    let b = Layer::parse(
        2,
        "label2",
        "services:\n  srv2:\n    override: replace\n    command: cmd\n    after:\n      - srv1\n",
    )
    .unwrap();
    let combined = combine_layers(&[a.clone(), b.clone()]).unwrap();
    let e = plan_of(&combined).validate().unwrap_err();
    assert!(e.message.starts_with("services in before/after loop: "), "{e}");
    assert_eq!(Plan::from_layers(&[a, b]).unwrap_err(), e);
}

/// plan_test.go TestMissingOverride.
#[test]
fn pebble_conformance_missing_override() {
    let a = Layer::parse(1, "label1", "{}").unwrap();
    let b = Layer::parse(2, "label2", "services:\n  srv1:\n    command: cmd\n").unwrap();
    let e = combine_layers(&[a, b]).unwrap_err();
    assert_eq!(e.message, "layer \"label2\" must define \"override\" for service \"srv1\"");
}

/// plan_test.go TestMissingCommand: fails without a command in the combined plan, succeeds
/// with one from an earlier layer.
#[test]
fn pebble_conformance_missing_command() {
    let a = Layer::parse(1, "label1", "{}").unwrap();
    let b = Layer::parse(2, "label2", "services:\n  srv1:\n    override: merge\n").unwrap();
    let e = Plan::from_layers(&[a, b.clone()]).unwrap_err();
    assert_eq!(e.message, "plan must define \"command\" for service \"srv1\"");
    let a = Layer::parse(
        1,
        "label1",
        "services:\n  srv1:\n    override: merge\n    command: foo --bar\n",
    )
    .unwrap();
    let combined = combine_layers(&[a, b]).unwrap();
    assert_eq!(combined.services["srv1"].command, "foo --bar");
}

/// plan_test.go TestPebbleLabelPrefixReserved.
#[test]
fn pebble_conformance_pebble_label_prefix_reserved() {
    let e = Layer::parse(0, "pebble-foo", "{}").unwrap_err();
    assert_eq!(e.message, "cannot use reserved label prefix \"pebble-\"");
}

/// One row of `cmdTests`: command, cmdArgs, expectedBase, expectedExtra, expectedNewCommand.
type CmdCase = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

/// plan_test.go TestParseCommand: every case of `cmdTests`.
#[test]
fn pebble_conformance_parse_command() {
    let cases: &[CmdCase] = &[
        ("cmd --foo bar", &[], &["cmd", "--foo", "bar"], &[], "cmd --foo bar"),
        (
            "cmd --foo bar",
            &["-v", "--opt"],
            &["cmd", "--foo", "bar"],
            &[],
            "cmd --foo bar [ -v --opt ]",
        ),
        ("cmd [ --foo bar ]", &[], &["cmd"], &["--foo", "bar"], "cmd"),
        ("cmd [ --foo bar ]", &["--bar", "foo"], &["cmd"], &["--foo", "bar"], "cmd [ --bar foo ]"),
        ("cmd --foo bar [ ]", &[], &["cmd", "--foo", "bar"], &[], "cmd --foo bar"),
        (
            "cmd --foo bar [ ]",
            &["-v", "--opt"],
            &["cmd", "--foo", "bar"],
            &[],
            "cmd --foo bar [ -v --opt ]",
        ),
    ];
    for (cmd, args, base, extra, new_command) in cases {
        let mut service = Service { command: (*cmd).into(), ..Service::default() };
        let (b, e) = service.parse_command("svc").unwrap();
        assert_eq!((b.clone(), e), (strings(base), strings(extra)), "{cmd}");
        let joined = command_string(&b, &strings(args));
        assert_eq!(joined, *new_command);
        service.command = joined;
        let (b, e) = service.parse_command("svc").unwrap();
        assert_eq!((b, e), (strings(base), strings(args)), "{cmd}");
    }
    for (cmd, why) in [
        ("cmd [ --foo ] --bar", "cannot have any arguments after [ ... ] group"),
        ("[ cmd --foo ]", "cannot start command with [ ... ] group"),
    ] {
        let service = Service { command: cmd.into(), ..Service::default() };
        let e = service.parse_command("svc").unwrap_err();
        assert_eq!(e, format!("cannot parse service \"svc\" command: {why}"));
    }
}
