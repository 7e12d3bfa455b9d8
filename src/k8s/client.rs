//! [`Kube`] over kube-rs, with the async kept inside.
//!
//! The client is built on first use (a non-leader hook never connects) from the hook's
//! environment: `KUBECONFIG` when set (the tests point it at a fake API server), otherwise the
//! in-cluster service account that a Juju sidecar pod mounts. `HOME` is never consulted. A
//! current-thread tokio runtime drives each request to completion. Transient failures (5xx, 429,
//! timeouts, connection errors) are retried twice with a short backoff before being reported;
//! refusals (4xx) are reported at once, with the API server's message.

use std::time::Duration;

use k8s_openapi::ByteString;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use super::listed;
use super::{
    FIELD_MANAGER, IssuedToken, Kube, KubeError, SecretObject, WebhookConfig, WebhookKind,
};

/// Where the client comes from and how long it waits.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `KUBECONFIG` from the hook environment, if set.
    pub kubeconfig: Option<String>,
    /// Connect/read/write timeout (default 10 s).
    pub timeout: Option<Duration>,
}

/// The kube-rs adapter.
pub struct KubeClient {
    settings: Settings,
    conn: Option<(tokio::runtime::Runtime, Client)>,
}

impl KubeClient {
    /// An adapter that connects on first use.
    pub fn new(settings: Settings) -> Self {
        Self { settings, conn: None }
    }

