//! `events.k8s.io/v1` Events: served, recorded and faulted like the other kinds, and validated as
//! kube-apiserver validates them (kubernetes/kubernetes `pkg/apis/core/validation/events.go`).

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::{Event, EventSeries};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube_fake::Fault;
use serde_json::json;

use super::{NS, api_status, client, client_with, rv, start};

const PATH: &str = "/apis/events.k8s.io/v1/namespaces/kubeflow/events";
const USER: &str = "system:serviceaccount:kubeflow:ckf-crypto";

fn at(text: &str) -> MicroTime {
    MicroTime(text.parse::<Timestamp>().expect("a timestamp"))
}

/// An Event as client-go's events recorder makes one (`tools/events`, `makeEvent`): named after
/// the object it regards, in its namespace, with `eventTime` and the reporting fields.
fn event(name: &str) -> Event {
    Event {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some([("app".to_owned(), "ckf-crypto".to_owned())].into()),
            ..ObjectMeta::default()
        },
        regarding: Some(ObjectReference {
            api_version: Some("v1".into()),
            kind: Some("Secret".into()),
            name: Some("dex-static-passwords".into()),
            namespace: Some(NS.into()),
            ..ObjectReference::default()
        }),
        event_time: Some(at("2025-06-01T12:00:00.123456Z")),
        reporting_controller: Some("charms.canonical.com/ckf-crypto".into()),
        reporting_instance: Some("ckf-crypto-0".into()),
        action: Some("Rotate".into()),
        reason: Some("CertificateRotated".into()),
        note: Some("rotated the webhook certificate".into()),
        type_: Some("Normal".into()),
        ..Event::default()
    }
}

#[tokio::test]
async fn events_are_created_read_listed_patched_and_deleted() {
    let kube = start();
    let client = client(&kube).await;
    let api: Api<Event> = Api::namespaced(client.clone(), NS);
    let pp = PostParams::default();

    let created = api.create(&pp, &event("dex.1")).await.expect("create");
    assert_eq!(created.metadata.namespace.as_deref(), Some(NS));
    assert!(created.metadata.uid.is_some());
    assert_eq!(created.event_time, Some(at("2025-06-01T12:00:00.123456Z")));
    api.create(&pp, &event("dex.2")).await.expect("create");
    let stored = kube.events(NS);
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0]["apiVersion"], "events.k8s.io/v1");
    assert_eq!(stored[0]["reason"], "CertificateRotated");
    assert_eq!(stored[0]["regarding"]["name"], "dex-static-passwords");
    assert!(kube.events("other").is_empty());

    let got = api.get("dex.1").await.expect("get");
    assert_eq!(got.note.as_deref(), Some("rotated the webhook certificate"));
    let names = |list: kube::api::ObjectList<Event>| -> Vec<String> {
        list.items.into_iter().filter_map(|e| e.metadata.name).collect()
    };
    let by_name = ListParams::default().fields("metadata.name=dex.2");
    assert_eq!(names(api.list(&by_name).await.expect("list")), ["dex.2"]);
    let by_label = ListParams::default().labels("app=ckf-crypto");
    assert_eq!(names(api.list(&by_label).await.expect("list")), ["dex.1", "dex.2"]);

    // client-go's recorder counts a repeated event by patching its series.
    let series = json!({"series": {"count": 2, "lastObservedTime": "2025-06-01T12:05:00.000000Z"}});
    let patched = api
        .patch("dex.1", &PatchParams::default(), &Patch::Merge(&series))
        .await
        .expect("merge patch");
    assert_eq!(patched.series.as_ref().map(|s| s.count), Some(2));
    assert!(rv(&patched.metadata) > rv(&created.metadata));
    let again = json!({"series": {"count": 3, "lastObservedTime": "2025-06-01T12:06:00.000000Z"}});
    let patched = api
        .patch("dex.1", &PatchParams::default(), &Patch::Strategic(&again))
        .await
        .expect("strategic merge patch");
    assert_eq!(patched.series.as_ref().map(|s| s.count), Some(3));

    let mut replaced = patched.clone();
    replaced.series =
        Some(EventSeries { count: 4, last_observed_time: at("2025-06-01T12:07:00Z") });
    let replaced = api.replace("dex.1", &pp, &replaced).await.expect("replace");
    assert_eq!(replaced.series.map(|s| s.count), Some(4));

    let ssa = PatchParams::apply("ckf-crypto").force();
    let applied = api.patch("dex.3", &ssa, &Patch::Apply(&event("dex.3"))).await.expect("apply");
    assert_eq!(applied.reason.as_deref(), Some("CertificateRotated"));

    api.delete("dex.2", &DeleteParams::default()).await.expect("delete");
    assert_eq!(api.get_opt("dex.2").await.expect("get_opt"), None);
    let gone = api_status(api.get("dex.2").await);
    assert_eq!(gone.message, "events.events.k8s.io \"dex.2\" not found");

    let writes: Vec<(String, String, u16)> =
        kube.writes().into_iter().map(|w| (w.method, w.path, w.status)).collect();
    let object = |n: &str| format!("{PATH}/{n}");
    assert_eq!(
        writes,
        [
            ("POST".to_owned(), PATH.to_owned(), 201),
            ("POST".to_owned(), PATH.to_owned(), 201),
            ("PATCH".to_owned(), object("dex.1"), 200),
            ("PATCH".to_owned(), object("dex.1"), 200),
            ("PUT".to_owned(), object("dex.1"), 200),
            ("PATCH".to_owned(), object("dex.3"), 201),
            ("DELETE".to_owned(), object("dex.2"), 200),
        ]
    );

    let groups = client.list_api_groups().await.expect("groups");
    assert!(groups.groups.iter().any(|g| g.name == "events.k8s.io"));
    let resources = client.list_api_group_resources("events.k8s.io/v1").await.expect("resources");
    assert!(resources.resources.iter().any(|r| r.name == "events" && r.namespaced));
}

