"""Monthly cost model of a stack, per resource. Every price carries its source and the date it was read.

Prices are USD list prices for us-central1 (Tier 1) as collected on 2026-11-22 in
shared/reference/infra-gcp.md §6. `confidence` says how each was seen:
  google      a stored copy of Google's own pricing page
  third-party a third-party page quoting Google
  recollection  Google's page as remembered; the stored copies did not show it (re-check it)
Re-check every number in the Google Cloud pricing calculator before quoting it.

The model works on recorded resources (type token, name, camelCase inputs) so it prices exactly
what the program declares; usage-driven items (Cloud Run time, NAT traffic, storage used) use the
assumptions named in each line's basis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.config import StackConfig
from infra.props import get_path

HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
DAYS_PER_MONTH = 30.4
READ_ON = "2026-11-22"

RUN_PRICING = "https://cloud.google.com/run/pricing"
SQL_PRICING = "https://cloud.google.com/sql/pricing"
REDIS_PRICING = "https://cloud.google.com/memorystore/docs/redis/pricing"
GCE_PRICING = "https://cloud.google.com/compute/vm-instance-pricing"
DISK_PRICING = "https://cloud.google.com/compute/disks-image-pricing"
NAT_PRICING = "https://cloud.google.com/nat/pricing"
SM_PRICING = "https://cloud.google.com/secret-manager/pricing"
AR_PRICING = "https://cloud.google.com/artifact-registry/pricing"
GCS_PRICING = "https://cloud.google.com/storage/pricing"
EGRESS_PRICING = "https://cloud.google.com/vpc/network-pricing#internet_egress"
SCHEDULER_PRICING = "https://cloud.google.com/scheduler/pricing"


@dataclass(frozen=True)
class Price:
    amount: float
    unit: str
    source: str
    confidence: str
    read_on: str = READ_ON


PRICES: dict[str, Price] = {
    "run.cpu_s": Price(0.000024, "vCPU-second (request-based)", RUN_PRICING, "google"),
    "run.mem_gib_s": Price(0.0000025, "GiB-second (request-based)", RUN_PRICING, "google"),
    "run.cpu_s.instance": Price(0.000018, "vCPU-second (instance-based)", RUN_PRICING, "google"),
    "run.mem_gib_s.instance": Price(0.000002, "GiB-second (instance-based)", RUN_PRICING, "recollection"),
    # Minimum instances of a request-based service between requests: Cloud Run's idle rate.
    "run.cpu_s.idle": Price(0.0000025, "vCPU-second (idle minimum instance)", RUN_PRICING, "recollection"),
    "run.mem_gib_s.idle": Price(0.0000025, "GiB-second (idle minimum instance)", RUN_PRICING, "recollection"),
    "run.free_cpu_s": Price(180_000, "vCPU-seconds free per billing account/month", RUN_PRICING, "google"),
    "run.free_gib_s": Price(360_000, "GiB-seconds free per billing account/month", RUN_PRICING, "google"),
    "sql.db-f1-micro": Price(7.67, "month (shared core, 0.6 GB)", SQL_PRICING, "recollection"),
    "sql.db-g1-small": Price(25.55, "month (shared core, 1.7 GB)", SQL_PRICING, "recollection"),
    "sql.vcpu_h": Price(
        0.0413,
        "vCPU-hour (Enterprise, dedicated core)",
        "https://usage.ai/blogs/gcp/cloud-sql/pricing (citing Google, May 2026)",
        "third-party",
    ),
    "sql.gb_h": Price(
        0.007,
        "GB-hour of RAM (Enterprise)",
        "https://usage.ai/blogs/gcp/cloud-sql/pricing (citing Google, May 2026)",
        "third-party",
    ),
    "sql.PD_SSD": Price(0.17, "GB-month", SQL_PRICING, "recollection"),
    "sql.PD_HDD": Price(0.09, "GB-month", SQL_PRICING, "recollection"),
    "sql.backup": Price(0.08, "GB-month of backups", SQL_PRICING, "recollection"),
    "redis.BASIC": Price(0.049, "GB-hour (Basic, M1)", REDIS_PRICING, "recollection"),
    "redis.STANDARD_HA": Price(0.064, "GB-hour (Standard HA, M1)", REDIS_PRICING, "recollection"),
    "gce.e2-small": Price(12.23, "month (2 vCPU shared, 2 GB)", GCE_PRICING, "recollection"),
    "gce.e2-medium": Price(24.46, "month (2 vCPU shared, 4 GB)", GCE_PRICING, "recollection"),
    "gce.e2-micro": Price(6.11, "month (1 GB)", GCE_PRICING, "recollection"),
    "disk.pd-standard": Price(0.04, "GB-month", DISK_PRICING, "recollection"),
    "disk.pd-balanced": Price(0.10, "GB-month", DISK_PRICING, "recollection"),
    "disk.pd-ssd": Price(0.17, "GB-month", DISK_PRICING, "recollection"),
    "nat.gateway_vm_h": Price(
        0.0014, "VM-hour behind the gateway (up to 32 VMs)", NAT_PRICING, "recollection"
    ),
    "nat.gb": Price(0.045, "GB processed", NAT_PRICING, "recollection"),
    "connector.instance": Price(
        6.11, "month per e2-micro connector instance (min 2)", RUN_PRICING, "third-party"
    ),
    "sm.version": Price(0.06, "active secret version-month", SM_PRICING, "google"),
    "sm.free_versions": Price(6, "active versions free per billing account", SM_PRICING, "google"),
    "ar.gb": Price(0.10, "GB-month above 0.5 GB free", AR_PRICING, "google"),
    "gcs.gb": Price(0.020, "GB-month (Standard, regional)", GCS_PRICING, "recollection"),
    "gcs.free_gb": Price(5, "GB-months free in US regions", GCS_PRICING, "third-party"),
    "egress.gb": Price(
        0.12, "GB to the internet (premium tier, North America)", EGRESS_PRICING, "recollection"
    ),
    # billed per job and day ($0.10 per 31 days), paused jobs too, never per execution
    "scheduler.job": Price(0.10, "job-month (paused jobs too)", SCHEDULER_PRICING, "google", "2026-12-07"),
    "scheduler.free_jobs": Price(
        3, "jobs free per billing account (not per project)", SCHEDULER_PRICING, "google", "2026-12-07"
    ),
}

# Usage assumptions behind the usage-driven lines (stated in each line's basis).
NAT_GB_PER_MONTH = 10  # image pulls, Gmail/Calendar sync, webhooks
SQL_BACKUP_GB = 2
GCS_GB = 5
AR_GB = 1
SERVER_EGRESS_GB = 5  # the web app's assets and API responses to a small team
MIGRATION_SECONDS_PER_MONTH = 4 * 600  # four rollouts of ten minutes
USAGE_JOB_SECONDS_PER_MONTH = 2 * 300  # the monthly usage-dashboard run, five minutes, and one retry


@dataclass(frozen=True)
class CostLine:
    typ: str
    name: str
    monthly: float
    basis: str
    prices: tuple[str, ...] = ()


def _p(key: str) -> float:
    return PRICES[key].amount


def parse_cpu(value: str | None) -> float:
    if not value:
        return 1.0
    return float(value[:-1]) / 1000 if value.endswith("m") else float(value)


def parse_memory_gib(value: str | None) -> float:
    if not value:
        return 0.5
    units = {"Gi": 1.0, "Mi": 1 / 1024, "G": 1e9 / 2**30, "M": 1e6 / 2**30}
    for suffix, factor in units.items():
        if value.endswith(suffix):
            return float(value[: -len(suffix)]) * factor
    return float(value) / 2**30


class _FreeTier:
    """Free allowances shared by all lines of one stack (only when cfg.free_tier)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.left = {
            "run.free_cpu_s": _p("run.free_cpu_s") if enabled else 0.0,
            "run.free_gib_s": _p("run.free_gib_s") if enabled else 0.0,
            "sm.free_versions": _p("sm.free_versions") if enabled else 0.0,
            "gcs.free_gb": _p("gcs.free_gb") if enabled else 0.0,
            "scheduler.free_jobs": _p("scheduler.free_jobs") if enabled else 0.0,
        }

    def take(self, key: str, amount: float) -> float:
        """Billable part of `amount` after using what's left of the allowance."""
        used = min(self.left[key], amount)
        self.left[key] -= used
        return amount - used


