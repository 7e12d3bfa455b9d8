#!/usr/bin/env python3
"""The real tls-certificates v4 requirer (PyPI `charmlibs-interfaces-tls-certificates`), run
under `ops.testing` (Scenario), to check what ckf-crypto writes as the provider.

Subcommands (JSON on stdin, JSON on stdout):

* `request [--mode unit|app]`: a requirer charm (istio-pilot/0, leader) sees its `certificates`
  relation to `ckf-crypto` being created; the library generates its private key (a Juju
  secret) and writes its CSR. Input: none (stdin is ignored). Output:
  `{"state": {...}, "unit_databag": {...}, "app_databag": {...}}`, the databags as the library
  wrote them (Scenario's default `*-address`/`egress-subnets` keys left out).
* `accept`: input `{"state": <from request or accept>, "provider_app_databag": {...}}`; the
  same requirer (same key secret, same databags) sees `relation-changed` with that provider
  application databag. Output: `certificate_available` (the library emitted
  CertificateAvailableEvent), `certificates` (PEMs in the certificate secrets the library
  keeps), `errors` (ERROR/CRITICAL log lines and any exception), `warnings`, `denied`
  (CertificateDeniedEvent: `{csr, error}`), `available` (each CertificateAvailableEvent:
  `{certificate, certificate_signing_request, ca, chain}`), `chain_verified` plus
  `verify_errors` (this script's own check, which the library does not make: every
  available certificate is issued by the next entry of its `chain` == [certificate, ..., ca],
  and the server
  verifier of `cryptography` accepts it for the requested DNS name), the requirer's databags
  after the hook, and the new `state`.
* `provide`: input `{"state": ..., "error": null | {code, name, message, ...}}`; the library's
  own provider (`TLSCertificatesProvidesV4`) signs the requirer's CSRs with a fresh CA, or
  reports the error for them. Output: `{"provider_app_databag": {...}, "ca": PEM}`, the golden
  provider databag as the Python provider writes it.
* `selftest [--mode unit|app]`: request, then accept against provider databags made in Python:
  good ones must give a certificate, mismatched or broken ones must not. Output
  `{"ok": bool, "cases": [...]}`; exit status 1 unless ok.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
import traceback
from typing import Any

import ops
from charmlibs.interfaces.tls_certificates import (
    Certificate,
    CertificateAvailableEvent,
    CertificateDeniedEvent,
    CertificateError,
    CertificateRequestAttributes,
    CertificateSigningRequest,
    Mode,
    PrivateKey,
    ProviderCertificate,
    ProviderCertificateError,
    TLSCertificatesProvidesV4,
    TLSCertificatesRequiresV4,
    chain_has_valid_order,
)
from cryptography import x509
from cryptography.x509 import verification
from ops import testing

COMMON_NAME = "istio-ingressgateway.kubeflow.svc"
SANS_DNS = frozenset({COMMON_NAME})
ENDPOINT = "certificates"
INTERFACE = "tls-certificates"
REQUIRER_APP = "istio-pilot"
PROVIDER_APP = "ckf-crypto"
RELATION_ID = 3
# The library's id, the prefix of its secret labels.
LIBID = "afd8c2bccf834997afce12c2706d2ede"
# Keys Scenario puts in every unit databag (Juju does too); not written by the library.
JUJU_DEFAULT_KEYS = frozenset({"egress-subnets", "ingress-address", "private-address"})

REQUIRER_META = {
    "name": REQUIRER_APP,
    "requires": {ENDPOINT: {"interface": INTERFACE, "limit": 1}},
}
PROVIDER_META = {
    "name": PROVIDER_APP,
    "provides": {ENDPOINT: {"interface": INTERFACE}},
}

# Set before each run; read by the charms (Scenario instantiates them itself).
MODE: Mode = Mode.UNIT
AVAILABLE: list[CertificateAvailableEvent] = []
DENIED: list[CertificateDeniedEvent] = []
# Provider plan for `provide`: (ca, ca_key, error or None).
PROVIDER_PLAN: dict[str, Any] = {}


def certificate_request() -> CertificateRequestAttributes:
    return CertificateRequestAttributes(common_name=COMMON_NAME, sans_dns=SANS_DNS)


class RequirerCharm(ops.CharmBase):
    """A minimal requirer: one certificate for the ingress gateway."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.certificates = TLSCertificatesRequiresV4(
            self,
            ENDPOINT,
            certificate_requests=[certificate_request()],
            mode=MODE,
        )
        framework.observe(self.certificates.on.certificate_available, self._on_available)
        framework.observe(self.certificates.on.certificate_denied, self._on_denied)

    def _on_available(self, event: CertificateAvailableEvent):
        AVAILABLE.append(event)

    def _on_denied(self, event: CertificateDeniedEvent):
        DENIED.append(event)


