//! The holistic reconcile that every hook runs: observe, plan, apply, then status once.
//!
//! [`observe`] reads every input (leader flag, config, the material kept in Juju secrets, the
//! `object-storage` relations and, on the leader, the Kubernetes objects the charm owns).
//! [`plan`] is pure: from what was observed and the time, it computes what the material, the
//! relation data and the Kubernetes objects should be, and the status, so most behaviour is
//! tested with assertions on a [`Plan`]. [`apply`] performs only the writes the plan asks for,
//! so a hook where nothing changed writes nothing but the status. Only the leader creates or
//! changes anything; non-leaders validate config and report `standby`.
//!
//! Failure policy: a problem the operator can fix is a blocked status and exit 0. A Kubernetes
//! error that the adapter's retries did not clear makes the hook fail (exit 1, Juju retries it)
//! when the hook created no new material; when it did, the hook exits 0 so that Juju commits the
//! new material, reports `waiting`, and the next hook delivers it.

use juju::tools::SecretContent;
use juju::{ErrorKind, Event, HookToolError, HookTools, JujuContext, RelationId, SecretString};
use time::OffsetDateTime;

use crate::certs::CertError;
use crate::config::Config;
use crate::databag::Databag;
use crate::delivery::{self, Write};
use crate::generated::{self, Change, Key};
use crate::k8s::{Kube, KubeError, SecretObject, WebhookKind};
use crate::object_storage::{self, Credentials, Standing};
use crate::random::{Entropy, EntropyError};
use crate::status::{Level, StatusReport};
use crate::webhooks::{self, Force};
use crate::{config_hash, dex, resources, sa_tokens, store, tls_provider};

/// Everything the charm reads at the start of a hook.
#[derive(Debug)]
pub struct Observed {
    /// `is-leader`
    pub leader: bool,
    /// This application's name.
    pub app_name: String,
    /// The model's name (the default namespace).
    pub model_name: String,
    /// The parsed config.
    pub config: Config,
    /// The time of this hook.
    pub now: OffsetDateTime,
    /// Content of the material Juju secret (leader only; `None` if absent).
    pub material: Option<SecretContent>,
    /// The `object-storage` relations (leader only).
    pub relations: Vec<object_storage::Relation>,
    /// The `certificates` relations (leader only).
    pub tls_relations: Vec<tls_provider::Relation>,
    /// The resource verification of this hook (leader, on the hooks that verify).
    pub verification: Option<resources::Verification>,
    /// The Kubernetes objects the charm owns (leader with a valid namespace only).
    pub kube: Option<Result<delivery::Observed, KubeError>>,
}

/// What an action asks of the reconcile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Intent {
    /// `rotate-secret`: regenerate one generated value.
    pub rotate: Option<Key>,
    /// `renew-certificates`: re-issue certificates.
    pub force: Force,
    /// `rotate-secret name=static-password`: replace the generated Dex password.
    pub rotate_dex_password: bool,
    /// `verify-resources`: verify the pinned resources now.
    pub verify_resources: bool,
}

/// What the hook should do.
#[derive(Debug)]
pub struct Plan {
    /// The material Juju secret as it should be, and what to do to it (leader only).
    pub material: Option<(Change, SecretContent)>,
    /// The generated secrets (leader only).
    pub generated: Option<generated::Desired>,
    /// The certificates (leader with valid certificate config only).
    pub certificates: Option<webhooks::Desired>,
    /// The Dex static password (leader with valid Dex config only).
    pub dex: Option<dex::Desired>,
    /// Relation data to write.
    pub relation_writes: Vec<(RelationId, Databag)>,
    /// The `certificates` relations, as they should be.
    pub tls: Vec<tls_provider::Plan>,
    /// The namespace of the Kubernetes objects, when valid.
    pub namespace: Option<String>,
    /// Kubernetes writes, when the objects could be listed.
    pub kube: Option<delivery::Plan>,
    /// Service-account tokens to request (their Secrets are written after each request).
    pub token_requests: Vec<crate::config::TokenSpec>,
    /// The salted config hash, for Secrets written during apply.
    pub config_hash: String,
    /// The status to set.
    pub report: StatusReport,
}

impl Plan {
    /// Whether this plan creates or changes material kept in Juju.
    pub fn changes_material(&self) -> bool {
        self.material.as_ref().is_some_and(|(change, _)| *change != Change::Keep)
            || !self.relation_writes.is_empty()
    }
}

