//! The typed hook-tool client, continued: unit state, ports, networking, storage, goal-state,
//! credential-get, unit-get and juju-reboot against the recording fake runner. Outputs come from
//! juju/juju's own tests of each tool (`internal/worker/uniter/runner/jujuc/*_test.go`, cited per
//! case; their YAML or smart outputs are given here as the `--format=json` form the tool prints
//! for the same data) or from ops' `test/test_hookcmds.py`. Last, a check that every tool of the
//! Juju 3.6 and 4.0 registries has a method or a row in the "Tools left out" table.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::PathBuf;

use common::{FakeRunner, strings};
use juju_charm::databag::Databag;
use juju_charm::rules::SecretUri;
use juju_charm::tools::{
    ActionValue, LogLevel, MAX_STATE_KEY, MAX_STATE_VALUE, OpenedPort, Port, PortEndpoints,
    Protocol, RevokeFrom, SecretAddOptions, SecretOwner, SecretRead, SecretRef, SecretSetOptions,
    StorageKind, UnitAddress,
};
use juju_charm::{
    ErrorKind, HookToolError, HookTools, RelationId, Scope, SecretString, Status, ToolOutput,
};

const SECRET: &str = "hunter22-very-secret";

fn rid(s: &str) -> RelationId {
    s.parse().unwrap()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn assert_parse_error<T: std::fmt::Debug>(r: Result<T, HookToolError>, tool: &str, hidden: &str) {
    let err = r.expect_err("should not parse");
    assert!(matches!(&err, HookToolError::Parse { tool: t, .. } if t == tool), "{err:?}");
    assert!(!err.to_string().contains(hidden), "error quotes the output: {err}");
    assert!(!format!("{err:?}").contains(hidden), "error quotes the output: {err:?}");
}

fn assert_invalid<T: std::fmt::Debug>(r: Result<T, HookToolError>, tool: &str) -> String {
    match r {
        Err(HookToolError::Invalid { tool: t, why }) if t == tool => why,
        other => panic!("expected {tool} to refuse the call: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// state-get, state-set, state-delete

#[test]
fn state_get() {
    // state-get_test.go "get all values with no args": one: two, three: four.
    let fake = FakeRunner::ok("{\"one\":\"two\",\"three\":\"four\"}\n");
    let state = HookTools::new(&fake).state_get().unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["state-get", "--format=json"]));
    assert_eq!(state, map(&[("one", "two"), ("three", "four")]));
}

#[test]
fn state_get_reads_null_and_empty_as_empty() {
    // Juju's GetCharmState returns a nil map for an empty state: `null` (juju/juju issue 22523,
    // ops test_hookcmds.py test_state_get_empty); `{}` is read the same.
    for empty in ["null\n", "{}\n"] {
        assert!(HookTools::new(&FakeRunner::ok(empty)).state_get().unwrap().is_empty());
    }
    for bad in [format!("{{\"k\": 1, \"p\": \"{SECRET}\"}}"), format!("[\"{SECRET}\"]")] {
        assert_parse_error(HookTools::new(&FakeRunner::ok(&bad)).state_get(), "state-get", SECRET);
    }
}

#[test]
fn state_get_key() {
    // state-get_test.go "get value of key": one → two.
    let fake = FakeRunner::ok("\"two\"\n");
    let value = HookTools::new(&fake).state_get_key("one").unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["state-get", "--format=json", "--", "one"]));
    assert_eq!(value.as_deref(), Some("two"));
    // state-get_test.go "key not found" / "empty result": Juju prints an empty string (ops
    // test_state_get_key_missing: `""` in JSON).
    for missing in ["\"\"\n", "null\n"] {
        assert_eq!(HookTools::new(&FakeRunner::ok(missing)).state_get_key("five").unwrap(), None);
    }
    // A key that looks like a flag goes after `--`.
    let fake = FakeRunner::ok("\"x\"");
    HookTools::new(&fake).state_get_key("-x").unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["state-get", "--format=json", "--", "-x"]));
    assert_parse_error(
        HookTools::new(&FakeRunner::ok(&format!("{{\"v\": \"{SECRET}\"}}"))).state_get_key("v"),
        "state-get",
        SECRET,
    );
}

#[test]
fn state_get_key_refuses_what_would_read_every_key() {
    let fake = FakeRunner::ok("{}");
    for key in ["", "-"] {
        assert_invalid(HookTools::new(&fake).state_get_key(key), "state-get");
    }
    assert!(fake.calls().is_empty());
}