class ProviderCharm(ops.CharmBase):
    """The library's provider, signing every outstanding request (or refusing it)."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.certificates = TLSCertificatesProvidesV4(self, ENDPOINT)
        framework.observe(self.on[ENDPOINT].relation_changed, self._on_changed)

    def _on_changed(self, _: ops.EventBase):
        ca: Certificate = PROVIDER_PLAN["ca"]
        ca_key: PrivateKey = PROVIDER_PLAN["ca_key"]
        error = PROVIDER_PLAN.get("error")
        for request in self.certificates.get_outstanding_certificate_requests():
            if error is not None:
                self.certificates.set_relation_error(
                    ProviderCertificateError(
                        relation_id=request.relation_id,
                        certificate_signing_request=request.certificate_signing_request,
                        error=CertificateError(**error),
                    )
                )
                continue
            cert = request.certificate_signing_request.sign(
                ca=ca, ca_private_key=ca_key, validity=datetime.timedelta(days=90)
            )
            self.certificates.set_relation_certificate(
                ProviderCertificate(
                    relation_id=request.relation_id,
                    certificate=cert,
                    certificate_signing_request=request.certificate_signing_request,
                    ca=ca,
                    chain=[cert, ca],
                )
            )


# ---------------------------------------------------------------------------------------------
# State (de)serialisation


def parse_mode(name: str) -> Mode:
    return {"unit": Mode.UNIT, "app": Mode.APP}[name]


def secret_to_json(secret: testing.Secret) -> dict[str, Any]:
    return {
        "id": secret.id,
        "label": secret.label,
        "owner": secret.owner,
        "tracked_content": dict(secret.tracked_content),
        "latest_content": dict(secret.latest_content),
        "expire": secret.expire.isoformat() if secret.expire else None,
    }


def secret_from_json(data: dict[str, Any]) -> testing.Secret:
    expire = data.get("expire")
    return testing.Secret(
        data["tracked_content"],
        latest_content=data.get("latest_content"),
        id=data["id"],
        owner=data.get("owner"),
        label=data.get("label"),
        expire=datetime.datetime.fromisoformat(expire) if expire else None,
    )


def library_keys(bag: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in bag.items() if k not in JUJU_DEFAULT_KEYS}


def requirer_context() -> testing.Context:
    return testing.Context(RequirerCharm, meta=REQUIRER_META, app_name=REQUIRER_APP, unit_id=0)


def requirer_relation(
    unit_databag: dict[str, str], app_databag: dict[str, str], provider_app: dict[str, str]
) -> testing.Relation:
    return testing.Relation(
        endpoint=ENDPOINT,
        interface=INTERFACE,
        id=RELATION_ID,
        remote_app_name=PROVIDER_APP,
        local_unit_data={**testing.Relation(ENDPOINT).local_unit_data, **unit_databag},
        local_app_data=dict(app_databag),
        remote_app_data=dict(provider_app),
        remote_units_data={0: {}},
    )


def snapshot(mode: str, out: testing.State) -> dict[str, Any]:
    rel = out.get_relation(RELATION_ID)
    return {
        "mode": mode,
        "relation_id": RELATION_ID,
        "secrets": [secret_to_json(s) for s in sorted(out.secrets, key=lambda s: s.id)],
        "unit_databag": library_keys(dict(rel.local_unit_data)),
        "app_databag": dict(rel.local_app_data),
    }


def collect_logs(ctx: testing.Context) -> tuple[list[str], list[str]]:
    lines = [(line.level, f"{line.level}: {line.message}") for line in ctx.juju_log]
    errors = [text for level, text in lines if level in ("ERROR", "CRITICAL")]
    warnings = [text for level, text in lines if level == "WARNING"]
    return errors, warnings


# ---------------------------------------------------------------------------------------------
# Subcommands


def request(mode: str) -> dict[str, Any]:
    global MODE
    MODE = parse_mode(mode)
    AVAILABLE.clear()
    DENIED.clear()
    ctx = requirer_context()
    rel = requirer_relation({}, {}, {})
    out = ctx.run(ctx.on.relation_created(rel), testing.State(relations={rel}, leader=True))
    state = snapshot(mode, out)
    errors, _ = collect_logs(ctx)
    if errors:
        raise RuntimeError(f"the requirer logged errors: {errors}")
    return {
        "state": state,
        "unit_databag": state["unit_databag"],
        "app_databag": state["app_databag"],
    }


def verify_available(event: CertificateAvailableEvent, private_key: str | None) -> list[str]:
    """What the library does not check: the chain, the issuer, the name, the key."""
    problems: list[str] = []
    leaf = x509.load_pem_x509_certificate(str(event.certificate).encode())
    ca = x509.load_pem_x509_certificate(str(event.ca).encode())
    chain = [str(c) for c in event.chain]
    # [certificate, issuing CA, ..., ca]: two entries for a self-signed issuer, more under an
    # operator's intermediate.
    if len(chain) < 2 or chain[0] != str(event.certificate) or chain[-1] != str(event.ca):
        problems.append(f"chain is not [certificate, ..., ca] ({len(chain)} entries)")
    if not chain_has_valid_order(chain):
        problems.append("chain order is not valid (each entry issued by the next)")
    parsed = [x509.load_pem_x509_certificate(c.encode()) for c in chain]
    issuer = parsed[1] if len(parsed) > 1 else ca
    try:
        leaf.verify_directly_issued_by(issuer)
    except Exception as e:  # noqa: BLE001
        problems.append(f"certificate is not issued by the chain's next entry: {e!r}")
    try:
        store = verification.Store([ca])
        verifier = verification.PolicyBuilder().store(store).build_server_verifier(
            x509.DNSName(COMMON_NAME)
        )
        verifier.verify(leaf, parsed[1:-1])
    except Exception as e:  # noqa: BLE001
        problems.append(f"server verification for {COMMON_NAME} failed: {e!r}")
    if private_key is not None and not event.certificate.matches_private_key(
        PrivateKey.from_string(private_key)
    ):
        problems.append("certificate does not match the requirer's private key")
    if event.certificate.common_name != COMMON_NAME:
        problems.append(f"common name is {event.certificate.common_name!r}")
    if event.certificate.sans_dns != set(SANS_DNS):
        problems.append(f"DNS SANs are {event.certificate.sans_dns!r}")
    return problems


def accept(state: dict[str, Any], provider_app_databag: dict[str, str]) -> dict[str, Any]:
    global MODE
    mode = state["mode"]
    MODE = parse_mode(mode)
    AVAILABLE.clear()
    DENIED.clear()
    ctx = requirer_context()
    rel = requirer_relation(state["unit_databag"], state["app_databag"], provider_app_databag)
    secrets = {secret_from_json(s) for s in state["secrets"]}
    before = testing.State(relations={rel}, secrets=secrets, leader=True)
    errors: list[str] = []
    out: testing.State | None = None
    try:
        out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), before)
    except Exception as e:  # noqa: BLE001
        cause = e.__cause__ or e
        errors.append(
            "exception: " + "".join(traceback.format_exception_only(type(cause), cause)).strip()
        )
    log_errors, warnings = collect_logs(ctx)
    errors = log_errors + errors

    key_label = f"{LIBID}-private-key-{'0' if mode == 'unit' else 'app'}-{ENDPOINT}"
    private_key = next(
        (
            s["tracked_content"].get("private-key")
            for s in state["secrets"]
            if s["label"] == key_label
        ),
        None,
    )
    verify_errors: list[str] = []
    for event in AVAILABLE:
        verify_errors.extend(verify_available(event, private_key))

    result: dict[str, Any] = {
        "certificate_available": bool(AVAILABLE),
        "certificates": [],
        "errors": errors,
        "warnings": warnings,
        "available": [
            {
                "certificate": str(e.certificate),
                "certificate_signing_request": str(e.certificate_signing_request),
                "ca": str(e.ca),
                "chain": [str(c) for c in e.chain],
            }
            for e in AVAILABLE
        ],
        "denied": [
            {
                "csr": str(e.certificate_signing_request),
                "error": e.error.model_dump(exclude_none=True),
            }
            for e in DENIED
        ],
        "chain_verified": bool(AVAILABLE) and not verify_errors,
        "verify_errors": verify_errors,
    }
    if out is not None:
        new_state = snapshot(mode, out)
        result["state"] = new_state
        result["unit_databag"] = new_state["unit_databag"]
        result["app_databag"] = new_state["app_databag"]
        result["certificates"] = [
            s["tracked_content"]["certificate"]
            for s in new_state["secrets"]
            if (s["label"] or "").startswith(f"{LIBID}-certificate")
            and "certificate" in s["tracked_content"]
        ]
    else:
        result["state"] = state
        result["unit_databag"] = state["unit_databag"]
        result["app_databag"] = state["app_databag"]
    return result


def new_ca(common_name: str = "ckf-crypto-selftest-ca") -> tuple[Certificate, PrivateKey]:
    key = PrivateKey.generate()
    ca = Certificate.generate_self_signed_ca(
        CertificateRequestAttributes(common_name=common_name), key, datetime.timedelta(days=365)
    )
    return ca, key


def provide(
    state: dict[str, Any],
    error: dict[str, Any] | None = None,
    ca: tuple[Certificate, PrivateKey] | None = None,
) -> dict[str, Any]:
    ca_cert, ca_key = ca or new_ca()
    PROVIDER_PLAN.clear()
    PROVIDER_PLAN.update(ca=ca_cert, ca_key=ca_key, error=error)
    ctx = testing.Context(ProviderCharm, meta=PROVIDER_META, app_name=PROVIDER_APP, unit_id=0)
    rel = testing.Relation(
        endpoint=ENDPOINT,
        interface=INTERFACE,
        id=RELATION_ID,
        remote_app_name=REQUIRER_APP,
        remote_app_data=dict(state["app_databag"]),
        remote_units_data={
            0: {**testing.Relation(ENDPOINT).local_unit_data, **state["unit_databag"]}
        },
    )
    out = ctx.run(
        ctx.on.relation_changed(rel, remote_unit=0), testing.State(relations={rel}, leader=True)
    )
    return {
        "provider_app_databag": dict(out.get_relation(RELATION_ID).local_app_data),
        "ca": str(ca_cert),
    }


# ---------------------------------------------------------------------------------------------
# Self-test


def requested_csr(req: dict[str, Any]) -> str:
    bag = req["app_databag"] if req["state"]["mode"] == "app" else req["unit_databag"]
    return json.loads(bag["certificate_signing_requests"])[0]["certificate_signing_request"]


def databag(entries: list[dict[str, Any]]) -> dict[str, str]:
    return {"certificates": json.dumps(entries)}


def entry(cert: Certificate, csr: str, ca: Certificate, chain: list[Certificate]) -> dict[str, Any]:
    return {
        "ca": str(ca),
        "certificate_signing_request": csr,
        "certificate": str(cert),
        "chain": [str(c) for c in chain],
    }


def selftest(mode: str) -> dict[str, Any]:
    cases: list[dict[str, Any]] = []

    def case(name: str, res: dict[str, Any], **expect: Any) -> None:
        got = {k: res[k] for k in expect}
        passed = got == expect
        cases.append({"case": name, "passed": passed, "expected": expect, "got": got,
                      "errors": res["errors"], "verify_errors": res["verify_errors"]})

    t0 = time.monotonic()
    req = request(mode)
    request_seconds = time.monotonic() - t0
    state = req["state"]
    csr_pem = requested_csr(req)
    csr = CertificateSigningRequest.from_string(csr_pem)
    ca, ca_key = new_ca()
    leaf = csr.sign(ca=ca, ca_private_key=ca_key, validity=datetime.timedelta(days=90))

    # The shape the library's requirer wrote.
    bag = req["app_databag"] if mode == "app" else req["unit_databag"]
    other = req["unit_databag"] if mode == "app" else req["app_databag"]
    requests = json.loads(bag["certificate_signing_requests"])
    shape_ok = (
        set(bag) == {"certificate_signing_requests"}
        and "certificate_signing_requests" not in other
        and len(requests) == 1
        and requests[0] == {"certificate_signing_request": csr_pem, "ca": False}
        and not csr_pem.endswith("\n")
        and csr.common_name == COMMON_NAME
        and csr.sans_dns == set(SANS_DNS)
    )
    cases.append({"case": "requirer databag shape", "passed": shape_ok, "databag": bag})

    # 1. Signed in Python with cryptography-built CA, provider databag built by hand.
    t0 = time.monotonic()
    res = accept(state, databag([entry(leaf, csr_pem, ca, [leaf, ca])]))
    accept_seconds = time.monotonic() - t0
    case("signed, hand-built databag", res, certificate_available=True, chain_verified=True,
         certificates=[str(leaf)])

    # 2. The databag the library's own provider writes.
    golden = provide(state, ca=(ca, ca_key))
    res = accept(state, golden["provider_app_databag"])
    case("library provider databag", res, certificate_available=True, chain_verified=True)

    # 3. PEMs with a trailing newline, CSR re-serialised: the library compares parsed values.
    res = accept(state, databag([{k: (v + "\n" if isinstance(v, str) else [c + "\n" for c in v])
                                   for k, v in entry(leaf, csr_pem, ca, [leaf, ca]).items()}]))
    case("PEMs with trailing newlines", res, certificate_available=True, chain_verified=True)

    # 4. A certificate for a CSR the requirer did not send (same attributes, other key).
    other_key = PrivateKey.generate()
    other_csr = certificate_request().generate_csr(other_key)
    other_leaf = other_csr.sign(ca=ca, ca_private_key=ca_key, validity=datetime.timedelta(days=90))
    res = accept(state, databag([entry(other_leaf, str(other_csr), ca, [other_leaf, ca])]))
    case("mismatched CSR", res, certificate_available=False, certificates=[])

    # 5. The requirer's CSR echoed, but the certificate is for another key.
    res = accept(state, databag([entry(other_leaf, csr_pem, ca, [other_leaf, ca])]))
    case("certificate for another key", res, certificate_available=False, certificates=[])

    # 6. Wrong CA and chain: the library does NOT check the issuer, so the event fires; the
    #    harness's own verification (chain_verified) catches it.
    wrong_ca, _ = new_ca("some-other-ca")
    res = accept(state, databag([entry(leaf, csr_pem, wrong_ca, [leaf, wrong_ca])]))
    case("wrong CA chain", res, certificate_available=True, chain_verified=False)

    # 7. Chain in the wrong order.
    res = accept(state, databag([entry(leaf, csr_pem, ca, [ca, leaf])]))
    case("chain reversed", res, certificate_available=True, chain_verified=False)

    # 8. A CA certificate for a non-CA request is ignored.
    ca_leaf = csr.sign(
        ca=ca, ca_private_key=ca_key, validity=datetime.timedelta(days=90), is_ca=True
    )
    res = accept(state, databag([entry(ca_leaf, csr_pem, ca, [ca_leaf, ca])]))
    case("CA certificate for a non-CA request", res, certificate_available=False)

    # 9. request_errors, as the library's provider writes them.
    error = {"code": 102, "name": "DOMAIN_NOT_ALLOWED", "message": "SAN not allowed",
             "reason": "outside allowed-dns-suffixes"}
    refused = provide(state, error=error, ca=(ca, ca_key))
    res = accept(state, refused["provider_app_databag"])
    case("request_errors", res, certificate_available=False, certificates=[],
         denied=[{"csr": csr_pem, "error": error}])

    # 10. Unparseable certificate: the library raises in the hook; errors must say so.
    res = accept(state, databag([{**entry(leaf, csr_pem, ca, [leaf, ca]), "certificate": "junk"}]))
    cases.append({"case": "unparseable certificate", "passed": (not res["certificate_available"])
                  and any("Could not load certificate" in e for e in res["errors"]),
                  "errors": res["errors"]})

    # 11. `request_errors` keyed `certificate_signing_request` (as the interface's schema.py has
    #     it) instead of the library's `csr`: the whole databag fails validation, so even a good
    #     certificate beside it is ignored, with only a warning.
    schema_error = {"certificate_signing_request": csr_pem,
                    "error": {"code": 999, "name": "OTHER", "message": "x"}}
    res = accept(state, {**databag([entry(leaf, csr_pem, ca, [leaf, ca])]),
                         "request_errors": json.dumps([schema_error])})
    case("request_errors keyed like schema.py", res, certificate_available=False, errors=[],
         warnings=["WARNING: Invalid relation data"] * 3)

    # 12. Empty provider databag: nothing happens, no errors.
    res = accept(state, {})
    case("empty provider databag", res, certificate_available=False, errors=[], certificates=[])

    # 13. A second hook with the same data keeps the certificate (secret already there).
    first = accept(state, golden["provider_app_databag"])
    res = accept(first["state"], golden["provider_app_databag"])
    case("second hook, same data", res, certificate_available=True, chain_verified=True,
         certificates=first["certificates"])

    return {
        "ok": all(c["passed"] for c in cases),
        "mode": mode,
        "request_seconds": round(request_seconds, 3),
        "accept_seconds": round(accept_seconds, 3),
        "golden_provider_app_databag": golden["provider_app_databag"],
        "golden_request_errors_databag": refused["provider_app_databag"],
        "requirer_databags": {"unit": req["unit_databag"], "app": req["app_databag"]},
        "cases": cases,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["request", "accept", "provide", "selftest"])
    parser.add_argument("--mode", choices=["unit", "app"], default="unit")
    args = parser.parse_args()
    if args.command == "request":
        result = request(args.mode)
    elif args.command == "accept":
        data = json.load(sys.stdin)
        result = accept(data["state"], data["provider_app_databag"])
    elif args.command == "provide":
        data = json.load(sys.stdin)
        result = provide(data["state"], data.get("error"))
    else:
        result = selftest(args.mode)
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    if args.command == "selftest" and not result["ok"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
