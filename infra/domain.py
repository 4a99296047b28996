"""The custom domain on the Twenty server (Cloud Run domain mapping with a managed certificate).

cloudrunv2 has no domain mapping, so this is the v1 `cloudrun.DomainMapping`. The DNS records it
asks for are exported as a stack output; create them at your DNS provider.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from infra.base import child_opts, inherited_deps
from infra.config import StackConfig
from infra.twenty_server import TwentyServer


def expected_records(domain: str) -> list[dict[str, str]]:
    """What Cloud Run asks for before the mapping reports its own records (e.g. in the offline plan)."""
    labels = domain.split(".")
    if len(labels) > 2:  # a subdomain: one CNAME
        return [{"type": "CNAME", "name": labels[0], "rrdata": "ghs.googlehosted.com."}]
    return [
        {"type": "A", "name": "@", "rrdata": ip}
        for ip in ("216.239.32.21", "216.239.34.21", "216.239.36.21", "216.239.38.21")
    ]


def _records(domain: str, statuses: list[Any] | None) -> list[dict[str, str]]:
    for status in statuses or []:
        records = status.get("resource_records") if isinstance(status, dict) else status.resource_records
        if records:
            return [
                {"type": r.get("type", ""), "name": r.get("name", ""), "rrdata": r.get("rrdata", "")}
                if isinstance(r, dict)
                else {"type": r.type or "", "name": r.name or "", "rrdata": r.rrdata or ""}
                for r in records
            ]
    return expected_records(domain)


class Domain(pulumi.ComponentResource):
    def __init__(
        self, name: str, cfg: StackConfig, server: TwentyServer, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("twenty:infra:Domain", name, {}, opts)
        self._after = inherited_deps(opts)
        self.mapping = gcp.cloudrun.DomainMapping(
            f"{cfg.name_prefix}-domain",
            name=cfg.domain,
            location=cfg.region,
            metadata=gcp.cloudrun.DomainMappingMetadataArgs(namespace=cfg.project),
            spec=gcp.cloudrun.DomainMappingSpecArgs(
                route_name=server.service.name, certificate_mode="AUTOMATIC"
            ),
            opts=child_opts(self),
        )
        self.dns_records = self.mapping.statuses.apply(lambda s: _records(cfg.domain, s))
        self.register_outputs({"dns_records": self.dns_records})