#[test]
fn state_set_sends_json_on_stdin() {
    let values = map(&[("installed", "1.2.3"), ("token", SECRET), ("empty", ""), ("k=v", "a\nb")]);
    let fake = FakeRunner::ok("");
    HookTools::new(&fake).state_set(&values).unwrap();
    let call = fake.only_call();
    assert_eq!(call.argv(), strings(&["state-set", "--file", "-"]));
    let stdin: BTreeMap<String, String> = serde_json::from_slice(&call.stdin.unwrap()).unwrap();
    assert_eq!(stdin, values);
}

#[test]
fn state_set_takes_values_up_to_the_quota_and_no_further() {
    // juju/juju core/quota: keys up to 256 bytes, values up to 64 KiB.
    let fake = FakeRunner::ok("");
    let tools = HookTools::new(&fake);
    let (key, value) = ("k".repeat(MAX_STATE_KEY), "v".repeat(MAX_STATE_VALUE));
    tools.state_set(&map(&[(&key, &value)])).unwrap();
    let call = fake.only_call();
    assert!(call.args.iter().all(|a| a.len() < 10), "values go on stdin: {:?}", call.args);
    assert_eq!(call.stdin.unwrap().len(), MAX_STATE_KEY + MAX_STATE_VALUE + 7);

    let long_key = "k".repeat(MAX_STATE_KEY + 1);
    let long_value = format!("{SECRET}{}", "v".repeat(MAX_STATE_VALUE));
    for bad in [map(&[(&long_key, "v")]), map(&[("ok", "v"), ("", "v")])] {
        assert_invalid(tools.state_set(&bad), "state-set");
    }
    let why = assert_invalid(tools.state_set(&map(&[("big", &long_value)])), "state-set");
    assert!(why.contains("\"big\"") && why.contains("65536"), "{why}");
    assert!(!why.contains(SECRET));
    // Nothing to set: no call.
    tools.state_set(&BTreeMap::new()).unwrap();
    assert_eq!(fake.calls().len(), 1);
}

#[test]
fn state_delete() {
    let fake = FakeRunner::ok("");
    HookTools::new(&fake).state_delete("one").unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["state-delete", "--", "one"]));
    assert_invalid(HookTools::new(&fake).state_delete(""), "state-delete");
    assert_eq!(fake.calls().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// open-port, close-port, opened-ports

#[test]
fn open_and_close_port() {
    // The sequence of ports_test.go TestOpenClose (portsTests), in the argv Juju's examples
    // and ops' test_hookcmds.py use.
    let fake = FakeRunner::ok("");
    let tools = HookTools::new(&fake);
    tools.open_port(Port::tcp(80), &[]).unwrap();
    tools.open_port(Port::tcp(99), &[]).unwrap();
    tools.open_port(Port::range(Protocol::Tcp, 100, 200), &[]).unwrap();
    tools.open_port(Port::udp(443), &[]).unwrap();
    tools.close_port(Port::tcp(80), &[]).unwrap();
    tools.close_port(Port::range(Protocol::Tcp, 100, 200), &[]).unwrap();
    tools.open_port(Port::Icmp, &[]).unwrap();
    tools.open_port(Port::tcp(1337), &["foo", "bar"]).unwrap();
    tools.close_port(Port::tcp(1337), &["foo"]).unwrap();
    assert_eq!(
        fake.argvs(),
        vec![
            strings(&["open-port", "80/tcp"]),
            strings(&["open-port", "99/tcp"]),
            strings(&["open-port", "100-200/tcp"]),
            strings(&["open-port", "443/udp"]),
            strings(&["close-port", "80/tcp"]),
            strings(&["close-port", "100-200/tcp"]),
            strings(&["open-port", "icmp"]),
            strings(&["open-port", "--endpoints", "foo,bar", "1337/tcp"]),
            strings(&["close-port", "--endpoints", "foo", "1337/tcp"]),
        ]
    );
}

#[test]
fn port_calls_juju_would_refuse_are_refused_first() {
    let fake = FakeRunner::ok("");
    let tools = HookTools::new(&fake);
    let why = assert_invalid(tools.open_port(Port::range(Protocol::Udp, 9, 8), &[]), "open-port");
    assert!(why.contains("9-8"), "{why}");
    assert_invalid(tools.close_port(Port::tcp(80), &["db,web"]), "close-port");
    assert_invalid(tools.open_port(Port::tcp(80), &["db", ""]), "open-port");
    assert!(fake.calls().is_empty());
    // A one-port range is fine (Juju stores it as that port).
    tools.open_port(Port::range(Protocol::Tcp, 80, 80), &[]).unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["open-port", "80-80/tcp"]));
}