def _cloud_run_service(props: Mapping[str, Any], cfg: StackConfig, free: _FreeTier, name: str) -> CostLine:
    container = get_path(props, "template", "containers", 0) or {}
    limits = get_path(container, "resources", "limits") or {}
    cpu, mem = parse_cpu(limits.get("cpu")), parse_memory_gib(limits.get("memory"))
    role = get_path(props, "labels", "role")
    hours = cfg.server_active_hours_per_day if role == "server" else cfg.mcp_active_hours_per_day
    busy_s = hours * 3600 * DAYS_PER_MONTH
    min_inst = get_path(props, "template", "scaling", "minInstanceCount") or 0
    cost = free.take("run.free_cpu_s", busy_s * cpu) * _p("run.cpu_s")
    cost += free.take("run.free_gib_s", busy_s * mem) * _p("run.mem_gib_s")
    basis = f"{cpu:g} vCPU / {mem:g} GiB, busy {hours:g} h/day, request-based"
    if min_inst:
        # Warm idle instances of a request-based service: billed at Cloud Run's idle rate (not the busy
        # or instance-based one) for the hours they serve nothing.
        idle_s = max(SECONDS_PER_MONTH - busy_s, 0) * min_inst
        cost += idle_s * (cpu * _p("run.cpu_s.idle") + mem * _p("run.mem_gib_s.idle"))
        basis += f", {min_inst:g} warm instance(s) at the idle rate"
    if free.enabled:
        basis += ", free tier applied"
    return CostLine("gcp:cloudrunv2/service:Service", name, cost, basis, ("run.cpu_s", "run.mem_gib_s"))