/// Planning failed for a reason no retry of the inputs would fix by itself.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The OS CSPRNG failed.
    #[error(transparent)]
    Entropy(#[from] EntropyError),
    /// Relation data could not be serialised.
    #[error("cannot serialise object-storage data: {0}")]
    Yaml(#[from] serde_saphyr::ser::Error),
    /// A certificate could not be made.
    #[error(transparent)]
    Cert(#[from] CertError),
    /// The Dex material could not be made.
    #[error(transparent)]
    Dex(#[from] dex::DexError),
}

/// The status message of a non-leader unit with nothing wrong (must start with `standby`).
pub const STANDBY: &str = "standby: the leader unit manages the material";

/// The blocked message when Kubernetes refuses the charm (`contract.md` §8).
pub fn trust_message(app: &str) -> String {
    format!("Kubernetes API access denied: run 'juju trust {app} --scope=cluster'")
}

/// Reads every input.
pub fn observe(
    tools: &HookTools<'_>,
    ctx: &JujuContext,
    kube: &mut dyn Kube,
    now: OffsetDateTime,
    verify_resources: bool,
) -> Result<Observed, HookToolError> {
    let leader = tools.is_leader()?;
    let config = Config::parse(tools.config_get()?);
    let mut obs = Observed {
        leader,
        app_name: ctx.app_name.clone(),
        model_name: ctx.model_name.clone(),
        config,
        now,
        material: None,
        relations: Vec::new(),
        tls_relations: Vec::new(),
        verification: None,
        kube: None,
    };
    if leader {
        let ns = namespace(&obs).map(str::to_owned);
        let app = ctx.app_name.as_str();
        let (material, relations, tls, listed) = std::thread::scope(|s| {
            // Kubernetes is read on a second thread while the hook tools run: a hook spends
            // most of its time waiting for one or the other.
            let k8s = ns.as_deref().map(|ns| s.spawn(move || observe_kube(kube, ns, app)));
            let material = store::read(tools, store::LABEL);
            let relations = observe_relations(tools, app);
            let tls = observe_tls_relations(tools, app);
            let listed = k8s.map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(KubeError::Other("the Kubernetes reader panicked".into()))
                })
            });
            (material, relations, tls, listed)
        });
        obs.material = material?;
        obs.relations = relations?;
        obs.tls_relations = tls?;
        // Resources are fetched and verified on install, upgrade-charm, config-changed and by
        // verify-resources; the other hooks use the outcome kept in the material secret.
        let verifying_hook =
            matches!(ctx.event, Event::Install | Event::UpgradeCharm | Event::ConfigChanged);
        if let (true, Ok(pinned)) =
            (verify_resources || verifying_hook, &obs.config.resource_checksums)
        {
            obs.verification = Some(resources::verify(tools, pinned));
        }
        obs.kube = listed;
    }
    Ok(obs)
}

/// A relation that vanished since `relation-ids` answers "not found": `None`, and the caller
/// skips it.
fn unless_gone<T>(result: Result<T, HookToolError>) -> Result<Option<T>, HookToolError> {
    match result {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        other => other.map(Some),
    }
}

fn observe_tls_relations(
    tools: &HookTools<'_>,
    app: &str,
) -> Result<Vec<tls_provider::Relation>, HookToolError> {
    let mut out = Vec::new();
    'relations: for id in tools.relation_ids(tls_provider::ENDPOINT)? {
        let Some(remote_app) = unless_gone(tools.relation_list_app(&id))? else { continue };
        let Some(units) = unless_gone(tools.relation_list(&id))? else { continue };
        let members = remote_app
            .iter()
            .map(|a| (a.clone(), true))
            .chain(units.into_iter().map(|u| (u, false)));
        let mut request_bags = Vec::new();
        for (member, is_app) in members {
            let Some(bag) = unless_gone(tools.relation_get(&id, &member, is_app))? else {
                continue 'relations;
            };
            if let Some(requests) = tls_provider::requests_of(&bag) {
                request_bags.push((member, requests.clone()));
            }
        }
        let Some(local) = unless_gone(tools.relation_get(&id, app, true))? else { continue };
        out.push(tls_provider::Relation { id, remote_app, request_bags, local: Databag(local) });
    }
    Ok(out)
}

fn observe_kube(
    kube: &mut dyn Kube,
    namespace: &str,
    app: &str,
) -> Result<delivery::Observed, KubeError> {
    let mut out = delivery::Observed::default();
    for s in kube.list_secrets(namespace, &delivery::selector(app))? {
        out.secrets.insert(s.name.clone(), s);
    }
    for kind in [WebhookKind::Mutating, WebhookKind::Validating] {
        for cfg in kube.list_webhook_configs(kind)? {
            out.webhook_configs.insert((kind, cfg.name.clone()), cfg);
        }
    }
    Ok(out)
}