#[test]
fn opened_ports() {
    // opened-ports_test.go TestRunAllFormats, json: sorted by protocol, then port.
    let fake = FakeRunner::ok("[\"10-20/tcp\",\"80/tcp\",\"53-55/udp\",\"63/udp\"]\n");
    let ports = HookTools::new(&fake).opened_ports().unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["opened-ports", "--format=json"]));
    assert_eq!(
        ports,
        vec![
            Port::range(Protocol::Tcp, 10, 20),
            Port::tcp(80),
            Port::range(Protocol::Udp, 53, 55),
            Port::udp(63),
        ]
    );
    // ops test_hookcmds.py test_opened_ports: icmp, and a port without a protocol (tcp).
    let fake = FakeRunner::ok("[\"8080/tcp\", \"icmp\", \"8081-8090/udp\", \"80\"]");
    assert_eq!(
        HookTools::new(&fake).opened_ports().unwrap(),
        vec![Port::tcp(8080), Port::Icmp, Port::range(Protocol::Udp, 8081, 8090), Port::tcp(80)]
    );
    for empty in ["[]\n", "null\n"] {
        assert!(HookTools::new(&FakeRunner::ok(empty)).opened_ports().unwrap().is_empty());
    }
    for bad in ["[\"80/sctp-hidden\"]", "[\"20-10/tcp-hidden\"]", "{\"80/tcp-hidden\": 1}"] {
        assert_parse_error(
            HookTools::new(&FakeRunner::ok(bad)).opened_ports(),
            "opened-ports",
            "hidden",
        );
    }
}

#[test]
fn opened_ports_endpoints() {
    // opened-ports_test.go TestRunAllFormatsWithEndpointDetails, json.
    let out = "[\"10-20/tcp (foo)\",\"80/tcp (*)\",\"53-55/udp (*)\",\"63/udp (bar)\"]\n";
    let fake = FakeRunner::ok(out);
    let ports = HookTools::new(&fake).opened_ports_endpoints().unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["opened-ports", "--endpoints", "--format=json"]));
    let only = |names: &[&str]| PortEndpoints::Only(strings(names));
    let got: Vec<_> =
        ports.into_iter().map(|OpenedPort { port, endpoints, .. }| (port, endpoints)).collect();
    assert_eq!(
        got,
        vec![
            (Port::range(Protocol::Tcp, 10, 20), only(&["foo"])),
            (Port::tcp(80), PortEndpoints::All),
            (Port::range(Protocol::Udp, 53, 55), PortEndpoints::All),
            (Port::udp(63), only(&["bar"])),
        ]
    );
    // ops test_hookcmds.py test_opened_ports_endpoints: Juju separates endpoints with ", ".
    let fake = FakeRunner::ok("[\"icmp (*)\", \"80/tcp (db, web)\", \"8000-8100/udp (web)\"]");
    let ports = HookTools::new(&fake).opened_ports_endpoints().unwrap();
    assert_eq!(ports[0].port, Port::Icmp);
    assert_eq!(ports[0].endpoints, PortEndpoints::All);
    assert_eq!(ports[1].endpoints, only(&["db", "web"]));
    assert_eq!(ports[2].port, Port::range(Protocol::Udp, 8000, 8100));
    // Without the endpoints part it is not the --endpoints form.
    assert_parse_error(
        HookTools::new(&FakeRunner::ok("[\"80/tcp-hidden\"]")).opened_ports_endpoints(),
        "opened-ports",
        "hidden",
    );
}

// ---------------------------------------------------------------------------------------------
// network-get

/// network-get_test.go "known-extra", printed as JSON (`networkInfoResultDisplay`: no legacy
/// keys in JSON, empty egress/ingress lists left out).
const KNOWN_EXTRA: &str = r#"{"bind-addresses":[{"mac-address":"00:11:22:33:44:22","interface-name":"eth2","addresses":[{"hostname":"","value":"10.20.1.42","cidr":"10.20.1.42/24"},{"hostname":"","value":"fc00::1","cidr":"fc00::/64"}]}]}
"#;

/// network-get_test.go "ingress-egress", printed as JSON.
const INGRESS_EGRESS: &str = r#"{"bind-addresses":[{"mac-address":"00:11:22:33:44:33","interface-name":"eth3","addresses":[{"hostname":"","value":"10.33.1.8","cidr":"10.33.1.8/24"}]}],"egress-subnets":["192.168.1.0/8","10.0.0.0/8"],"ingress-addresses":["100.1.2.3","100.4.3.2"]}
"#;