/// Events' storage strategy allows create on update (kubernetes/kubernetes
/// `pkg/registry/core/event/strategy.go`, `AllowCreateOnUpdate`), so a PUT of a missing Event
/// creates it.
#[tokio::test]
async fn a_put_creates_a_missing_event() {
    let kube = start();
    let api: Api<Event> = Api::namespaced(client(&kube).await, NS);
    let created = api.replace("dex.1", &PostParams::default(), &event("dex.1")).await.expect("put");
    assert!(created.metadata.uid.is_some());
    let statuses: Vec<u16> = kube.writes().iter().map(|w| w.status).collect();
    assert_eq!(statuses, [201]);
}

/// `ValidateEventCreate` for `events.k8s.io/v1`: the errors name the fields of the internal core
/// Event (`involvedObject`, `count`) and the 422 is about `Event` of the core group, as
/// kube-apiserver's shared event storage reports it.
#[tokio::test]
async fn an_invalid_event_is_refused_with_the_api_servers_causes() {
    let kube = start();
    let api: Api<Event> = Api::namespaced(client(&kube).await, NS);
    let mut bad = event("dex.1");
    bad.reporting_controller = None;
    bad.type_ = Some("Info".into());
    bad.deprecated_count = Some(3);
    if let Some(r) = bad.regarding.as_mut() {
        r.namespace = Some("elsewhere".into());
    }

    let status = api_status(api.create(&PostParams::default(), &bad).await);
    assert_eq!((status.code, status.reason.as_str()), (422, "Invalid"));
    assert!(
        status.message.starts_with(
            "Event \"dex.1\" is invalid: [reportingController: Required value, \
             reportingController: Invalid value: \"\": name part must be non-empty, "
        ),
        "{}",
        status.message
    );
    assert!(
        status.message.ends_with(
            "type: Invalid value: \"\": has invalid value: Info, count: Invalid value: \"\": \
             needs to be unset]"
        ),
        "{}",
        status.message
    );
    let details = status.details.expect("details");
    assert_eq!((details.kind.as_str(), details.group.as_str()), ("Event", ""));
    assert_eq!(details.name, "dex.1");
    let causes: Vec<(&str, &str)> =
        details.causes.iter().map(|c| (c.reason.as_str(), c.field.as_str())).collect();
    assert_eq!(
        causes,
        [
            ("FieldValueRequired", "reportingController"),
            ("FieldValueInvalid", "reportingController"),
            ("FieldValueInvalid", "reportingController"),
            ("FieldValueInvalid", "type"),
            ("FieldValueInvalid", "count"),
        ]
    );
    assert!(kube.events(NS).is_empty());

    let mut no_time = event("dex.2");
    no_time.event_time = None;
    let status = api_status(api.create(&PostParams::default(), &no_time).await);
    assert_eq!(status.message, "Event \"dex.2\" is invalid: eventTime: Required value");
}

