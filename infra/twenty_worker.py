"""The Twenty worker (`yarn worker:prod`): a Compute Engine VM started by cloud-init (default), or a
Cloud Run worker pool.

The VM's metadata holds the plain settings and the *names* of its secrets, never their values: a
boot-time script exchanges the VM service account's token for each secret from Secret Manager and
writes them to a tmpfs file (/run) readable by root only.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.base import child_opts, inherited_deps, labels
from infra.cache import Cache
from infra.config import StackConfig
from infra.identity import Identity
from infra.network import WORKER_TAG, Network
from infra.secrets import Secrets
from infra.storage import Storage
from infra.twenty_env import REDIS_CA_DIR, REDIS_CA_FILE, cloud_run_envs, plain_env, secret_env
from infra.worker_boot import CONFIG_SHA_KEY, render_worker_boot, worker_command

COS_IMAGE = "projects/cos-cloud/global/images/family/cos-stable"


def render_cloud_init(
    cfg: StackConfig, plain: dict[str, str], secrets_by_env: dict[str, str], file_secrets: dict[str, str]
) -> str:
    """cloud-init user-data for Container-Optimized OS (see infra/worker_boot.py)."""
    ca_dir = REDIS_CA_DIR if cfg.redis_mode == "memorystore" else ""
    return render_worker_boot(cfg, plain, secrets_by_env, file_secrets, ca_dir=ca_dir).user_data


class TwentyWorker(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        identity: Identity,
        network: Network,
        storage: Storage,
        cache: Cache,
        secrets: Secrets,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("twenty:infra:TwentyWorker", name, {}, opts)
        self._after = inherited_deps(opts)
        self.instance: gcp.compute.Instance | None = None
        self.pool: gcp.cloudrunv2.WorkerPool | None = None
        self.cloud_init: pulumi.Output[str] | None = None
        deps = secrets.depends_for("worker")
        if cfg.worker_mode == "vm":
            self._vm(cfg, identity, network, storage, cache, secrets, deps)
        else:
            self._pool(cfg, identity, network, storage, secrets, deps)
        self.register_outputs({})

    def _vm(
        self,
        cfg: StackConfig,
        identity: Identity,
        network: Network,
        storage: Storage,
        cache: Cache,
        secrets: Secrets,
        deps: list[pulumi.Resource],
    ) -> None:
        p = cfg.name_prefix
        secrets_by_env = {k: secrets.secret_id(v) for k, v in secret_env(cfg).items()}
        file_secrets: dict[str, str] = {}
        if cfg.redis_mode == "memorystore":
            file_secrets[f"{REDIS_CA_DIR}/{REDIS_CA_FILE}"] = secrets.secret_id("redis-ca")
        if cfg.redis_mode == "vm":
            file_secrets["/run/twenty/redis-password"] = secrets.secret_id("redis-password")
        plain = plain_env(cfg, storage.bucket.name, runs_migrations=False, pg_pool=cfg.worker_pg_connections)
        ca_dir = REDIS_CA_DIR if cfg.redis_mode == "memorystore" else ""
        boot = pulumi.Output.all(**plain).apply(
            lambda resolved: render_worker_boot(cfg, resolved, secrets_by_env, file_secrets, ca_dir=ca_dir)
        )
        self.cloud_init = boot.apply(lambda b: b.user_data)
        self.instance = gcp.compute.Instance(
            f"{p}-worker",
            name=f"{p}-worker",
            zone=cfg.worker_zone,
            machine_type=cfg.worker_machine_type,
            boot_disk=gcp.compute.InstanceBootDiskArgs(
                initialize_params=gcp.compute.InstanceBootDiskInitializeParamsArgs(
                    image=COS_IMAGE, size=cfg.worker_disk_gb, type=cfg.worker_disk_type
                )
            ),
            network_interfaces=[
                gcp.compute.InstanceNetworkInterfaceArgs(
                    subnetwork=network.workloads.id,
                    network_ip=cache.vm_address.address if cache.vm_address is not None else None,
                    access_configs=[],  # no public IP: egress through Cloud NAT, ssh through IAP
                )
            ],
            metadata={
                "user-data": self.cloud_init,
                # long-polled by the VM's config watcher, which reboots to apply a changed user-data
                CONFIG_SHA_KEY: boot.apply(lambda b: b.config_sha),
                "google-logging-enabled": "true",
                "google-monitoring-enabled": "true",
                "enable-oslogin": "TRUE",
                "block-project-ssh-keys": "TRUE",
            },
            service_account=gcp.compute.InstanceServiceAccountArgs(
                email=identity.worker_sa.email, scopes=["cloud-platform"]
            ),
            shielded_instance_config=gcp.compute.InstanceShieldedInstanceConfigArgs(
                enable_secure_boot=True, enable_vtpm=True, enable_integrity_monitoring=True
            ),
            scheduling=gcp.compute.InstanceSchedulingArgs(
                automatic_restart=True, on_host_maintenance="MIGRATE"
            ),
            deletion_protection=cfg.deletion_protection,
            allow_stopping_for_update=True,
            tags=[WORKER_TAG],
            labels=labels(cfg, "worker"),
            opts=child_opts(self, network.nat, *identity.project_roles, *deps),
        )

    def _pool(
        self,
        cfg: StackConfig,
        identity: Identity,
        network: Network,
        storage: Storage,
        secrets: Secrets,
        deps: list[pulumi.Resource],
    ) -> None:
        from infra.twenty_server import redis_ca_volume

        p = cfg.name_prefix
        volumes, mounts = redis_ca_volume(cfg, secrets)
        self.pool = gcp.cloudrunv2.WorkerPool(
            f"{p}-worker-pool",
            name=f"{p}-worker",
            location=cfg.region,
            launch_stage="BETA",
            deletion_protection=cfg.deletion_protection,
            labels=labels(cfg, "worker"),
            scaling=gcp.cloudrunv2.WorkerPoolScalingArgs(scaling_mode="MANUAL", manual_instance_count=1),
            template=gcp.cloudrunv2.WorkerPoolTemplateArgs(
                service_account=identity.worker_sa.email,
                vpc_access=network.vpc_access(),
                volumes=volumes,
                containers=[
                    {
                        "image": cfg.twenty_image,
                        "args": worker_command(),
                        "envs": cloud_run_envs(
                            plain_env(
                                cfg,
                                storage.bucket.name,
                                runs_migrations=False,
                                pg_pool=cfg.worker_pg_connections,
                            ),
                            secret_env(cfg),
                            secrets.secret_id,
                        ),
                        "resources": {"limits": {"cpu": "1", "memory": "2Gi"}},
                        "volume_mounts": mounts,
                    }
                ],
            ),
            opts=child_opts(self, *deps),
        )