#[test]
fn network_get() {
    let fake = FakeRunner::ok(KNOWN_EXTRA);
    let net = HookTools::new(&fake).network_get("known-extra", None).unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["network-get", "--format=json", "known-extra"]));
    assert_eq!(net.bind_addresses.len(), 1);
    let eth2 = &net.bind_addresses[0];
    assert_eq!(
        (eth2.mac_address.as_str(), eth2.interface_name.as_str()),
        ("00:11:22:33:44:22", "eth2")
    );
    let addrs: Vec<_> = eth2
        .addresses
        .iter()
        .map(|a| (a.hostname.as_str(), a.value.as_str(), a.cidr.as_str()))
        .collect();
    assert_eq!(addrs, [("", "10.20.1.42", "10.20.1.42/24"), ("", "fc00::1", "fc00::/64")]);
    assert!(net.egress_subnets.is_empty() && net.ingress_addresses.is_empty());
    // "explicitly bound, extra-binding name given with single flag arg": --ingress-address
    // falls back to the first bind address.
    assert_eq!(net.ingress_address(), Some("10.20.1.42"));
}

#[test]
fn network_get_for_a_relation() {
    let fake = FakeRunner::ok(INGRESS_EGRESS);
    let net = HookTools::new(&fake).network_get("ingress-egress", Some(&rid("db:7"))).unwrap();
    assert_eq!(
        fake.only_call().argv(),
        strings(&["network-get", "--format=json", "-r", "db:7", "ingress-egress"])
    );
    assert_eq!(net.egress_subnets, strings(&["192.168.1.0/8", "10.0.0.0/8"]));
    assert_eq!(net.ingress_addresses, strings(&["100.1.2.3", "100.4.3.2"]));
    // "explicit ingress and egress information": the first ingress address.
    assert_eq!(net.ingress_address(), Some("100.1.2.3"));
}

#[test]
fn network_get_missing_and_null_fields_are_empty() {
    let out = r#"{"bind-addresses": [{"interface-name": "eth0", "addresses": null}],
        "egress-subnets": null, "future-key": {"x": 1}}"#;
    let net = HookTools::new(&FakeRunner::ok(out)).network_get("db", None).unwrap();
    assert_eq!(net.bind_addresses[0].interface_name, "eth0");
    assert!(net.bind_addresses[0].mac_address.is_empty());
    assert!(net.bind_addresses[0].addresses.is_empty());
    assert_eq!(net.ingress_address(), None);
    for empty in ["{}", "null"] {
        let net = HookTools::new(&FakeRunner::ok(empty)).network_get("db", None).unwrap();
        assert!(net.bind_addresses.is_empty() && net.ingress_address().is_none());
    }
    // A scalar (the output of a single --ingress-address) is not the full form.
    for bad in ["\"10.0.0.1-hidden\"", "{\"bind-addresses\": \"hidden\"}"] {
        assert_parse_error(
            HookTools::new(&FakeRunner::ok(bad)).network_get("db", None),
            "network-get",
            "hidden",
        );
    }
    // network-get_test.go "unknown binding given": exit 1.
    let fake = FakeRunner::failing(1, "ERROR no network config found for binding \"unknown\"\n");
    let err = HookTools::new(&fake).network_get("unknown", None).unwrap_err();
    assert!(matches!(err, HookToolError::Failed { code: Some(1), .. }), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// goal-state, credential-get, unit-get, juju-reboot

#[test]
fn goal_state() {
    // goal-state_test.go goalStateTestResultJson, verbatim.
    let out = r#"{"units":{"mysql/0":{"status":"active","since":"2200-11-05 15:29:12Z"}},"relations":{"db":{"mysql/0":{"status":"active","since":"2200-11-05 15:29:12Z"}},"server":{"wordpress/0":{"status":"active","since":"2200-11-05 15:29:12Z"}}}}
"#;
    let fake = FakeRunner::ok(out);
    let goal = HookTools::new(&fake).goal_state().unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["goal-state", "--format=json"]));
    let mysql = &goal.units["mysql/0"];
    assert_eq!(
        (mysql.status.as_str(), mysql.since.as_deref()),
        ("active", Some("2200-11-05 15:29:12Z"))
    );
    assert_eq!(goal.relations.keys().collect::<Vec<_>>(), ["db", "server"]);
    assert_eq!(goal.relations["db"]["mysql/0"], *mysql);
    assert_eq!(goal.relations["server"]["wordpress/0"].status, "active");
}

