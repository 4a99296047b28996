"""The Twenty server on Cloud Run v2, and the Cloud Run job that migrates the database once per rollout."""

from __future__ import annotations

import hashlib
import json
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

# Cloud Run (run.googleapis.com v2 Probe): a startup probe's failureThreshold × periodSeconds may not
# exceed 240 s, nor its initialDelaySeconds 240 s. Migrations run in the job, so the server boots in
# well under that; initialDelaySeconds is additive (20 s + 24 × 10 s = 260 s before Cloud Run gives up).
STARTUP_PROBE = {
    "http_get": {"path": HEALTH_PATH, "port": PORT},
    "initial_delay_seconds": 20,
    "period_seconds": 10,
    "timeout_seconds": 5,
    "failure_threshold": 24,
}

# What the image's entrypoint.sh does before `exec "$@"`, minus its `if ! ...; then echo Warning`
# around `upgrade` and `cron:register:all`: here every step fails the job, so a failed upgrade stops
# the rollout instead of rolling the server onto an un-upgraded database.
MIGRATE_SH = r"""set -eu
q="SELECT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = 'core')"
has_schema=$(psql -tAc "$q" "$PG_DATABASE_URL")
if [ "$has_schema" = "f" ]; then
  echo "empty database: yarn database:init:prod"
  yarn database:init:prod
fi
yarn command:prod cache:flush
yarn command:prod upgrade
yarn command:prod cache:flush
yarn command:prod cron:register:all
echo "migrated and registered crons"
"""


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


def migrate_token(image: str, plain: dict[str, Any], secret_versions: list[str]) -> str:
    """run_execution_token of the migration job: changes with anything the job reads."""
    doc = json.dumps(
        {"image": image, "script": MIGRATE_SH, "env": plain, "secrets": secret_versions},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(doc.encode()).hexdigest()[:16]


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

        # The job replaces the image's entrypoint with MIGRATE_SH. Pulumi waits for the execution to
        # finish before rolling the server; the token re-runs it whenever anything the job reads
        # changes (image, script, plain env, secret versions), not only the image.
        job_plain = plain_env(cfg, storage.bucket.name, runs_migrations=True)
        versions = [v.id for key, v in sorted(secrets.versions.items()) if key in env_secrets.values()]
        token = pulumi.Output.all(job_plain, versions).apply(
            lambda parts: migrate_token(cfg.twenty_image, parts[0], parts[1])
        )
        self.migrate = gcp.cloudrunv2.Job(
            f"{p}-migrate",
            name=f"{p}-migrate",
            location=cfg.region,
            deletion_protection=cfg.deletion_protection,
            run_execution_token=token,
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
                            "commands": ["/bin/sh", "-c"],
                            "args": [MIGRATE_SH],
                            "envs": cloud_run_envs(
                                job_plain,
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
                        "startup_probe": STARTUP_PROBE,
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
        # Twenty is a public web app: anyone may reach the login page; Twenty authenticates. Not on a
        # fresh stack, though: until the first workspace exists, 2.21 lets whoever signs up first
        # create it and become server admin, so the server stays private (IAM-authenticated, e.g.
        # `gcloud run services proxy`) until workspaceBootstrapped is set (docs/infra.md).
        self.public: gcp.cloudrunv2.ServiceIamMember | None = None
        if cfg.workspace_bootstrapped:
            self.public = gcp.cloudrunv2.ServiceIamMember(
                f"{p}-server-public",
                name=self.service.name,
                location=cfg.region,
                role="roles/run.invoker",
                member="allUsers",
                opts=child_opts(self),
            )
        self.register_outputs({"uri": self.service.uri})
