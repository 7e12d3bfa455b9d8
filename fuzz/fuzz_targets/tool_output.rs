//! `HookTools` parsing what a hook tool printed: a fake runner answers every call with the input
//! as stdout and exit 0.
#![no_main]

use std::io;

use juju_charm::rules::SecretUri;
use juju_charm::tools::{SecretRead, SecretRef};
use juju_charm::{CommandRunner, HookTools, RelationId, Scope, ToolOutput};
use libfuzzer_sys::fuzz_target;

struct Echo<'a>(&'a [u8]);

impl CommandRunner for Echo<'_> {
    fn run(&self, _tool: &str, _args: &[&str], _stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        Ok(ToolOutput::ok(self.0))
    }
}

fuzz_target!(|data: &[u8]| {
    let runner = Echo(data);
    let t = HookTools::new(&runner);
    let id = RelationId { endpoint: "certificates".into(), number: 3 };
    let _ = t.config_get();
    let _ = t.is_leader();
    let _ = t.relation_ids("certificates");
    let _ = t.relation_list(&id);
    let _ = t.relation_list_app(&id);
    let _ = t.relation_get(&id, Scope::Unit, "kfp-api/0");
    let _ = t.relation_get(&id, Scope::App, "kfp-api");
    let uri: SecretUri = "secret:cr1bm4s3vnv5q0u0ghcg".parse().expect("a valid URI");
    let _ = t.secret_get(SecretRef::Uri(&uri), SecretRead::Tracked);
    let _ = t.secret_get(SecretRef::Label("ca"), SecretRead::Peek);
    let _ = t.secret_info_get(SecretRef::Label("ca"));
    let _ = t.secret_ids();
    let _ = t.action_get();
    let _ = t.resource_get("oci-image");
    let _ = t.status_get();
    let _ = t.relation_model_get(&id);
});