/// `ValidateEventUpdate` for `events.k8s.io/v1`: everything but the series is immutable, and a
/// changed series must still have a count of at least 2 and a `lastObservedTime`.
#[tokio::test]
async fn an_events_fields_are_immutable_but_its_series_is_not() {
    let kube = start();
    let api: Api<Event> = Api::namespaced(client(&kube).await, NS);
    api.create(&PostParams::default(), &event("dex.1")).await.expect("create");
    let pp = PatchParams::default();

    let note = api_status(api.patch("dex.1", &pp, &Patch::Merge(json!({"note": "other"}))).await);
    assert_eq!(note.code, 422);
    assert_eq!(
        note.message,
        "Event \"dex.1\" is invalid: message: Invalid value: \"other\": field is immutable"
    );
    let reason =
        api_status(api.patch("dex.1", &pp, &Patch::Merge(json!({"reason": "Again"}))).await);
    assert_eq!(
        reason.message,
        "Event \"dex.1\" is invalid: reason: Invalid value: \"Again\": field is immutable"
    );
    assert_eq!(reason.details.expect("details").causes.len(), 2, "reason is checked twice");
    let series =
        api_status(api.patch("dex.1", &pp, &Patch::Merge(json!({"series": {"count": 1}}))).await);
    assert_eq!(
        series.message,
        "Event \"dex.1\" is invalid: [series.count: Invalid value: \"\": should be at least 2, \
         series.lastObservedTime: Required value]"
    );
    let time = api_status(
        api.patch("dex.1", &pp, &Patch::Merge(json!({"eventTime": "2025-06-01T13:00:00.000000Z"})))
            .await,
    );
    assert_eq!(
        time.message,
        "Event \"dex.1\" is invalid: eventTime: Invalid value: 2025-06-01 13:00:00 +0000 UTC: \
         field is immutable"
    );
    assert_eq!(kube.events(NS)[0]["note"], "rotated the webhook certificate");
}

/// Faults match Events by verb, resource `events` and name, like any other resource.
#[tokio::test]
async fn faults_refuse_events_too() {
    let kube = start();
    let client = client_with(&kube, |c| c.default_retry = false).await;
    let api: Api<Event> = Api::namespaced(client, NS);
    kube.set_faults(vec![Fault::Forbid {
        verb: Some("create".into()),
        resource: Some("events".into()),
        name: None,
    }]);
    let status = api_status(api.create(&PostParams::default(), &event("dex.1")).await);
    assert_eq!((status.code, status.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        status.message,
        format!(
            "events.events.k8s.io is forbidden: User \"{USER}\" cannot create resource \"events\" \
             in API group \"events.k8s.io\" in the namespace \"kubeflow\""
        )
    );
    let put = api_status(api.replace("dex.1", &PostParams::default(), &event("dex.1")).await);
    assert_eq!(
        (put.code, put.message.as_str()),
        (403, "events.events.k8s.io \"dex.1\" is forbidden: ")
    );
    assert!(kube.events(NS).is_empty());

    kube.set_faults(vec![Fault::StatusOnce { nth: 1, method: Some("POST".into()), status: 500 }]);
    let failed = api_status(api.create(&PostParams::default(), &event("dex.1")).await);
    assert_eq!(failed.code, 500);
    api.create(&PostParams::default(), &event("dex.1")).await.expect("the next one passes");
    let statuses: Vec<u16> = kube.writes().iter().map(|w| w.status).collect();
    assert_eq!(statuses, [403, 403, 500, 201]);
}