def _cloud_run_always_on(typ: str, props: Mapping[str, Any], name: str) -> CostLine:
    container = get_path(props, "template", "containers", 0) or {}
    limits = get_path(container, "resources", "limits") or {}
    cpu, mem = parse_cpu(limits.get("cpu")), parse_memory_gib(limits.get("memory"))
    count = get_path(props, "scaling", "manualInstanceCount") or 1
    cost = count * SECONDS_PER_MONTH * (cpu * _p("run.cpu_s.instance") + mem * _p("run.mem_gib_s.instance"))
    return CostLine(
        typ,
        name,
        cost,
        f"{count} × {cpu:g} vCPU / {mem:g} GiB always on (instance-based)",
        ("run.cpu_s.instance", "run.mem_gib_s.instance"),
    )


def _cloud_run_job(props: Mapping[str, Any], name: str) -> CostLine:
    typ = "gcp:cloudrunv2/job:Job"
    if get_path(props, "labels", "role") != "usage-dashboard":  # the migration job
        cost = MIGRATION_SECONDS_PER_MONTH * (_p("run.cpu_s.instance") + 2 * _p("run.mem_gib_s.instance"))
        return CostLine(typ, name, cost, "4 rollouts × 10 min (instance-based)", ("run.cpu_s.instance",))
    container = get_path(props, "template", "template", "containers", 0) or {}
    limits = get_path(container, "resources", "limits") or {}
    cpu, mem = parse_cpu(limits.get("cpu")), parse_memory_gib(limits.get("memory"))
    cost = USAGE_JOB_SECONDS_PER_MONTH * (cpu * _p("run.cpu_s.instance") + mem * _p("run.mem_gib_s.instance"))
    basis = f"1 monthly run × 5 min + 1 retry, {cpu:g} vCPU / {mem:g} GiB (instance-based)"
    return CostLine(typ, name, cost, basis, ("run.cpu_s.instance", "run.mem_gib_s.instance"))


def _sql(props: Mapping[str, Any], name: str) -> CostLine:
    settings = props.get("settings") or {}
    tier = settings.get("tier", "")
    regional = settings.get("availabilityType") == "REGIONAL"
    if f"sql.{tier}" in PRICES:
        base, keys = _p(f"sql.{tier}"), (f"sql.{tier}",)
    elif tier.startswith("db-custom-"):
        _, _, vcpu, mem_mb = tier.split("-")
        base = HOURS_PER_MONTH * (int(vcpu) * _p("sql.vcpu_h") + int(mem_mb) / 1024 * _p("sql.gb_h"))
        keys = ("sql.vcpu_h", "sql.gb_h")
    else:
        return CostLine("gcp:sql/databaseInstance:DatabaseInstance", name, 0.0, f"UNPRICED tier {tier}")
    disk_type = settings.get("diskType", "PD_SSD")
    disk = (settings.get("diskSize") or 10) * _p(f"sql.{disk_type}")
    factor = 2 if regional else 1
    cost = factor * (base + disk) + SQL_BACKUP_GB * _p("sql.backup")
    basis = f"{tier}, {settings.get('diskSize') or 10:g} GB {disk_type}, ~{SQL_BACKUP_GB} GB backups"
    if regional:
        basis += ", REGIONAL (×2)"
    return CostLine(
        "gcp:sql/databaseInstance:DatabaseInstance", name, cost, basis, (*keys, f"sql.{disk_type}")
    )


def _redis(props: Mapping[str, Any], name: str) -> CostLine:
    tier = props.get("tier", "BASIC")
    gb = props.get("memorySizeGb", 1)
    return CostLine(
        "gcp:redis/instance:Instance",
        name,
        gb * HOURS_PER_MONTH * _p(f"redis.{tier}"),
        f"{tier} {gb:g} GB",
        (f"redis.{tier}",),
    )


