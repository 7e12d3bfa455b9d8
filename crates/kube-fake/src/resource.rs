//! The resources the fake serves, and where each lives in the API's URL space.
//!
//! One table drives routing, discovery, `apiVersion`/`kind` stamping and the wording of errors
//! (`secrets "x" not found` uses the plural, `Secret "x" is invalid` the kind), so adding a
//! resource is one line. The set is what the charm touches (Secrets, ServiceAccounts, webhook
//! configurations, `events.k8s.io/v1` Events) plus ConfigMaps, which cost nothing and keep the
//! fake useful for neighbours. Only `events.k8s.io` Events are served, so the kind `Event` is
//! theirs; core `v1` Events are not.

/// A resource type the fake stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resource {
    /// `kind` of a single object.
    pub(crate) kind: &'static str,
    /// The lower-case plural in URLs.
    pub(crate) plural: &'static str,
    /// API group, empty for the core group.
    pub(crate) group: &'static str,
    /// API version within the group.
    pub(crate) version: &'static str,
    /// Whether objects live in a namespace.
    pub(crate) namespaced: bool,
}

pub(crate) const RESOURCES: &[Resource] = &[
    Resource { kind: "Secret", plural: "secrets", group: "", version: "v1", namespaced: true },
    Resource {
        kind: "ConfigMap",
        plural: "configmaps",
        group: "",
        version: "v1",
        namespaced: true,
    },
    Resource {
        kind: "ServiceAccount",
        plural: "serviceaccounts",
        group: "",
        version: "v1",
        namespaced: true,
    },
    Resource {
        kind: "MutatingWebhookConfiguration",
        plural: "mutatingwebhookconfigurations",
        group: "admissionregistration.k8s.io",
        version: "v1",
        namespaced: false,
    },
    Resource {
        kind: "ValidatingWebhookConfiguration",
        plural: "validatingwebhookconfigurations",
        group: "admissionregistration.k8s.io",
        version: "v1",
        namespaced: false,
    },
    Resource {
        kind: "Event",
        plural: "events",
        group: "events.k8s.io",
        version: "v1",
        namespaced: true,
    },
];

/// The group of the TokenRequest subresource (served, but not stored).
pub(crate) const AUTHENTICATION_GROUP: &str = "authentication.k8s.io";

impl Resource {
    /// The resource whose `kind` is `kind`.
    pub(crate) fn by_kind(kind: &str) -> Option<Resource> {
        RESOURCES.iter().copied().find(|r| r.kind == kind)
    }

    /// The resource served at `/{api|apis/group}/{version}/{plural}`.
    pub(crate) fn by_path(group: &str, version: &str, plural: &str) -> Option<Resource> {
        RESOURCES
            .iter()
            .copied()
            .find(|r| r.group == group && r.version == version && r.plural == plural)
    }

    /// `apiVersion` as objects carry it: `v1` or `group/version`.
    pub(crate) fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_owned()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The `kind` of a list of these (`SecretList`).
    pub(crate) fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }

    /// Whether a PUT may create a missing object (the registry strategy's `AllowCreateOnUpdate`,
    /// true for Events in kubernetes/kubernetes `pkg/registry/core/event/strategy.go`).
    pub(crate) fn allows_create_on_update(&self) -> bool {
        self.kind == "Event"
    }

    /// The resource as an RBAC message names it, e.g. `secrets` or `serviceaccounts/token`.
    pub(crate) fn rbac_name(&self, subresource: Option<&str>) -> String {
        match subresource {
            Some(sub) => format!("{}/{sub}", self.plural),
            None => self.plural.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_both_ways() {
        let mwc = Resource::by_kind("MutatingWebhookConfiguration");
        assert_eq!(
            mwc,
            Resource::by_path(
                "admissionregistration.k8s.io",
                "v1",
                "mutatingwebhookconfigurations"
            )
        );
        assert_eq!(
            mwc.map(|r| r.api_version()).as_deref(),
            Some("admissionregistration.k8s.io/v1")
        );
        assert_eq!(
            Resource::by_path("", "v1", "secrets").map(|r| r.list_kind()),
            Some("SecretList".to_owned())
        );
        assert_eq!(Resource::by_kind("Pod"), None);
        let events = Resource::by_path("events.k8s.io", "v1", "events");
        assert_eq!(events.map(|r| r.api_version()).as_deref(), Some("events.k8s.io/v1"));
        assert_eq!(Resource::by_path("", "v1", "events"), None);
    }
}