fn observe_relations(
    tools: &HookTools<'_>,
    app: &str,
) -> Result<Vec<object_storage::Relation>, HookToolError> {
    let mut out = Vec::new();
    for id in tools.relation_ids(object_storage::ENDPOINT)? {
        let Some(remote_app) = unless_gone(tools.relation_list_app(&id))? else { continue };
        let remote_versions = match &remote_app {
            Some(remote) => match unless_gone(tools.relation_get(&id, remote, true))? {
                Some(mut bag) => bag.remove("_supported_versions"),
                None => continue,
            },
            None => None,
        };
        let Some(local) = unless_gone(tools.relation_get(&id, app, true))? else { continue };
        out.push(object_storage::Relation {
            id,
            remote_app,
            remote_versions,
            local: Databag(local),
        });
    }
    Ok(out)
}

/// Computes what should be, from what is.
pub fn plan(obs: &Observed, intent: Intent, rng: &mut dyn Entropy) -> Result<Plan, PlanError> {
    let mut report = StatusReport::default();
    for problem in obs.config.problems() {
        report.add(Level::Blocked, problem.message.clone());
    }
    let namespace = namespace(obs).map(str::to_owned);
    if !obs.leader {
        report.add(Level::Active, STANDBY);
        return Ok(Plan {
            material: None,
            generated: None,
            certificates: None,
            dex: None,
            relation_writes: Vec::new(),
            tls: Vec::new(),
            namespace,
            kube: None,
            token_requests: Vec::new(),
            config_hash: String::new(),
            report,
        });
    }
    let config = &obs.config;
    let need_key = matches!(config.secret_key, Ok(None));
    let generated = generated::desired(obs.material.as_ref(), need_key, intent.rotate, rng)?;
    let certificates = plan_certificates(obs, namespace.as_deref(), intent.force)?;
    let dex = match (&config.static_username, &config.static_password, &config.bcrypt_cost) {
        (Ok(username), Ok(password), Ok(cost)) => {
            let p = dex::Params { username, password: password.as_ref(), cost: *cost };
            Some(dex::desired(obs.material.as_ref(), &p, intent.rotate_dex_password, rng)?)
        }
        // Bad Dex config: the hash and the Secret in place stay as they are.
        _ => None,
    };
    let mut material =
        merge_material(obs.material.as_ref(), &generated, certificates.as_ref(), dex.as_ref());
    merge_resources(&mut material, obs);
    let problems =
        material.1.get(resources::PROBLEMS_KEY).map(|p| p.expose().to_owned()).unwrap_or_default();
    for line in problems.lines() {
        report.add(Level::Blocked, line);
    }
    // Verified extra CAs join every bundle the charm writes.
    let mut certificates = certificates;
    if let (Some(certs), Some(extra)) =
        (certificates.as_mut(), material.1.get(resources::EXTRA_CA_KEY))
    {
        certs.bundle.push_str(extra.expose());
    }

    // object-storage relations.
    let secret_key = object_storage_key(config, &generated);
    let creds = match (
        &config.access_key,
        secret_key,
        &config.object_storage_service,
        &config.object_storage_port,
    ) {
        (Ok(access_key), Some(secret_key), Ok(service), Ok(port)) => {
            namespace.as_deref().map(|namespace| Credentials {
                access_key,
                secret_key,
                service,
                port: *port,
                namespace,
            })
        }
        _ => None,
    };
    let mut relation_writes = Vec::new();
    let mut incompatible = Vec::new();
    let mut served = 0usize;
    for rel in &obs.relations {
        let p = object_storage::plan(rel, creds.as_ref())?;
        match p.standing {
            Standing::Served => served += 1,
            Standing::Incompatible(app) => incompatible.push(app),
            Standing::Waiting | Standing::Held => {}
        }
        if let Some(bag) = p.write {
            relation_writes.push((rel.id.clone(), bag));
        }
    }
    if !incompatible.is_empty() {
        incompatible.sort();
        incompatible.dedup();
        report.add(
            Level::Blocked,
            format!(
                "No compatible object-storage versions found for apps: {}",
                incompatible.join(", ")
            ),
        );
    }
    if served > 0 {
        report.note(format!("object-storage: {served} served"));
    }

    // certificates relations, signed by the CA of this plan (held while its config is bad).
    let mut tls = Vec::new();
    if let (Some(certs), Ok(days), Ok(suffixes)) =
        (&certificates, &config.certificate_validity_days, &config.allowed_dns_suffixes)
    {
        let force = intent.force.renew_leaves || intent.force.rotate_ca;
        let params =
            tls_provider::Params { ca: &certs.ca, days: *days, suffixes, now: obs.now, force };
        for rel in &obs.tls_relations {
            let p = tls_provider::plan(rel, &params)?;
            if let Some(bag) = &p.write {
                relation_writes.push((rel.id.clone(), bag.clone()));
            }
            tls.push(p);
        }
        let issued: usize = tls.iter().map(|p| p.served.len()).sum();
        if issued > 0 {
            report.note(format!("certificates: {issued} issued"));
        }
    }

    // Kubernetes.
    let mut token_requests = Vec::new();
    let mut config_hash = String::new();
    let kube = match &obs.kube {
        None => None,
        Some(Err(e)) => {
            report_kube_error(&mut report, &obs.app_name, e);
            None
        }
        Some(Ok(observed)) => {
            let salt = generated.value(Key::ConfigHashSalt).cloned().unwrap_or_default();
            let hash = config_hash::config_hash(&config.raw, &salt);
            let mut secrets =
                desired_secrets(obs, &generated, certificates.as_ref(), dex.as_ref(), &hash)?;
            for spec in config.service_account_tokens.as_deref().unwrap_or_default() {
                let now = obs.now.unix_timestamp();
                match sa_tokens::plan(
                    spec,
                    observed.secrets.get(&spec.secret),
                    now,
                    &obs.app_name,
                    &hash,
                ) {
                    sa_tokens::TokenPlan::Keep(secret) => secrets.push(secret),
                    sa_tokens::TokenPlan::Request(spec) => token_requests.push(spec),
                }
            }
            config_hash = hash;
            let specs = config.webhooks.as_deref().unwrap_or_default();
            let bundle = certificates.as_ref().map(|c| c.bundle.as_bytes());
            let p = delivery::plan(observed, secrets, bundle, specs);
            if !p.pending.is_empty() {
                report.add(Level::Active, format!("caBundle pending: {}", p.pending.join(", ")));
            }
            Some(p)
        }
    };
    Ok(Plan {
        material: Some(material),
        generated: Some(generated),
        certificates,
        dex,
        relation_writes,
        tls,
        namespace,
        kube,
        token_requests,
        config_hash,
        report,
    })
}

