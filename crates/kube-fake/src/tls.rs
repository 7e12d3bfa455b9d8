//! The fake's TLS identity: a fresh self-signed CA and a server certificate it signs.
//!
//! kube-rs verifies the server against `certificate-authority-data` with webpki, which refuses a CA
//! certificate presented as the end entity, so the server needs a CA *and* a leaf, not one
//! self-signed certificate. The leaf names `127.0.0.1` (IP SAN) and `localhost` (DNS SAN), which is
//! all a loopback client can ask for. Each server gets its own pair, so no test trusts another's.

use std::io;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// What a started server needs: the rustls configuration, and the CA to hand to clients.
pub(crate) struct Identity {
    pub(crate) server_config: Arc<ServerConfig>,
    pub(crate) ca_pem: String,
}

/// Generates the CA and the server certificate and builds a rustls server configuration on ring.
pub(crate) fn generate() -> io::Result<Identity> {
    let ca_key = KeyPair::generate().map_err(other)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    ca_params.distinguished_name.push(DnType::CommonName, "kube-fake CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(other)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate().map_err(other)?;
    let mut leaf_params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .map_err(other)?;
    leaf_params.distinguished_name.push(DnType::CommonName, "kube-apiserver");
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    leaf_params.key_usages =
        vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer).map_err(other)?;

    let chain = vec![
        CertificateDer::from(leaf_cert.der().to_vec()),
        CertificateDer::from(ca_cert.der().to_vec()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    // An explicit provider, so the fake works whatever process-wide provider is (or isn't) set.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(other)?;
    Ok(Identity { server_config: Arc::new(server_config), ca_pem: ca_cert.pem() })
}

fn other(e: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::other(e)
}
