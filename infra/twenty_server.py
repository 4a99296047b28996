"""The Twenty server on Cloud Run v2, and the Cloud Run job that migrates the database once per rollout."""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi
import pulumi_gcp as gcp

from infra.base import child_opts, inherited_deps, labels
from infra.config import StackConfig
from infra.identity import Identity
from infra.network import Network
from infra.secrets import Secrets
from infra.storage import Storage
from infra.twenty_env import REDIS_CA_DIR, REDIS_CA_FILE, cloud_run_envs, plain_env, secret_env

PORT = 3000
HEALTH_PATH = "/healthz"


def redis_ca_volume(cfg: StackConfig, secrets: Secrets) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(volumes, volume_mounts) that put Memorystore's server CA where NODE_EXTRA_CA_CERTS points."""
    if cfg.redis_mode != "memorystore":
        return [], []
    volume = {
        "name": "redis-ca",
        "secret": {
            "secret": secrets.secret_id("redis-ca"),
            "items": [{"path": REDIS_CA_FILE, "version": "latest"}],
        },
    }
    return [volume], [{"name": "redis-ca", "mount_path": REDIS_CA_DIR}]


class TwentyServer(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        identity: Identity,
        network: Network,
        storage: Storage,
        secrets: Secrets,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("twenty:infra:TwentyServer", name, {}, opts)
        self._after = inherited_deps(opts)
        p = cfg.name_prefix
        env_secrets = secret_env(cfg)
        volumes, mounts = redis_ca_volume(cfg, secrets)
        secret_deps = secrets.depends_for("server")
        resources = {"limits": {"cpu": cfg.server_cpu, "memory": cfg.server_memory}}

        # The image's entrypoint migrates and registers crons unless told not to; the job lets it,
        # then `exec true`s. Pulumi waits for the execution to finish before rolling the server.
        self.migrate = gcp.cloudrunv2.Job(
            f"{p}-migrate",
            name=f"{p}-migrate",
            location=cfg.region,
            deletion_protection=cfg.deletion_protection,
            run_execution_token=hashlib.sha256(cfg.twenty_image.encode()).hexdigest()[:16],
            labels=labels(cfg, "migrate"),
            template=gcp.cloudrunv2.JobTemplateArgs(
                task_count=1,
                template=gcp.cloudrunv2.JobTemplateTemplateArgs(
                    service_account=identity.server_sa.email,
                    max_retries=1,
                    timeout="1800s",
                    vpc_access=network.vpc_access(),
                    volumes=volumes,
                    containers=[
                        {
                            "image": cfg.twenty_image,
                            "args": ["true"],
                            "envs": cloud_run_envs(
                                plain_env(cfg, storage.bucket.name, runs_migrations=True),
                                env_secrets,
                                secrets.secret_id,
                            ),
                            "resources": resources,
                            "volume_mounts": mounts,
                        }
                    ],
                ),
            ),
            opts=child_opts(self, *secret_deps),
        )

        self.service = gcp.cloudrunv2.Service(
            f"{p}-server",
            name=f"{p}-server",
            location=cfg.region,
            ingress="INGRESS_TRAFFIC_ALL",
            deletion_protection=cfg.deletion_protection,
            labels=labels(cfg, "server"),
            template=gcp.cloudrunv2.ServiceTemplateArgs(
                service_account=identity.server_sa.email,
                timeout="3600s",  # websockets / SSE live at most one request timeout
                session_affinity=True,
                max_instance_request_concurrency=80,
                scaling=gcp.cloudrunv2.ServiceTemplateScalingArgs(
                    min_instance_count=cfg.server_min_instances, max_instance_count=cfg.server_max_instances
                ),
                vpc_access=network.vpc_access(),
                volumes=volumes,
                containers=[
                    {
                        "image": cfg.twenty_image,
                        "ports": {"container_port": PORT},
                        "envs": cloud_run_envs(
                            plain_env(cfg, storage.bucket.name, runs_migrations=False),
                            env_secrets,
                            secrets.secret_id,
                        ),
                        # cpu_idle=True: request-based billing; nothing here needs CPU between requests.
                        "resources": {**resources, "cpu_idle": True, "startup_cpu_boost": True},
                        "startup_probe": {
                            "http_get": {"path": HEALTH_PATH, "port": PORT},
                            "initial_delay_seconds": 10,
                            "period_seconds": 10,
                            "timeout_seconds": 5,
                            "failure_threshold": 30,
                        },
                        "liveness_probe": {
                            "http_get": {"path": HEALTH_PATH, "port": PORT},
                            "period_seconds": 30,
                            "timeout_seconds": 5,
                            "failure_threshold": 3,
                        },
                        "volume_mounts": mounts,
                    }
                ],
            ),
            opts=child_opts(self, self.migrate, *secret_deps),
        )
        # Twenty is a public web app: anyone may reach the login page; Twenty authenticates.
        self.public = gcp.cloudrunv2.ServiceIamMember(
            f"{p}-server-public",
            name=self.service.name,
            location=cfg.region,
            role="roles/run.invoker",
            member="allUsers",
            opts=child_opts(self),
        )
        self.register_outputs({"uri": self.service.uri})