    fn connect(&mut self) -> Result<&(tokio::runtime::Runtime, Client), KubeError> {
        if self.conn.is_none() {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| KubeError::Other(format!("cannot start the async runtime: {e}")))?;
            let settings = self.settings.clone();
            let client = rt.block_on(async move {
                let mut cfg = load_config(&settings).await?;
                let timeout = settings.timeout.unwrap_or(Duration::from_secs(10));
                cfg.connect_timeout = Some(timeout);
                cfg.read_timeout = Some(timeout);
                cfg.write_timeout = Some(timeout);
                // One retry policy, ours (in `call`), instead of kube's own retries of
                // 429/503/504, which would stack up to 15 attempts under ours.
                cfg.default_retry = false;
                Client::try_from(cfg).map_err(|e| KubeError::Unavailable(e.to_string()))
            })?;
            self.conn = Some((rt, client));
        }
        self.conn.as_ref().ok_or_else(|| KubeError::Other("no connection".into()))
    }

    /// Lists `url_path` into `T`s that read only what the charm compares ([`listed`]).
    fn list<T: serde::de::DeserializeOwned>(
        &mut self,
        url_path: &str,
        lp: &ListParams,
    ) -> Result<Vec<T>, KubeError> {
        let list = self.call(|c| {
            let request = kube::core::Request::new(url_path).list(lp);
            async move {
                c.request::<listed::List<T>>(request.map_err(kube::Error::BuildRequest)?).await
            }
        })?;
        Ok(list.items())
    }

    /// Server-side applies `body` to the webhook configuration `name`.
    fn apply_config<K: WebhookResource>(
        &mut self,
        name: &str,
        body: &serde_json::Value,
        force: bool,
    ) -> Result<(), KubeError> {
        let pp = PatchParams { force, ..PatchParams::apply(FIELD_MANAGER) };
        self.call(|c| {
            let pp = &pp;
            async move { Api::<K>::all(c).patch(name, pp, &Patch::Apply(body)).await }
        })?;
        Ok(())
    }

    /// Runs `op` once, for what is best effort (Events): no retry, no wait.
    fn call_once<T, F, Fut>(&mut self, op: F) -> Result<T, KubeError>
    where
        F: FnOnce(Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, kube::Error>>,
    {
        let (rt, client) = self.connect()?;
        rt.block_on(op(client.clone())).map_err(classify)
    }

    /// Runs `op` with retries of transient failures.
    fn call<T, F, Fut>(&mut self, op: F) -> Result<T, KubeError>
    where
        F: Fn(Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, kube::Error>>,
    {
        let (rt, client) = self.connect()?;
        let mut delay = Duration::from_millis(200);
        let mut attempt = 1;
        loop {
            match rt.block_on(op(client.clone())).map_err(classify) {
                Err(KubeError::Transient(why)) if attempt < 3 => {
                    log::warn!(
                        "Kubernetes API request failed (attempt {attempt} of 3), retrying: {why}"
                    );
                    std::thread::sleep(delay);
                    delay *= 4;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

async fn load_config(settings: &Settings) -> Result<Config, KubeError> {
    match settings.kubeconfig.as_deref().filter(|p| !p.is_empty()) {
        Some(path) => {
            let kc =
                Kubeconfig::read_from(path).map_err(|e| KubeError::Unavailable(e.to_string()))?;
            Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
                .await
                .map_err(|e| KubeError::Unavailable(e.to_string()))
        }
        None => Config::incluster().map_err(|e| KubeError::Unavailable(e.to_string())),
    }
}

/// Classifies a kube-rs error once.
fn classify(e: kube::Error) -> KubeError {
    match &e {
        kube::Error::Api(status) => {
            let msg = status.message.clone();
            match status.code {
                403 => KubeError::Forbidden(msg),
                404 => KubeError::NotFound(msg),
                429 | 500..=599 => KubeError::Transient(format!("{msg} ({})", status.code)),
                code @ 400..=499 => KubeError::Refused { code, message: msg },
                code => KubeError::Other(format!("{msg} ({code})")),
            }
        }
        kube::Error::HyperError(_) | kube::Error::Service(_) => KubeError::Transient(e.to_string()),
        // serde_json's message can quote the response, and a response can hold Secret data.
        kube::Error::SerdeError(_) => {
            KubeError::Other("the API server's response does not parse".into())
        }
        _ => KubeError::Other(e.to_string()),
    }
}

/// The two webhook configuration kinds, which differ only in their webhook type.
trait WebhookResource:
    kube::Resource<DynamicType = ()>
    + Clone
    + serde::de::DeserializeOwned
    + std::fmt::Debug
    + Send
    + 'static
{
}

impl WebhookResource for MutatingWebhookConfiguration {}
impl WebhookResource for ValidatingWebhookConfiguration {}

fn to_secret(namespace: &str, o: &SecretObject) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(o.name.clone()),
            namespace: Some(namespace.to_owned()),
            labels: Some(o.labels.clone()),
            annotations: Some(o.annotations.clone()),
            ..ObjectMeta::default()
        },
        type_: Some(o.type_.clone()),
        // The bytes leave the zeroizing container here: the API request needs them.
        data: Some(o.data.iter().map(|(k, v)| (k.clone(), ByteString(v.to_vec()))).collect()),
        ..Secret::default()
    }
}

impl Kube for KubeClient {
    fn list_secrets(
        &mut self,
        namespace: &str,
        label_selector: &str,
    ) -> Result<Vec<SecretObject>, KubeError> {
        let lp = ListParams::default().labels(label_selector);
        let path = <Secret as kube::Resource>::url_path(&(), Some(namespace));
        let listed: Vec<listed::Secret> = self.list(&path, &lp)?;
        Ok(listed.into_iter().map(SecretObject::from).collect())
    }

    fn get_secret(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<SecretObject>, KubeError> {
        let path = <Secret as kube::Resource>::url_path(&(), Some(namespace));
        let found =
            self.call(|c| {
                let request = kube::core::Request::new(&path).get(name, &Default::default());
                async move {
                    c.request::<listed::Secret>(request.map_err(kube::Error::BuildRequest)?).await
                }
            });
        match found {
            Ok(secret) => Ok(Some(secret.into())),
            Err(KubeError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn delete_secret(&mut self, namespace: &str, name: &str) -> Result<(), KubeError> {
        let dp = DeleteParams::default();
        let deleted = self.call(|c| {
            let dp = &dp;
            async move { Api::<Secret>::namespaced(c, namespace).delete(name, dp).await }
        });
        match deleted {
            Ok(_) | Err(KubeError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn apply_secret(&mut self, namespace: &str, secret: &SecretObject) -> Result<(), KubeError> {
        let body = to_secret(namespace, secret);
        let pp = PatchParams::apply(FIELD_MANAGER).force();
        self.call(|c| {
            let (body, pp) = (&body, &pp);
            async move {
                Api::<Secret>::namespaced(c, namespace)
                    .patch(&secret.name, pp, &Patch::Apply(body))
                    .await
            }
        })?;
        Ok(())
    }

    fn list_webhook_configs(&mut self, kind: WebhookKind) -> Result<Vec<WebhookConfig>, KubeError> {
        let path = match kind {
            WebhookKind::Mutating => {
                <MutatingWebhookConfiguration as kube::Resource>::url_path(&(), None)
            }
            WebhookKind::Validating => {
                <ValidatingWebhookConfiguration as kube::Resource>::url_path(&(), None)
            }
        };
        let listed: Vec<listed::Config> = self.list(&path, &ListParams::default())?;
        Ok(listed.into_iter().map(|c| c.into_config(kind)).collect())
    }

    fn apply_ca_bundle(
        &mut self,
        kind: WebhookKind,
        name: &str,
        webhooks: &[String],
        bundle: &[u8],
        force: bool,
    ) -> Result<(), KubeError> {
        use base64::Engine;
        // A partial object as JSON: the typed webhook structs would also send their required
        // lists (admissionReviewVersions, ...) empty, and apply would take them over.
        let ca = base64::engine::general_purpose::STANDARD.encode(bundle);
        let body = serde_json::json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": kind.kind(),
            "metadata": {"name": name},
            "webhooks": webhooks
                .iter()
                .map(|w| serde_json::json!({"name": w, "clientConfig": {"caBundle": ca}}))
                .collect::<Vec<_>>(),
        });
        match kind {
            WebhookKind::Mutating => {
                self.apply_config::<MutatingWebhookConfiguration>(name, &body, force)
            }
            WebhookKind::Validating => {
                self.apply_config::<ValidatingWebhookConfiguration>(name, &body, force)
            }
        }
    }

    fn request_token(
        &mut self,
        namespace: &str,
        service_account: &str,
        audience: &str,
        expiration_seconds: u32,
    ) -> Result<IssuedToken, KubeError> {
        use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
        use k8s_openapi::api::core::v1::ServiceAccount;
        let request = TokenRequest {
            spec: TokenRequestSpec {
                audiences: vec![audience.to_owned()],
                expiration_seconds: Some(i64::from(expiration_seconds)),
                ..TokenRequestSpec::default()
            },
            ..TokenRequest::default()
        };
        let out = self.call(|c| {
            let request = &request;
            async move {
                Api::<ServiceAccount>::namespaced(c, namespace)
                    .create_token_request(service_account, &PostParams::default(), request)
                    .await
            }
        })?;
        let status =
            out.status.ok_or_else(|| KubeError::Other("TokenRequest without status".into()))?;
        Ok(IssuedToken {
            token: juju_charm::SecretString::new(status.token),
            expires_unix: status.expiration_timestamp.0.as_second(),
        })
    }

    fn create_event(&mut self, namespace: &str, body: &serde_json::Value) -> Result<(), KubeError> {
        let event: Event = serde_json::from_value(body.clone())
            .map_err(|e| KubeError::Other(format!("an Event that does not serialise: {e}")))?;
        self.call_once(|c| {
            let event = &event;
            async move {
                Api::<Event>::namespaced(c, namespace).create(&PostParams::default(), event).await
            }
        })?;
        Ok(())
    }

    fn event_series(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Option<i64>>, KubeError> {
        let found = self.call_once(|c| async move {
            Api::<Event>::namespaced(c, namespace).get_opt(name).await
        })?;
        Ok(found.map(|e| e.series.map(|s| i64::from(s.count))))
    }

    fn patch_event(
        &mut self,
        namespace: &str,
        name: &str,
        patch: &serde_json::Value,
    ) -> Result<(), KubeError> {
        let pp = PatchParams::default();
        self.call_once(|c| {
            let pp = &pp;
            async move {
                Api::<Event>::namespaced(c, namespace).patch(name, pp, &Patch::Merge(patch)).await
            }
        })?;
        Ok(())
    }
}