#[test]
fn goal_state_empty_and_partial() {
    // ops test_hookcmds.py test_goal_state: no relations; `since` is omitempty in Juju.
    let out = r#"{"units": {"my-unit/0": {"status": "waiting"}}, "relations": {}}"#;
    let goal = HookTools::new(&FakeRunner::ok(out)).goal_state().unwrap();
    assert_eq!(goal.units["my-unit/0"].status, "waiting");
    assert_eq!(goal.units["my-unit/0"].since, None);
    assert!(goal.relations.is_empty());
    for empty in ["null", "{}", r#"{"units": null, "relations": null}"#] {
        let goal = HookTools::new(&FakeRunner::ok(empty)).goal_state().unwrap();
        assert!(goal.units.is_empty() && goal.relations.is_empty());
    }
    assert_parse_error(
        HookTools::new(&FakeRunner::ok(r#"{"units": ["hidden"]}"#)).goal_state(),
        "goal-state",
        "hidden",
    );
}

#[test]
fn credential_get() {
    // ops test_hookcmds.py test_credential_get_all, with a secret attribute.
    let out = format!(
        r#"{{"type": "cloud", "name": "test", "region": "pacific", "endpoint": "end",
            "identity-endpoint": "id-end", "storage-endpoint": "stor-end",
            "credential": {{"auth-type": "certificate",
                "attrs": {{"client-cert": "foo", "client-key": "{SECRET}", "server-cert": "baz"}},
                "redacted": ["foo"]}},
            "cacertificates": ["cert1", "cert2"], "skip-tls-verify": true,
            "is-controller-cloud": true}}"#
    );
    let fake = FakeRunner::ok(&out);
    let spec = HookTools::new(&fake).credential_get().unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["credential-get", "--format=json"]));
    assert_eq!((spec.cloud_type.as_str(), spec.name.as_str()), ("cloud", "test"));
    assert_eq!(spec.region.as_deref(), Some("pacific"));
    assert_eq!(spec.endpoint.as_deref(), Some("end"));
    assert_eq!(spec.identity_endpoint.as_deref(), Some("id-end"));
    assert_eq!(spec.storage_endpoint.as_deref(), Some("stor-end"));
    assert_eq!(spec.ca_certificates, strings(&["cert1", "cert2"]));
    assert!(spec.skip_tls_verify && spec.is_controller_cloud);
    let cred = spec.credential.as_ref().unwrap();
    assert_eq!(cred.auth_type, "certificate");
    assert_eq!(cred.redacted, strings(&["foo"]));
    assert_eq!(
        cred.attributes.keys().collect::<Vec<_>>(),
        ["client-cert", "client-key", "server-cert"]
    );
    assert_eq!(cred.attributes["client-key"].expose(), SECRET);
    assert_eq!(cred.attributes["client-key"], SecretString::new(SECRET));
    // Debug names the attributes, never their values.
    let debug = format!("{spec:?}");
    assert!(debug.contains("client-key") && !debug.contains(SECRET), "{debug}");
    assert!(!debug.contains("baz"), "{debug}");
}

