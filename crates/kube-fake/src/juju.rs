//! Juju's model admission webhook, as a mode of the fake ([`crate::FakeKube::set_juju_webhook`]).
//!
//! On a Kubernetes model Juju registers a mutating webhook (juju/juju
//! `internal/worker/caasadmission/admission.go`, `NewAdmissionCreator`: rules `CREATE` and
//! `UPDATE` on every group, version and resource (`*`, so not subresources) in every scope; the
//! model's namespace by `namespaceSelector`; objects without the `model.juju.is/disable-webhook`
//! label by `objectSelector`). Its handler (`handler.go`, `admissionHandler`) skips the
//! authorization reviews of `filter.go`, maps the requesting user's ServiceAccount UID to a Juju
//! application (`RBACMapper.AppNameForServiceAccount`; a user that is no application's is let
//! through untouched) and answers with the JSON patch of `patchForLabels`: `add
//! /metadata/labels {}` when the object has no labels, then for each label it wants, `replace`
//! when the object has another value and `add` when it has none. Before Juju 3.6.11 the only
//! label was `app.juju.is/created-by: <application>`; the sidecar-cleanup work of 3.6.11 (juju/juju
//! pull requests 20489 and 20774, whose description adds "model uuid and name labels") wants the
//! labels `utils.LabelsForAppCreated` gives, `app.kubernetes.io/managed-by: juju` among them, and
//! the model's `model.juju.is/name` and `model.juju.is/id` ([`JujuWebhook::with_model`]; optional
//! here, because the 3.6.11 `patchForLabels` itself could not be read, only those descriptions).
//! Juju 3.6.11 replaced any `managed-by` value ([`JujuWebhookVariant::Rewrite`], juju/juju issue
//! 21312); pull request 21477 made later releases keep a value the object already has
//! ([`JujuWebhookVariant::KeepExisting`]).
//!
//! The API server runs mutating admission after the field manager has recorded the request's
//! changes (k8s.io/apiserver `endpoints/handlers/create.go`, `update.go` and `patch.go`:
//! `FieldManager.UpdateNoErrors`/`Apply`, then `mutatingAdmission.Admit`), so the labels the
//! webhook adds or rewrites are owned by no manager in `metadata.managedFields`; the request's
//! manager keeps owning what it sent, even where the webhook changed the value. Storage then
//! writes only when the object differs from the stored one (`GuaranteedUpdate` skips an
//! identical object), so the `resourceVersion` moves only on a real change.

use serde_json::{Map, Value};

use crate::store::metadata_mut;

/// `app.juju.is/created-by` (`constants.LabelJujuAppCreatedBy`).
pub const LABEL_CREATED_BY: &str = "app.juju.is/created-by";
/// `app.kubernetes.io/managed-by` (`constants.LabelKubernetesAppManaged`).
pub const LABEL_MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// `model.juju.is/name` (`constants.LabelJujuModelName`).
pub const LABEL_MODEL_NAME: &str = "model.juju.is/name";
/// `model.juju.is/id` (`constants.LabelJujuModelUUID`).
pub const LABEL_MODEL_UUID: &str = "model.juju.is/id";
/// `model.juju.is/disable-webhook` (`constants.LabelJujuModelOperatorDisableWebhook`): objects
/// carrying it are left alone (the webhook's `objectSelector`).
pub const LABEL_DISABLE_WEBHOOK: &str = "model.juju.is/disable-webhook";

/// What Juju's webhook does to `app.kubernetes.io/managed-by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JujuWebhookVariant {
    /// Juju 3.6.11: `managed-by` is set to `juju` on every object the charm creates or updates,
    /// whatever value the charm gave it (juju/juju issue 21312).
    Rewrite,
    /// Later releases (juju/juju pull request 21477): a `managed-by` value the object already
    /// has is kept; `juju` is added only when the label is absent.
    KeepExisting,
}

/// The Juju model whose labels the webhook adds (`LabelsForModel` of label version 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JujuModel {
    /// `model.juju.is/name`.
    pub name: String,
    /// `model.juju.is/id`.
    pub uuid: String,
}

/// Juju's model admission webhook, labelling what the charm's ServiceAccount creates and updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JujuWebhook {
    /// The application the charm's ServiceAccount maps to: `app.juju.is/created-by`.
    pub app: String,
    /// How `app.kubernetes.io/managed-by` is treated.
    pub variant: JujuWebhookVariant,
    /// The model labels to add too, or `None` for only the application's labels.
    pub model: Option<JujuModel>,
}

