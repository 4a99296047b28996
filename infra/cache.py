"""Redis for Twenty's cache and BullMQ queues: Memorystore, or (lean) Redis on the worker VM."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from infra.base import child_opts, inherited_deps, labels
from infra.config import StackConfig
from infra.network import Network

REDIS_VM_PORT = 6379


class Cache(pulumi.ComponentResource):
    """`url` is the REDIS_URL (a secret Output) both server and worker use.

    Memorystore: private service access, AUTH, TLS (`rediss://`, port 6378; the server CA is
    exported as `ca_cert` and mounted for Node via NODE_EXTRA_CA_CERTS), noeviction (BullMQ
    loses jobs otherwise). VM mode: Redis in a container on the worker VM at a reserved internal
    address, with a generated password, reachable only from Cloud Run's egress range.
    """

    def __init__(
        self, name: str, cfg: StackConfig, network: Network, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("twenty:infra:Cache", name, {}, opts)
        self._after = inherited_deps(opts)
        p = cfg.name_prefix
        self.mode = cfg.redis_mode
        self.instance: gcp.redis.Instance | None = None
        self.vm_address: gcp.compute.Address | None = None
        self.password: random.RandomPassword | None = None
        self.firewall: gcp.compute.Firewall | None = None
        self.ca_cert: pulumi.Output[str] | None = None
        if cfg.redis_mode == "memorystore":
            self.instance = gcp.redis.Instance(
                f"{p}-redis",
                name=f"{p}-redis",
                region=cfg.region,
                tier=cfg.redis_tier,
                memory_size_gb=cfg.redis_memory_gb,
                redis_version="REDIS_7_2",
                authorized_network=network.vpc.id,
                connect_mode="PRIVATE_SERVICE_ACCESS",
                reserved_ip_range=network.psa_range.name,
                auth_enabled=True,
                transit_encryption_mode="SERVER_AUTHENTICATION",
                redis_configs={"maxmemory-policy": "noeviction"},
                labels=labels(cfg, "cache"),
                opts=child_opts(self, network.psa),
            )
            inst = self.instance
            self.url = pulumi.Output.secret(
                pulumi.Output.format("rediss://:{0}@{1}:{2}", inst.auth_string, inst.host, inst.port)
            )
            self.ca_cert = inst.server_ca_certs.apply(lambda certs: certs[0].cert if certs else "")
        else:
            self.password = random.RandomPassword(
                f"{p}-redis-password", length=32, special=False, opts=child_opts(self)
            )
            self.vm_address = gcp.compute.Address(
                f"{p}-redis-ip",
                name=f"{p}-worker-ip",
                region=cfg.region,
                address_type="INTERNAL",
                subnetwork=network.workloads.id,
                opts=child_opts(self),
            )
            self.firewall = network.allow_redis_from_serverless(cfg)
            self.url = pulumi.Output.secret(
                pulumi.Output.format(
                    "redis://:{0}@{1}:{2}", self.password.result, self.vm_address.address, REDIS_VM_PORT
                )
            )
        self.register_outputs({"mode": cfg.redis_mode})