#[test]
fn credential_get_minimal() {
    // rpc/params.CloudSpec: everything but type and name is omitempty.
    let fake = FakeRunner::ok(r#"{"type": "lxd", "name": "localhost", "region": ""}"#);
    let spec = HookTools::new(&fake).credential_get().unwrap();
    assert_eq!((spec.cloud_type.as_str(), spec.name.as_str()), ("lxd", "localhost"));
    assert_eq!((spec.region, spec.endpoint, spec.credential), (None, None, None));
    assert!(spec.ca_certificates.is_empty() && !spec.skip_tls_verify && !spec.is_controller_cloud);
    let fake = FakeRunner::ok(r#"{"type": "k", "name": "n", "credential": {"auth-type": "x"}}"#);
    let spec = HookTools::new(&fake).credential_get().unwrap();
    assert!(spec.credential.unwrap().attributes.is_empty());
}

#[test]
fn credential_get_errors_never_quote_the_credential() {
    for out in [
        format!(
            r#"{{"type": "t", "name": "n", "credential": {{"auth-type": "a", "attrs": {{"k": "{SECRET}", "n": 5}}}}}}"#
        ),
        format!(
            r#"{{"type": "t", "credential": {{"auth-type": "a", "attrs": {{"k": "{SECRET}"}}}}}}"#
        ),
        format!(r#"{{"type": "t", "name": "n", "credential": {{"attrs": {{"k": "{SECRET}"}}"#),
        format!("\"{SECRET}\""),
        "null".to_owned(),
    ] {
        assert_parse_error(
            HookTools::new(&FakeRunner::ok(&out)).credential_get(),
            "credential-get",
            SECRET,
        );
    }
    // Juju's refusal for an untrusted application.
    let fake = FakeRunner::failing(1, "ERROR cannot access cloud credentials: permission denied\n");
    let err = HookTools::new(&fake).credential_get().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
}

#[test]
fn unit_get() {
    let fake = FakeRunner::ok("\"10.0.0.1\"\n");
    let tools = HookTools::new(&fake);
    assert_eq!(tools.unit_get(UnitAddress::Private).unwrap(), "10.0.0.1");
    assert_eq!(tools.unit_get(UnitAddress::Public).unwrap(), "10.0.0.1");
    assert_eq!(
        fake.argvs(),
        vec![
            strings(&["unit-get", "--format=json", "private-address"]),
            strings(&["unit-get", "--format=json", "public-address"]),
        ]
    );
    for bad in ["\"\"", "null", "10.0.0.1-hidden", "[\"hidden\"]"] {
        assert_parse_error(
            HookTools::new(&FakeRunner::ok(bad)).unit_get(UnitAddress::Private),
            "unit-get",
            "hidden",
        );
    }
}

#[test]
fn juju_reboot() {
    let fake = FakeRunner::ok("");
    let tools = HookTools::new(&fake);
    tools.juju_reboot(false).unwrap();
    tools.juju_reboot(true).unwrap();
    assert_eq!(fake.argvs(), vec![strings(&["juju-reboot"]), strings(&["juju-reboot", "--now"])]);
    // reboot.go: refused in an action.
    let fake =
        FakeRunner::failing(1, "ERROR juju-reboot is not supported when running an action.\n");
    let err = HookTools::new(&fake).juju_reboot(true).unwrap_err();
    assert!(matches!(err, HookToolError::Failed { code: Some(1), .. }), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// storage-get, storage-list, storage-add

#[test]
fn storage_get() {
    // storage-get_test.go storageAttributes, json.
    let fake = FakeRunner::ok("{\"kind\":\"block\",\"location\":\"/dev/sda\"}\n");
    let info = HookTools::new(&fake).storage_get(Some("data/0")).unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["storage-get", "--format=json", "-s", "data/0"]));
    assert_eq!((info.kind, info.location), (StorageKind::Block, PathBuf::from("/dev/sda")));

    let fake = FakeRunner::ok(r#"{"location": "/srv/data", "kind": "filesystem"}"#);
    let info = HookTools::new(&fake).storage_get(None).unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["storage-get", "--format=json"]));
    assert_eq!((info.kind, info.location), (StorageKind::Filesystem, PathBuf::from("/srv/data")));

    // Juju prints `unknown` for a kind it does not know; so does a newer kind read here.
    for kind in ["unknown", "object"] {
        let out = format!(r#"{{"kind": "{kind}", "location": ""}}"#);
        let info = HookTools::new(&FakeRunner::ok(&out)).storage_get(None).unwrap();
        assert_eq!(info.kind, StorageKind::Unknown);
    }
    // storage-get_test.go "location" alone prints a scalar: not this form.
    for bad in ["\"/dev/sda-hidden\"", "{\"kind\": \"block-hidden\"}", "null"] {
        assert_parse_error(
            HookTools::new(&FakeRunner::ok(bad)).storage_get(None),
            "storage-get",
            "hidden",
        );
    }
}

#[test]
fn storage_list() {
    // storage-list_test.go TestOutputFormatJSON and TestOutputFiltered.
    let fake = FakeRunner::ok("[\"data/0\",\"data/1\",\"data/2\",\"other/0\",\"other/1\"]\n");
    let ids = HookTools::new(&fake).storage_list(None).unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["storage-list", "--format=json"]));
    assert_eq!(ids, strings(&["data/0", "data/1", "data/2", "other/0", "other/1"]));
    let fake = FakeRunner::ok("[\"data/0\",\"data/1\",\"data/2\"]\n");
    let ids = HookTools::new(&fake).storage_list(Some("data")).unwrap();
    assert_eq!(fake.only_call().argv(), strings(&["storage-list", "--format=json", "data"]));
    assert_eq!(ids.len(), 3);
    // TestOutputNoMatches: an empty list.
    for empty in ["[]\n", "null\n"] {
        assert!(
            HookTools::new(&FakeRunner::ok(empty)).storage_list(Some("dat")).unwrap().is_empty()
        );
    }
    assert_parse_error(
        HookTools::new(&FakeRunner::ok("{\"hidden\": 1}")).storage_list(None),
        "storage-list",
        "hidden",
    );
}

#[test]
fn storage_add() {
    // storage-add_test.go TestAddUnitStorage: `data=676`, and `data` (a count of 1).
    let fake = FakeRunner::ok("");
    let tools = HookTools::new(&fake);
    tools.storage_add("data", 676).unwrap();
    tools.storage_add("data", 1).unwrap();
    assert_eq!(
        fake.argvs(),
        vec![strings(&["storage-add", "data=676"]), strings(&["storage-add", "data=1"])]
    );
    // TestStorageAddInit: only a count may follow the name, and it must be positive.
    assert_invalid(tools.storage_add("data", 0), "storage-add");
    for name in ["", "data=pool", "data,1M", "my data"] {
        assert_invalid(tools.storage_add(name, 1), "storage-add");
    }
    assert_eq!(fake.calls().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Exit codes and spawn errors, for every tool added here

/// One call of every method added here, with arguments that pass the local checks.
fn call_every_new_tool(tools: &HookTools<'_>) -> Vec<(&'static str, Result<(), HookToolError>)> {
    vec![
        ("state-get", tools.state_get().map(drop)),
        ("state-get", tools.state_get_key("k").map(drop)),
        ("state-set", tools.state_set(&map(&[("k", "v")]))),
        ("state-delete", tools.state_delete("k")),
        ("open-port", tools.open_port(Port::tcp(80), &["web"])),
        ("close-port", tools.close_port(Port::Icmp, &[])),
        ("opened-ports", tools.opened_ports().map(drop)),
        ("opened-ports", tools.opened_ports_endpoints().map(drop)),
        ("network-get", tools.network_get("db", Some(&rid("db:1"))).map(drop)),
        ("goal-state", tools.goal_state().map(drop)),
        ("credential-get", tools.credential_get().map(drop)),
        ("unit-get", tools.unit_get(UnitAddress::Public).map(drop)),
        ("juju-reboot", tools.juju_reboot(false)),
        ("storage-get", tools.storage_get(Some("data/0")).map(drop)),
        ("storage-list", tools.storage_list(None).map(drop)),
        ("storage-add", tools.storage_add("data", 2)),
    ]
}

#[test]
fn every_new_tool_checks_the_exit_code() {
    for code in [Some(1), Some(2), None] {
        let fake = FakeRunner::new(move |_, _, _| {
            Ok(ToolOutput { code, stdout: b"{}".to_vec(), stderr: b"ERROR boom\xff\n".to_vec() })
        });
        let results = call_every_new_tool(&HookTools::new(&fake));
        let n = results.len();
        for (tool, result) in results {
            match result {
                Err(HookToolError::Failed { tool: t, code: c, stderr }) => {
                    assert_eq!((t.as_str(), c), (tool, code));
                    assert_eq!(stderr, "ERROR boom\u{fffd}\n");
                }
                other => panic!("{tool}: {other:?}"),
            }
        }
        // One call each: nothing retried, nothing run twice.
        assert_eq!(fake.calls().len(), n);
        let called: Vec<String> = fake.calls().into_iter().map(|c| c.tool).collect();
        let expected: Vec<&str> =
            call_every_new_tool(&HookTools::new(&FakeRunner::ok(""))).iter().map(|r| r.0).collect();
        assert_eq!(called, expected);
    }
}

#[test]
fn every_new_tool_reports_spawn_errors() {
    let fake = FakeRunner::new(|_, _, _| Err(io::Error::new(io::ErrorKind::NotFound, "gone")));
    for (tool, result) in call_every_new_tool(&HookTools::new(&fake)) {
        match result {
            Err(e @ HookToolError::Spawn { .. }) => {
                assert_eq!(e.tool(), tool);
                assert_eq!(e.kind(), ErrorKind::Other);
            }
            other => panic!("{tool}: {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Every tool of both registries: a method, or a row of the "Tools left out" table

/// juju/juju `worker/uniter/runner/jujuc/server.go` (3.6): baseCommands, secretCommands,
/// storageCommands, leaderCommands, resourceCommands, payloadCommands, actionCommands.
const JUJU_3_6: [&str; 50] = [
    "close-port",
    "config-get",
    "juju-log",
    "open-port",
    "opened-ports",
    "relation-get",
    "relation-ids",
    "relation-list",
    "relation-model-get",
    "relation-set",
    "unit-get",
    "add-metric",
    "juju-reboot",
    "status-get",
    "status-set",
    "network-get",
    "application-version-set",
    "k8s-spec-set",
    "k8s-spec-get",
    "k8s-raw-set",
    "k8s-raw-get",
    "pod-spec-set",
    "pod-spec-get",
    "goal-state",
    "credential-get",
    "state-get",
    "state-delete",
    "state-set",
    "secret-add",
    "secret-set",
    "secret-remove",
    "secret-get",
    "secret-info-get",
    "secret-grant",
    "secret-revoke",
    "secret-ids",
    "storage-add",
    "storage-get",
    "storage-list",
    "is-leader",
    "leader-get",
    "leader-set",
    "resource-get",
    "payload-register",
    "payload-unregister",
    "payload-status-set",
    "action-get",
    "action-set",
    "action-fail",
    "action-log",
];

/// juju/juju `internal/worker/uniter/runner/jujuc/server.go` (4.0, main at 120cca61).
const JUJU_4_0: [&str; 38] = [
    "close-port",
    "config-get",
    "juju-log",
    "open-port",
    "opened-ports",
    "relation-get",
    "relation-ids",
    "relation-list",
    "relation-model-get",
    "relation-set",
    "unit-get",
    "juju-reboot",
    "status-get",
    "status-set",
    "network-get",
    "application-version-set",
    "goal-state",
    "credential-get",
    "state-get",
    "state-delete",
    "state-set",
    "secret-add",
    "secret-set",
    "secret-remove",
    "secret-get",
    "secret-info-get",
    "secret-grant",
    "secret-revoke",
    "secret-ids",
    "storage-add",
    "storage-get",
    "storage-list",
    "is-leader",
    "resource-get",
    "action-get",
    "action-set",
    "action-fail",
    "action-log",
];

/// The tools the typed client runs: every method, called once against a recording runner.
fn typed_tools() -> BTreeSet<String> {
    let fake = FakeRunner::new(|tool, _, _| {
        Ok(ToolOutput::ok(if tool == "is-leader" { "true" } else { "" }))
    });
    let tools = HookTools::new(&fake);
    let id = rid("db:1");
    let x: SecretUri = "secret:cr1bm4s3vnv5q0u0ghcg".parse().unwrap();
    let content = [("abc".to_owned(), SecretString::new("v"))].into_iter().collect();
    let bag: Databag = [("k", "v")].into_iter().collect();
    let results: BTreeMap<String, ActionValue> =
        [("k".to_owned(), "v".into())].into_iter().collect();
    let owned = SecretAddOptions { owner: SecretOwner::Unit, ..Default::default() };
    // Results are beside the point here: only which tools ran.
    let _ = tools.config_get();
    let _ = tools.is_leader();
    let _ = tools.juju_log(LogLevel::Info, "m");
    let _ = tools.resource_get("r");
    let _ = tools.relation_ids("db");
    let _ = tools.relation_list(&id);
    let _ = tools.relation_list_app(&id);
    let _ = tools.relation_get(&id, Scope::Unit, "u/0");
    let _ = tools.relation_set(&id, Scope::App, &bag);
    let _ = tools.relation_model_get(&id);
    let _ = tools.secret_add(&content, &owned);
    let _ = tools.secret_get(SecretRef::Uri(&x), SecretRead::Tracked);
    let _ = tools.secret_set(&x, Some(&content), &SecretSetOptions::default());
    let _ = tools.secret_info_get(SecretRef::Label("l"));
    let _ = tools.secret_ids();
    let _ = tools.secret_remove(&x, None);
    let _ = tools.secret_grant(&x, &id, None);
    let _ = tools.secret_revoke(&x, RevokeFrom::Relation(&id));
    let _ = tools.status_set(Scope::App, &Status::active(""));
    let _ = tools.status_get();
    let _ = tools.application_version_set("1");
    let _ = tools.action_get();
    let _ = tools.action_set(&results);
    let _ = tools.action_fail("m");
    let _ = tools.action_log("m");
    for (_, result) in call_every_new_tool(&tools) {
        let _ = result;
    }
    fake.calls().into_iter().map(|c| c.tool).collect()
}

/// The tool names in the first column of the "Tools left out" table of `tools/mod.rs`.
fn left_out_tools() -> BTreeSet<String> {
    let doc = include_str!("../src/tools/mod.rs");
    let mut names = BTreeSet::new();
    for row in doc.lines().filter_map(|l| l.strip_prefix("//! | `")) {
        let first_column = row.split(" | ").next().unwrap();
        for name in format!("`{first_column}").split('`').skip(1).step_by(2) {
            names.insert(name.to_owned());
        }
    }
    names
}

#[test]
fn every_tool_of_juju_3_6_and_4_0_is_typed_or_left_out() {
    let typed = typed_tools();
    let left_out = left_out_tools();
    assert_eq!(left_out.len(), 12, "{left_out:?}");
    assert!(
        typed.is_disjoint(&left_out),
        "typed and left out: {:?}",
        typed.intersection(&left_out)
    );
    let registries: BTreeSet<String> =
        JUJU_3_6.iter().chain(&JUJU_4_0).map(|t| (*t).to_owned()).collect();
    let covered: BTreeSet<String> = typed.union(&left_out).cloned().collect();
    assert_eq!(covered, registries, "missing: {:?}", registries.difference(&covered));
    // Every typed tool is in 4.0; every one left out was removed in 4.0.
    let v4: BTreeSet<String> = JUJU_4_0.iter().map(|t| (*t).to_owned()).collect();
    assert_eq!(typed, v4);
    assert!(left_out.iter().all(|t| !v4.contains(t)));
}