impl JujuWebhook {
    /// The webhook of application `app` in `variant`, without model labels.
    pub fn new(app: &str, variant: JujuWebhookVariant) -> JujuWebhook {
        JujuWebhook { app: app.to_owned(), variant, model: None }
    }

    /// The same webhook, adding the labels of model `name` with UUID `uuid`.
    #[must_use]
    pub fn with_model(mut self, name: &str, uuid: &str) -> JujuWebhook {
        self.model = Some(JujuModel { name: name.to_owned(), uuid: uuid.to_owned() });
        self
    }

    /// The labels `patchForLabels` wants, in the order the fake sets them.
    fn wanted(&self, labels: &Map<String, Value>) -> Vec<(&'static str, String)> {
        let mut out = vec![(LABEL_CREATED_BY, self.app.clone())];
        let keep = self.variant == JujuWebhookVariant::KeepExisting
            && labels.get(LABEL_MANAGED_BY).is_some_and(Value::is_string);
        if !keep {
            out.push((LABEL_MANAGED_BY, "juju".to_owned()));
        }
        if let Some(model) = &self.model {
            out.push((LABEL_MODEL_NAME, model.name.clone()));
            out.push((LABEL_MODEL_UUID, model.uuid.clone()));
        }
        out
    }

    /// Applies the webhook's patch to `new`, the object about to be stored in place of `old`
    /// (`None` on create). The webhook is called unless the `objectSelector` excludes both
    /// objects (for an update it is called when either matches).
    pub(crate) fn mutate(&self, new: &mut Value, old: Option<&Value>) {
        let disabled = |o: &Value| {
            o.get("metadata")
                .and_then(|m| m.get("labels"))
                .and_then(|l| l.get(LABEL_DISABLE_WEBHOOK))
                .is_some()
        };
        if disabled(new) && old.is_none_or(disabled) {
            return;
        }
        let meta = metadata_mut(new);
        let labels = meta.entry("labels").or_insert_with(|| Value::Object(Map::new()));
        if !labels.is_object() {
            *labels = Value::Object(Map::new());
        }
        if let Value::Object(labels) = labels {
            for (key, value) in self.wanted(labels) {
                labels.insert(key.to_owned(), value.into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_variants_differ_only_on_an_existing_managed_by() {
        let mut obj =
            json!({"metadata": {"name": "s", "labels": {LABEL_MANAGED_BY: "ckf-crypto"}}});
        let keep = JujuWebhook::new("ckf-crypto", JujuWebhookVariant::KeepExisting);
        keep.mutate(&mut obj, None);
        assert_eq!(
            obj["metadata"]["labels"],
            json!({LABEL_MANAGED_BY: "ckf-crypto", LABEL_CREATED_BY: "ckf-crypto"})
        );
        let rewrite =
            JujuWebhook::new("app", JujuWebhookVariant::Rewrite).with_model("kubeflow", "u-1");
        rewrite.mutate(&mut obj, None);
        assert_eq!(
            obj["metadata"]["labels"],
            json!({
                LABEL_MANAGED_BY: "juju",
                LABEL_CREATED_BY: "app",
                LABEL_MODEL_NAME: "kubeflow",
                LABEL_MODEL_UUID: "u-1",
            })
        );
        let mut bare = json!({"metadata": {"name": "s"}});
        keep.mutate(&mut bare, None);
        assert_eq!(bare["metadata"]["labels"][LABEL_MANAGED_BY], "juju");
    }

    #[test]
    fn the_object_selector_excludes_only_what_is_disabled_before_and_after() {
        let hook = JujuWebhook::new("app", JujuWebhookVariant::Rewrite);
        let off = json!({"metadata": {"labels": {LABEL_DISABLE_WEBHOOK: "true"}}});
        let mut new = off.clone();
        hook.mutate(&mut new, None);
        assert_eq!(new, off);
        hook.mutate(&mut new, Some(&off));
        assert_eq!(new, off);
        hook.mutate(&mut new, Some(&json!({"metadata": {}})));
        assert_eq!(new["metadata"]["labels"][LABEL_CREATED_BY], "app");
    }
}
