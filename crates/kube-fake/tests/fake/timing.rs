//! How long a request takes on loopback once the connection is up (not a pass/fail test).

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};

use super::{NS, client, secret};

#[tokio::test]
#[ignore = "timing probe: cargo test --release -p kube-fake --test tests -- --ignored --nocapture"]
async fn round_trip_time() {
    let kube = super::start();
    let api: Api<Secret> = Api::namespaced(client(&kube).await, NS);
    let pp = PatchParams::apply("ckf-crypto").force();
    api.patch("s", &pp, &Patch::Apply(&secret("s", &[], &[("k", "v")]))).await.expect("warm up");
    for (what, n) in [("GET", 500), ("PATCH (no-op apply)", 500)] {
        let mut times: Vec<Duration> = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            if what == "GET" {
                api.get("s").await.expect("get");
            } else {
                api.patch("s", &pp, &Patch::Apply(&secret("s", &[], &[("k", "v")])))
                    .await
                    .expect("apply");
            }
            times.push(t.elapsed());
        }
        times.sort();
        let mean = times.iter().sum::<Duration>() / u32::try_from(n).expect("small");
        println!(
            "{what}: n={n} median={:?} p99={:?} mean={mean:?}",
            times[n / 2],
            times[n * 99 / 100]
        );
    }
}
