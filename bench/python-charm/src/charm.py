#!/usr/bin/env python3
"""Benchmark counterpart of ckf-crypto: the same install work with the ops framework.

install: a self-signed CA and one leaf certificate (RSA-2048 keys, cryptography), a bcrypt
(cost 12) hash of `static-password` with a kept salt, a 30-character secret from `secrets`,
all in one application-owned Juju secret; ActiveStatus.
config-changed / update-status: read the secret (nothing regenerated), re-hash only if the
password changed, ActiveStatus. A hook with nothing changed runs no bcrypt, like ckf-crypto.

`cryptography` and `bcrypt` are imported only where used, so the no-op hook pays for Python
and ops alone (the comparison's most favourable case for Python).
"""

import datetime
import hashlib
import secrets
import string

import ops

LABEL = "bench-crypto"


def _digest(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def _hash(password: str, salt: str) -> str:
    import bcrypt

    return bcrypt.hashpw(password.encode(), salt.encode()).decode()


def _certificates() -> dict:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def pem_key(key) -> str:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    def pem_cert(cert) -> str:
        return cert.public_bytes(serialization.Encoding.PEM).decode()

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench-ca")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    dns = "bench-python-charm.kubeflow.svc"
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns)]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return {
        "ca-cert": pem_cert(ca),
        "ca-key": pem_key(ca_key),
        "cert": pem_cert(leaf),
        "key": pem_key(leaf_key),
    }


class BenchCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.config_changed, self._on_refresh)
        framework.observe(self.on.update_status, self._on_refresh)

    def _on_install(self, _event: ops.InstallEvent):
        if not self.unit.is_leader():
            self.unit.status = ops.WaitingStatus("waiting for leadership")
            return
        try:
            self.model.get_secret(label=LABEL)
        except ops.SecretNotFoundError:
            import bcrypt

            password = str(self.config["static-password"])
            salt = bcrypt.gensalt(rounds=12).decode()
            content = _certificates()
            content["password-salt"] = salt
            content["password-hash"] = _hash(password, salt)
            content["password-digest"] = _digest(password)
            alphabet = string.ascii_uppercase + string.digits
            content["secret-key"] = "".join(secrets.choice(alphabet) for _ in range(30))
            self.app.add_secret(content, label=LABEL)
        self.unit.status = ops.ActiveStatus()

    def _on_refresh(self, _event: ops.EventBase):
        try:
            secret = self.model.get_secret(label=LABEL)
        except ops.SecretNotFoundError:
            self.unit.status = ops.WaitingStatus("waiting for install")
            return
        content = secret.get_content()
        password = str(self.config["static-password"])
        if self.unit.is_leader() and content.get("password-digest") != _digest(password):
            content["password-hash"] = _hash(password, content["password-salt"])
            content["password-digest"] = _digest(password)
            secret.set_content(content)
        self.unit.status = ops.ActiveStatus()


if __name__ == "__main__":
    ops.main(BenchCharm)
