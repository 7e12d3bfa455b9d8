#!/usr/bin/env python3
"""The real certificate_transfer v1 requirer (PyPI `charmlibs-interfaces-certificate-transfer`,
the published form of canonical/certificate-transfer-interface's
`lib/charms/certificate_transfer_interface/v1/certificate_transfer.py`), run under
`ops.testing` (Scenario), to check what ckf-crypto writes on `send-ca-cert`.

Input (JSON on stdin): `{"provider_app_databag": {...}}`, ckf-crypto's application databag.
The requirer (a client of the Istio gateway, leader) has set `version: 1` in its application
databag when its relation was created, as the library does, and sees `relation-changed`.

Output (JSON on stdout):
* `updated`: the certificates of each `certificate_set_updated` event the library emitted;
* `all_certificates`: `get_all_certificates()` after the hook;
* `errors`: ERROR/CRITICAL log lines and any exception;
* `schema_errors`: what the interface's schema (canonical/charm-relation-interfaces
  `interfaces/certificate_transfer/v1/schema.py`, `ProviderSchema`: application databag
  `certificates: Set[str]`, each databag value JSON) finds wrong with the databag; empty if it
  validates. The model is restated here as the schema file defines it (its base class comes
  from `pytest-interface-tester`, which only adds the unit/app split).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from typing import Any, Set

import ops
import pydantic
from charmlibs.interfaces.certificate_transfer import (
    CertificatesAvailableEvent,
    CertificateTransferRequires,
)
from ops import testing

ENDPOINT = "receive-ca-cert"
META = {
    "name": "gateway-client",
    "requires": {ENDPOINT: {"interface": "certificate_transfer"}},
}


class CertificateTransferProviderAppData(pydantic.BaseModel):
    """charm-relation-interfaces `interfaces/certificate_transfer/v1/schema.py`."""

    certificates: Set[str] = pydantic.Field(
        description="The set of certificates that will be transferred to a requirer"
    )


class RequirerCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.ct = CertificateTransferRequires(self, ENDPOINT)
        framework.observe(self.ct.on.certificate_set_updated, self._on_updated)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_updated(self, event: CertificatesAvailableEvent) -> None:
        UPDATED.append(sorted(event.certificates))

    def _on_update_status(self, _event: ops.EventBase) -> None:
        ALL.extend(sorted(self.ct.get_all_certificates()))


UPDATED: list[list[str]] = []
ALL: list[str] = []


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def schema_errors(databag: dict[str, str]) -> list[str]:
    try:
        CertificateTransferProviderAppData.model_validate(
            {key: json.loads(value) for key, value in databag.items()}
        )
    except (pydantic.ValidationError, json.JSONDecodeError) as e:
        return [str(e)]
    return []


def main() -> int:
    given = json.load(sys.stdin)
    databag: dict[str, str] = given["provider_app_databag"]
    errors = Collect()
    logging.getLogger().addHandler(errors)
    ctx = testing.Context(RequirerCharm, meta=META, app_name="gateway-client", unit_id=0)
    rel = testing.Relation(
        ENDPOINT,
        remote_app_name="ckf-crypto",
        local_app_data={"version": "1"},
        remote_app_data=databag,
    )
    state = testing.State(relations={rel}, leader=True)
    try:
        out = ctx.run(ctx.on.relation_changed(rel), state)
        ctx.run(ctx.on.update_status(), out)
    except Exception:  # noqa: BLE001 - reported to the Rust test
        errors.lines.append(traceback.format_exc())
    json.dump(
        {
            "updated": UPDATED,
            "all_certificates": ALL,
            "errors": errors.lines,
            "schema_errors": schema_errors(databag),
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
