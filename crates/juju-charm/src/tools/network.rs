//! Networking: `network-get`.

use serde::Deserialize;

use super::{HookTools, Result, null_as_default, parse_json};
use crate::environment::RelationId;

/// What `network-get --format=json` prints for a binding (juju/juju `jujuc/network-get.go`,
/// `networkInfoResultDisplay`, the same in 3.6 and 4.0). Juju leaves out an empty list; every
/// field defaults to empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct Network {
    /// The unit's interfaces in the binding's space, with their addresses: where to listen.
    #[serde(default, deserialize_with = "null_as_default")]
    pub bind_addresses: Vec<BindAddress>,
    /// Subnets (CIDR) that traffic from this unit comes from, as the remote side sees it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub egress_subnets: Vec<String>,
    /// Addresses (IPs or host names) other units should use to reach this one, best first.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ingress_addresses: Vec<String>,
}

impl Network {
    /// The address to advertise, as `network-get --ingress-address` picks it: the first ingress
    /// address, else the first address of the first bind address.
    pub fn ingress_address(&self) -> Option<&str> {
        self.ingress_addresses.first().map(String::as_str).or_else(|| {
            let first = self.bind_addresses.first()?.addresses.first()?;
            Some(first.value.as_str())
        })
    }
}

/// One network interface of a [`Network`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct BindAddress {
    /// The interface's MAC address (may be empty, as on Kubernetes).
    #[serde(default, deserialize_with = "null_as_default")]
    pub mac_address: String,
    /// The interface's name (`eth0`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub interface_name: String,
    /// Its addresses.
    #[serde(default, deserialize_with = "null_as_default")]
    pub addresses: Vec<Address>,
}

/// One address of a [`BindAddress`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct Address {
    /// The host name the address was resolved from, or empty.
    #[serde(default, deserialize_with = "null_as_default")]
    pub hostname: String,
    /// The address: an IP, or a host name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub value: String,
    /// The subnet it is in, in CIDR form (`10.0.0.0/24`), or empty.
    #[serde(default, deserialize_with = "null_as_default")]
    pub cidr: String,
}

impl HookTools<'_> {
    /// `network-get --format=json [-r <relation>] <binding>`: the network of `binding` (an
    /// endpoint, or an `extra-bindings` name), for `relation` if given (a cross-model relation
    /// may have other ingress addresses and egress subnets).
    ///
    /// Juju fails with `no network config found for binding` for an unknown binding. Since Juju
    /// 4.0 nothing keeps `private-address` in relation data: publish
    /// [`Network::ingress_address`] instead.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), juju_charm::HookToolError> {
    /// use juju_charm::{HookTools, ProcessRunner};
    ///
    /// let tools = HookTools::new(&ProcessRunner);
    /// let network = tools.network_get("website", None)?;
    /// let address = network.ingress_address().unwrap_or("localhost");
    /// # let _ = address;
    /// # Ok(())
    /// # }
    /// ```
    pub fn network_get(&self, binding: &str, relation: Option<&RelationId>) -> Result<Network> {
        let tool = "network-get";
        let relation = relation.map(RelationId::to_string);
        let mut args = vec!["--format=json"];
        if let Some(id) = &relation {
            args.extend(["-r", id.as_str()]);
        }
        args.push(binding);
        let out = self.run(tool, &args, None)?;
        let network: Option<Network> = parse_json(tool, &out, "a JSON object with bind-addresses")?;
        Ok(network.unwrap_or_default())
    }
}