/// The material secret's new content: what is stored, with each area's keys replaced by what
/// that area wants. An area that is held (bad config) keeps its stored keys untouched.
/// Records this hook's resource verification in the material secret's content.
fn merge_resources(material: &mut (Change, SecretContent), obs: &Observed) {
    let Some(v) = &obs.verification else { return };
    let (change, content) = material;
    let before = content.clone();
    let problems = v.problems().join("\n");
    if problems.is_empty() {
        content.remove(resources::PROBLEMS_KEY);
    } else {
        content.insert(resources::PROBLEMS_KEY.into(), SecretString::new(problems));
    }
    let pinned =
        obs.config.resource_checksums.as_ref().is_ok_and(|p| p.contains_key(resources::EXTRA_CA));
    match (&v.extra_ca, pinned) {
        (Some(extra), _) => {
            content.insert(resources::EXTRA_CA_KEY.into(), SecretString::new(extra.clone()));
        }
        // No longer pinned: not used any more.
        (None, false) => {
            content.remove(resources::EXTRA_CA_KEY);
        }
        // Pinned but failed: the last verified bundle stays.
        (None, true) => {}
    }
    if *content != before && *change == Change::Keep {
        *change = Change::Update;
    }
}

fn merge_material(
    stored: Option<&SecretContent>,
    generated: &generated::Desired,
    certificates: Option<&webhooks::Desired>,
    dex: Option<&dex::Desired>,
) -> (Change, SecretContent) {
    let mut content = stored.cloned().unwrap_or_default();
    content.retain(|k, _| !Key::ALL.iter().any(|o| o.as_str() == k));
    content.extend(generated.content.iter().map(|(k, v)| (k.clone(), v.clone())));
    if let Some(certs) = certificates {
        content.retain(|k, _| !webhooks::is_own_key(k));
        content.extend(certs.content.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    if let Some(d) = dex {
        content.retain(|k, _| !dex::is_own_key(k));
        content.extend(d.content.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let change = match stored {
        None => Change::Create,
        Some(old) if *old == content => Change::Keep,
        Some(_) => Change::Update,
    };
    (change, content)
}

fn plan_certificates(
    obs: &Observed,
    namespace: Option<&str>,
    force: Force,
) -> Result<Option<webhooks::Desired>, CertError> {
    let c = &obs.config;
    let (Ok(specs), Ok(cn), Ok(ca_days), Ok(leaf_days), Ok(alg), Some(namespace)) = (
        &c.webhooks,
        &c.ca_common_name,
        &c.ca_validity_days,
        &c.certificate_validity_days,
        &c.key_algorithm,
        namespace,
    ) else {
        // Bad certificate config: keep what is in place, untouched.
        return Ok(None);
    };
    let params = webhooks::Params {
        ca_common_name: cn,
        ca_validity_days: *ca_days,
        certificate_validity_days: *leaf_days,
        key_algorithm: *alg,
        namespace,
    };
    webhooks::desired(obs.material.as_ref(), specs, &params, obs.now, force).map(Some)
}

/// The Secrets the charm delivers, for every area whose inputs are valid.
fn desired_secrets(
    obs: &Observed,
    generated: &generated::Desired,
    certificates: Option<&webhooks::Desired>,
    dex: Option<&dex::Desired>,
    hash: &str,
) -> Result<Vec<SecretObject>, dex::DexError> {
    let config = &obs.config;
    let app = obs.app_name.as_str();
    let mut out = Vec::new();
    if let (Ok(access_key), Some(secret_key)) =
        (&config.access_key, object_storage_key(config, generated))
    {
        // The values leave their redacting types here: they are the Secret's content.
        let data = vec![
            ("accesskey", access_key.as_bytes()),
            ("secretkey", secret_key.expose().as_bytes()),
        ];
        out.push(delivery::secret("mlpipeline-minio-artifact", "Opaque", data, app, hash));
    }
    if let (Ok(client_id), Some(client_secret)) =
        (&config.oidc_client_id, generated.value(Key::OidcClientSecret))
    {
        let data = vec![
            ("CLIENT_ID", client_id.as_bytes()),
            ("CLIENT_SECRET", client_secret.expose().as_bytes()),
        ];
        out.push(delivery::secret("oidc-authservice-client", "Opaque", data, app, hash));
    }
    if let Some(certs) = certificates {
        for leaf in &certs.leaves {
            let data = vec![
                ("tls.crt", leaf.issued.cert_pem.as_bytes()),
                ("tls.key", leaf.issued.key_pem.expose().as_bytes()),
                ("ca.crt", certs.bundle.as_bytes()),
            ];
            out.push(delivery::secret(&leaf.spec.secret, "kubernetes.io/tls", data, app, hash));
        }
    }
    if let (Some(d), Ok(username)) = (dex, &config.static_username) {
        let yaml = zeroize::Zeroizing::new(dex::static_passwords_yaml(username, d)?);
        out.push(delivery::secret(
            dex::SECRET,
            "Opaque",
            vec![(dex::SECRET_KEY, yaml.as_bytes())],
            app,
            hash,
        ));
    }
    Ok(out)
}

fn report_kube_error(report: &mut StatusReport, app: &str, e: &KubeError) {
    match e {
        KubeError::Forbidden(_) => report.add(Level::Blocked, trust_message(app)),
        KubeError::Unavailable(why) => {
            report.add(Level::Waiting, format!("Kubernetes API unavailable: {why}"))
        }
        KubeError::NotFound(why) => {
            report.add(Level::Waiting, format!("Kubernetes object not found: {why}"))
        }
        KubeError::Transient(_) | KubeError::Other(_) => {
            report.add(Level::Waiting, "Kubernetes API error; retrying on the next hook")
        }
    }
}

/// The object-storage secret key: config when set and valid, else the generated one.
pub fn object_storage_key<'a>(
    config: &'a Config,
    generated: &'a generated::Desired,
) -> Option<&'a SecretString> {
    match &config.secret_key {
        Ok(Some(key)) => Some(key),
        Ok(None) => generated.value(Key::SecretKey),
        Err(_) => None,
    }
}

/// The namespace: the `namespace` option when set, else the model's name.
pub fn namespace(obs: &Observed) -> Option<&str> {
    match &obs.config.namespace {
        Ok(Some(ns)) => Some(ns),
        Ok(None) => Some(&obs.model_name),
        Err(_) => None,
    }
}

/// Why a hook must fail after its status is set.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A hook tool failed.
    #[error(transparent)]
    Tool(#[from] HookToolError),
    /// Kubernetes failed and nothing new needs committing: fail so Juju retries soon.
    #[error(transparent)]
    Kube(#[from] KubeError),
}

/// Performs the writes of `plan`, then sets the unit status once.
pub fn apply(
    tools: &HookTools<'_>,
    kube: &mut dyn Kube,
    obs: &Observed,
    plan: &mut Plan,
) -> Result<(), ApplyError> {
    if let Some((change, content)) = &plan.material {
        write_secret(tools, store::LABEL, store::DESCRIPTION, change, content)?;
    }
    if let Some(certs) = &plan.certificates {
        if certs.ca_rotated {
            log::info!("issued a new CA '{}'", obs.config.ca_common_name.as_deref().unwrap_or("?"));
        }
        let fresh: Vec<&str> =
            certs.leaves.iter().filter(|l| l.fresh).map(|l| l.spec.name.as_str()).collect();
        if !fresh.is_empty() {
            log::info!("issued webhook certificates for {}", fresh.join(", "));
        }
    }
    if let Some(d) = plan.dex.as_ref().filter(|d| d.hashed) {
        log::info!("hashed the Dex static password (bcrypt cost {})", &d.hash[4..6]);
    }
    for p in &plan.tls {
        for r in &p.refused {
            log::warn!("refused a certificate request on relation {}: {}", p.id, r.message);
        }
        for owner in &p.malformed {
            log::warn!(
                "the certificate requests of {owner} on relation {} are not valid JSON",
                p.id
            );
        }
        if p.signed > 0 {
            log::info!("signed {} certificate(s) on relation {}", p.signed, p.id);
        }
    }
    for (id, bag) in &plan.relation_writes {
        tools.relation_set(id, true, &bag.0)?;
        log::info!("updated the application data on relation {id}");
    }
    let mut failure = obs.kube.as_ref().and_then(|k| k.as_ref().err().cloned());
    if let (Some(kp), Some(ns)) = (&plan.kube, &plan.namespace) {
        // One log line per kind of write, not per object: each juju-log is a process.
        let (mut bundles, mut secrets) = (Vec::new(), Vec::new());
        for write in &kp.writes {
            let done = match write {
                Write::CaBundle { kind, name, webhooks } => {
                    let bundle =
                        plan.certificates.as_ref().map(|c| c.bundle.as_bytes()).unwrap_or_default();
                    kube.apply_ca_bundle(*kind, name, webhooks, bundle)
                        .map(|()| bundles.push(name.as_str()))
                }
                Write::Secret(s) => {
                    kube.apply_secret(ns, s).map(|()| secrets.push(s.name.as_str()))
                }
            };
            if let Err(e) = done {
                report_kube_error(&mut plan.report, &obs.app_name, &e);
                failure = Some(e);
                break;
            }
        }
        if failure.is_none() {
            for spec in &plan.token_requests {
                match request_token(kube, ns, spec, obs, &plan.config_hash) {
                    Ok(()) => log::info!(
                        "requested a token for ServiceAccount {ns}/{}",
                        spec.service_account
                    ),
                    // A missing ServiceAccount waits for whoever creates it; the others go on.
                    Err(KubeError::NotFound(_)) => plan.report.add(
                        Level::Waiting,
                        format!(
                            "ServiceAccount '{}' not found; retrying on the next hook",
                            spec.service_account
                        ),
                    ),
                    Err(e) => {
                        report_kube_error(&mut plan.report, &obs.app_name, &e);
                        failure = Some(e);
                        break;
                    }
                }
            }
        }
        if !bundles.is_empty() {
            log::info!("set caBundle on {}", bundles.join(", "));
        }
        if !secrets.is_empty() {
            log::info!("applied Secrets {} in {ns}", secrets.join(", "));
        }
    }
    set_status(tools, &plan.report)?;
    match failure {
        Some(e @ (KubeError::Transient(_) | KubeError::Other(_))) if !plan.changes_material() => {
            Err(e.into())
        }
        Some(e) => {
            log::warn!("Kubernetes delivery incomplete: {e}");
            Ok(())
        }
        None => Ok(()),
    }
}

/// Requests a token and writes its Secret.
fn request_token(
    kube: &mut dyn Kube,
    namespace: &str,
    spec: &crate::config::TokenSpec,
    obs: &Observed,
    config_hash: &str,
) -> Result<(), KubeError> {
    let issued = obs.now.unix_timestamp();
    let token = kube.request_token(
        namespace,
        &spec.service_account,
        &spec.audience,
        spec.expiration_seconds,
    )?;
    // The token leaves its redacting type here: it is the Secret's content.
    let secret = sa_tokens::secret(
        spec,
        token.token.expose().as_bytes(),
        issued,
        token.expires_unix,
        &obs.app_name,
        config_hash,
    );
    kube.apply_secret(namespace, &secret)
}

fn write_secret(
    tools: &HookTools<'_>,
    label: &str,
    description: &str,
    change: &Change,
    content: &SecretContent,
) -> Result<(), HookToolError> {
    match change {
        Change::Keep => {}
        Change::Create => {
            store::create(tools, label, description, content)?;
            log::info!("created the Juju secret '{label}'");
        }
        Change::Update => {
            store::update(tools, label, content)?;
            log::info!("updated the Juju secret '{label}'");
        }
    }
    Ok(())
}

/// Sets the unit status from `report`, logging every problem when there are several.
pub fn set_status(tools: &HookTools<'_>, report: &StatusReport) -> Result<(), HookToolError> {
    let (level, message) = report.resolve();
    let problems: Vec<_> = report.problems().iter().filter(|p| p.level > Level::Active).collect();
    if problems.len() > 1 {
        for p in problems {
            log::warn!("{:?}: {}", p.level, p.message);
        }
    }
    tools.status_set(level.status_name(), &message, false)
}

/// Observes, plans and applies: the whole reconcile of a hook (and of the actions that change
/// material).
pub fn run(
    tools: &HookTools<'_>,
    ctx: &JujuContext,
    kube: &mut dyn Kube,
    now: OffsetDateTime,
    intent: Intent,
    rng: &mut dyn Entropy,
) -> anyhow::Result<(Observed, Plan)> {
    let obs = observe(tools, ctx, kube, now, intent.verify_resources)?;
    let mut plan = plan(&obs, intent, rng)?;
    apply(tools, kube, &obs, &mut plan)?;
    Ok((obs, plan))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::WebhookConfig;
    use crate::random::OsEntropy;
    use serde_json::{Value, json};

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time")
    }

    fn observed(leader: bool, config: Value, relations: Vec<object_storage::Relation>) -> Observed {
        let Value::Object(mut raw) = config else { panic!("object") };
        // Small and fast keys for planning tests.
        raw.entry("key-algorithm").or_insert(json!("ecdsa-p256"));
        raw.entry("bcrypt-cost").or_insert(json!(10));
        Observed {
            leader,
            app_name: "ckf-crypto".into(),
            model_name: "kubeflow".into(),
            config: Config::parse(raw),
            now: now(),
            material: None,
            relations,
            tls_relations: Vec::new(),
            verification: None,
            kube: leader.then(|| Ok(delivery::Observed::default())),
        }
    }

    fn v1_relation(n: u64, app: &str) -> object_storage::Relation {
        object_storage::Relation {
            id: RelationId { endpoint: "object-storage".into(), number: n },
            remote_app: Some(app.into()),
            remote_versions: Some("- v1\n".into()),
            local: Databag::default(),
        }
    }

    fn secret_names(p: &Plan) -> Vec<String> {
        p.kube
            .as_ref()
            .map(|k| {
                k.writes
                    .iter()
                    .filter_map(|w| match w {
                        Write::Secret(s) => Some(s.name.clone()),
                        Write::CaBundle { .. } => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn non_leader_plans_no_writes_and_reports_standby() {
        let p = plan(&observed(false, json!({}), vec![]), Intent::default(), &mut OsEntropy)
            .expect("plan");
        assert!(p.generated.is_none() && p.certificates.is_none() && p.relation_writes.is_empty());
        assert!(p.kube.is_none());
        let (level, msg) = p.report.resolve();
        assert_eq!(level, Level::Active);
        assert!(msg.starts_with("standby"));
    }

    #[test]
    fn non_leader_still_validates_config() {
        let p = plan(
            &observed(false, json!({"secret-key": "short"}), vec![]),
            Intent::default(),
            &mut OsEntropy,
        )
        .expect("plan");
        assert_eq!(
            p.report.resolve(),
            (
                Level::Blocked,
                "The 'secret-key' config value must be at least 8 characters long.".into()
            )
        );
    }

    #[test]
    fn fresh_leader_creates_everything_and_delivers_it() {
        let p = plan(
            &observed(true, json!({}), vec![v1_relation(1, "kfp-api")]),
            Intent::default(),
            &mut OsEntropy,
        )
        .expect("plan");
        assert_eq!(p.generated.as_ref().map(|g| &g.change), Some(&Change::Create));
        let certs = p.certificates.as_ref().expect("certificates");
        assert_eq!(certs.change, Change::Create);
        assert_eq!(certs.leaves.len(), 4);
        assert_eq!(p.relation_writes.len(), 1);
        assert_eq!(
            secret_names(&p),
            [
                "mlpipeline-minio-artifact",
                "oidc-authservice-client",
                "admission-webhook-webhook-tls",
                "katib-controller-webhook-tls",
                "kserve-controller-webhook-tls",
                "pvcviewer-operator-webhook-tls",
                "dex-static-passwords"
            ]
        );
        let (level, msg) = p.report.resolve();
        assert_eq!(level, Level::Active);
        assert!(msg.starts_with("caBundle pending: admission-webhook, "), "{msg}");
    }

    #[test]
    fn short_secret_key_holds_relations_but_not_other_material() {
        let mut rel = v1_relation(1, "kfp-api");
        rel.local = Databag([("data".to_string(), "old".to_string())].into_iter().collect());
        let p = plan(
            &observed(true, json!({"secret-key": "short"}), vec![rel]),
            Intent::default(),
            &mut OsEntropy,
        )
        .expect("plan");
        assert!(p.relation_writes.is_empty(), "relation data must stay as it is");
        assert!(
            !secret_names(&p).contains(&"mlpipeline-minio-artifact".to_owned()),
            "its Secret stays too"
        );
        let g = p.generated.as_ref().expect("generated");
        assert!(g.value(Key::OidcClientSecret).is_some(), "the OIDC area keeps working");
        assert!(p.certificates.is_some(), "and the certificates");
        assert_eq!(p.report.resolve().0, Level::Blocked);
    }

    #[test]
    fn bad_webhooks_hold_the_certificates() {
        let p = plan(
            &observed(true, json!({"webhooks": "- {name: x}"}), vec![]),
            Intent::default(),
            &mut OsEntropy,
        )
        .expect("plan");
        assert!(p.certificates.is_none());
        assert!(secret_names(&p).iter().all(|n| !n.ends_with("-webhook-tls")));
        assert!(p.report.resolve().1.starts_with("Invalid 'webhooks' config:"));
    }

    #[test]
    fn forbidden_kubernetes_blocks_with_the_trust_message_and_the_rest_goes_on() {
        let mut obs = observed(true, json!({}), vec![v1_relation(1, "kfp-api")]);
        obs.kube = Some(Err(KubeError::Forbidden("secrets is forbidden".into())));
        let p = plan(&obs, Intent::default(), &mut OsEntropy).expect("plan");
        assert_eq!(
            p.report.resolve(),
            (
                Level::Blocked,
                "Kubernetes API access denied: run 'juju trust ckf-crypto --scope=cluster'".into()
            )
        );
        assert_eq!(p.relation_writes.len(), 1);
        assert!(p.generated.is_some() && p.kube.is_none());
    }

    #[test]
    fn a_second_hook_on_the_result_of_the_first_changes_nothing() {
        let mut obs = observed(true, json!({}), vec![]);
        let first = plan(&obs, Intent::default(), &mut OsEntropy).expect("plan");
        obs.material = first.material.as_ref().map(|(_, c)| c.clone());
        let mut k8s = delivery::Observed::default();
        for w in &first.kube.as_ref().expect("kube").writes {
            if let Write::Secret(s) = w {
                k8s.secrets.insert(s.name.clone(), s.clone());
            }
        }
        let bundle = first.certificates.as_ref().expect("certs").bundle.clone().into_bytes();
        for (kind, name) in [
            (WebhookKind::Mutating, "admission-webhook"),
            (WebhookKind::Validating, "katib.kubeflow.org"),
        ] {
            let webhooks = vec![("w".to_owned(), Some(bundle.clone()))];
            k8s.webhook_configs
                .insert((kind, name.into()), WebhookConfig { kind, name: name.into(), webhooks });
        }
        obs.kube = Some(Ok(k8s));
        let second = plan(&obs, Intent::default(), &mut OsEntropy).expect("plan");
        assert_eq!(second.generated.as_ref().map(|g| &g.change), Some(&Change::Keep));
        assert_eq!(second.certificates.as_ref().map(|c| &c.change), Some(&Change::Keep));
        assert_eq!(second.kube.as_ref().map(|k| k.writes.len()), Some(0));
        assert_eq!(second.material.as_ref().map(|(c, _)| c), Some(&Change::Keep));
        assert!(!second.changes_material());
    }

    #[test]
    fn incompatible_requirers_are_named_sorted() {
        let mut a = v1_relation(1, "zeta");
        a.remote_versions = Some("- v2\n".into());
        let mut b = v1_relation(2, "argo-controller");
        b.remote_versions = Some("- v0\n".into());
        let p = plan(
            &observed(true, json!({}), vec![a, b, v1_relation(3, "kfp")]),
            Intent::default(),
            &mut OsEntropy,
        )
        .expect("plan");
        assert_eq!(
            p.report.resolve(),
            (
                Level::Blocked,
                "No compatible object-storage versions found for apps: argo-controller, zeta"
                    .into()
            )
        );
        assert_eq!(p.relation_writes.len(), 1, "the compatible one is still served");
    }

    #[test]
    fn namespace_option_overrides_the_model() {
        let obs = observed(true, json!({"namespace": "other"}), vec![]);
        assert_eq!(namespace(&obs), Some("other"));
        let obs = observed(true, json!({}), vec![]);
        assert_eq!(namespace(&obs), Some("kubeflow"));
    }
}