def _vm(props: Mapping[str, Any], name: str) -> CostLine:
    machine = props.get("machineType", "")
    params = get_path(props, "bootDisk", "initializeParams") or {}
    disk_type, size = params.get("type", "pd-standard"), params.get("size", 10)
    if f"gce.{machine}" not in PRICES:
        return CostLine("gcp:compute/instance:Instance", name, 0.0, f"UNPRICED machine type {machine}")
    cost = _p(f"gce.{machine}") + size * _p(f"disk.{disk_type}")
    return CostLine(
        "gcp:compute/instance:Instance",
        name,
        cost,
        f"{machine} + {size:g} GB {disk_type}",
        (f"gce.{machine}", f"disk.{disk_type}"),
    )


def estimate(resources: Iterable[Any], cfg: StackConfig) -> list[CostLine]:
    """One CostLine per priced resource. `resources` need `.typ`, `.name`, `.props` (camelCase)."""
    free = _FreeTier(cfg.free_tier)
    lines: list[CostLine] = []
    versions = 0
    vms = 0
    nats: list[Any] = []
    for r in resources:
        typ, props, name = r.typ, r.props, r.name
        if typ == "gcp:cloudrunv2/service:Service":
            lines.append(_cloud_run_service(props, cfg, free, name))
            if get_path(props, "labels", "role") == "server":
                lines.append(
                    CostLine(
                        "internet egress",
                        name,
                        SERVER_EGRESS_GB * _p("egress.gb"),
                        f"~{SERVER_EGRESS_GB} GB/month served to users",
                        ("egress.gb",),
                    )
                )
        elif typ == "gcp:cloudrunv2/workerPool:WorkerPool":
            lines.append(_cloud_run_always_on(typ, props, name))
        elif typ == "gcp:cloudrunv2/job:Job":
            lines.append(_cloud_run_job(props, name))
        elif typ == "gcp:cloudscheduler/job:Job":
            billable = free.take("scheduler.free_jobs", 1)
            basis = "billed per job, not per run" + (", 3 free per billing account" if free.enabled else "")
            lines.append(CostLine(typ, name, billable * _p("scheduler.job"), basis, ("scheduler.job",)))
        elif typ == "gcp:sql/databaseInstance:DatabaseInstance":
            lines.append(_sql(props, name))
        elif typ == "gcp:redis/instance:Instance":
            lines.append(_redis(props, name))
        elif typ == "gcp:compute/instance:Instance":
            vms += 1
            lines.append(_vm(props, name))
        elif typ == "gcp:vpcaccess/connector:Connector":
            n = props.get("minInstances", 2)
            lines.append(
                CostLine(
                    typ,
                    name,
                    n * _p("connector.instance"),
                    f"{n} × e2-micro, always on",
                    ("connector.instance",),
                )
            )
        elif typ == "gcp:secretmanager/secretVersion:SecretVersion":
            versions += 1
        elif typ == "gcp:artifactregistry/repository:Repository":
            gb = AR_GB - (0.5 if cfg.free_tier else 0)
            lines.append(CostLine(typ, name, max(gb, 0) * _p("ar.gb"), f"~{AR_GB} GB of images", ("ar.gb",)))
        elif typ == "gcp:storage/bucket:Bucket":
            gb = free.take("gcs.free_gb", GCS_GB)
            lines.append(CostLine(typ, name, gb * _p("gcs.gb"), f"~{GCS_GB} GB of files", ("gcs.gb",)))
        elif typ == "gcp:compute/routerNat:RouterNat":
            nats.append(r)
    for r in nats:
        cost = max(vms, 1) * HOURS_PER_MONTH * _p("nat.gateway_vm_h") + NAT_GB_PER_MONTH * _p("nat.gb")
        lines.append(
            CostLine(
                r.typ,
                r.name,
                cost,
                f"{max(vms, 1)} VM, ~{NAT_GB_PER_MONTH} GB/month",
                ("nat.gateway_vm_h", "nat.gb"),
            )
        )
    if versions:
        billable = free.take("sm.free_versions", versions)
        lines.append(
            CostLine(
                "gcp:secretmanager/secretVersion:SecretVersion",
                f"{versions} secret versions",
                billable * _p("sm.version"),
                f"{versions} active versions" + (", 6 free" if cfg.free_tier else ""),
                ("sm.version",),
            )
        )
    return lines


def total(lines: Iterable[CostLine]) -> float:
    return round(sum(line.monthly for line in lines), 2)
