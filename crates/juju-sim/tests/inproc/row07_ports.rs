//! Row 7: ports — open/close buffered, opened-ports shows committed ports only.

use juju_sim::Event;
use serde_json::json;

use crate::common::{run, state};

#[test]
fn row7_ports_pending_not_shown_then_committed() {
    let mut st = state();
    run(&mut st, 0, &Event::Start, |h| {
        assert_eq!(h.ok("open-port", &["443"]), "");
        h.ok("open-port", &["8000-8999/UDP"]);
        h.ok("open-port", &["icmp"]);
        assert_eq!(h.ok("opened-ports", &["--format=json"]), "[]\n");
        0
    });
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        assert_eq!(
            h.json("opened-ports", &["--format=json"]),
            json!(["icmp", "443/tcp", "8000-8999/udp"])
        );
        assert_eq!(
            h.json("opened-ports", &["--format=json", "--endpoints"])[1],
            json!("443/tcp (*)")
        );
        h.ok("close-port", &["443/tcp"]);
        0
    });
    run(&mut st, 0, &Event::UpdateStatus, |h| {
        assert_eq!(h.json("opened-ports", &["--format=json"]), json!(["icmp", "8000-8999/udp"]));
        let bad = h.run("open-port", &["http"]);
        assert_eq!(bad.code, 2);
        h.ok("open-port", &["80"]);
        1
    });
    assert!(!st.units[&0].ports.contains("80/tcp"), "a failed hook discards open-port");
}
