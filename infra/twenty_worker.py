"""The Twenty worker (`yarn worker:prod`): a Compute Engine VM started by cloud-init (default), or a
Cloud Run worker pool.

The VM's metadata holds the plain settings and the *names* of its secrets, never their values: a
boot-time script exchanges the VM service account's token for each secret from Secret Manager and
writes them to a tmpfs file (/run) readable by root only.
"""

from __future__ import annotations

import shlex
from typing import Any

import pulumi
import pulumi_gcp as gcp
import yaml

from infra.base import child_opts, inherited_deps, labels
from infra.cache import REDIS_VM_PORT, Cache
from infra.config import StackConfig
from infra.identity import Identity
from infra.network import WORKER_TAG, Network
from infra.secrets import Secrets
from infra.storage import Storage
from infra.twenty_env import REDIS_CA_DIR, REDIS_CA_FILE, cloud_run_envs, plain_env, secret_env

COS_IMAGE = "projects/cos-cloud/global/images/family/cos-stable"
REDIS_IMAGE = "redis:7.2-alpine"

FETCH_SECRETS_SH = r"""#!/bin/bash
# Reads every secret named in /etc/twenty/secret-map from Secret Manager with this VM's service
# account and writes them to /run/twenty (tmpfs, root only). Values never touch metadata or disk.
# (The TWENTY_* overrides exist for the tests, which run this script against local fakes.)
set -euo pipefail
ROOT=${TWENTY_ROOT:-}
MD=${TWENTY_METADATA_URL:-http://metadata.google.internal/computeMetadata/v1}
SM=${TWENTY_SECRETMANAGER_URL:-https://secretmanager.googleapis.com}
PROJECT=$(curl -sf -H 'Metadata-Flavor: Google' "$MD/project/project-id")
TOKEN=$(curl -sf -H 'Metadata-Flavor: Google' "$MD/instance/service-accounts/default/token" \
  | sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p')
fetch() {
  curl -sf -H "Authorization: Bearer $TOKEN" "$SM/v1/projects/$PROJECT/secrets/$1/versions/latest:access" \
    | sed -n 's/.*"data": *"\([^"]*\)".*/\1/p' | base64 -d
}
umask 077
mkdir -p "$ROOT/run/twenty"
: > "$ROOT/run/twenty/secrets.env.tmp"
while read -r name secret; do
  [ -z "$name" ] && continue
  value=$(fetch "$secret")
  if [ -z "$value" ] || [ "$(printf '%s' "$value" | wc -l)" -ne 0 ]; then
    echo "secret $secret is empty or spans several lines; refusing to start" >&2; exit 1
  fi
  printf '%s=%s\n' "$name" "$value" >> "$ROOT/run/twenty/secrets.env.tmp"
done < "$ROOT/etc/twenty/secret-map"
mv "$ROOT/run/twenty/secrets.env.tmp" "$ROOT/run/twenty/secrets.env"
if [ -s "$ROOT/etc/twenty/file-secrets" ]; then
  while read -r path secret; do
    mkdir -p "$(dirname "$ROOT$path")"
    fetch "$secret" > "$ROOT$path"
  done < "$ROOT/etc/twenty/file-secrets"
  # The CA certificate is public; the containers run as non-root users.
  if [ -f "$ROOT/etc/twenty/redis-ca/ca.pem" ]; then chmod 0644 "$ROOT/etc/twenty/redis-ca/ca.pem"; fi
fi
"""


REDIS_CONF_SH = (
    "printf 'port {port}\\nrequirepass %s\\nmaxmemory-policy noeviction\\nappendonly yes\\n"
    'protected-mode no\\n\' "$(cat "$ROOT/run/twenty/redis-password")" > "$ROOT/run/twenty/redis.conf"; '
    'chown 999:999 "$ROOT/run/twenty/redis.conf"  # the redis image drops to uid 999'
)


def _unit(description: str, exec_start: str, *, after: str = "", oneshot: bool = False) -> str:
    lines = ["[Unit]", f"Description={description}", "Wants=network-online.target"]
    lines.append(f"After=network-online.target {after}".rstrip())
    if after:
        lines.append(f"Requires={after}")
    lines += ["", "[Service]"]
    if oneshot:
        lines += ["Type=oneshot", "RemainAfterExit=yes"]
    else:
        lines += ["Restart=always", "RestartSec=10"]
    lines += [f"ExecStart={exec_start}", "", "[Install]", "WantedBy=multi-user.target", ""]
    return "\n".join(lines)


def render_cloud_init(
    cfg: StackConfig, plain: dict[str, str], secrets_by_env: dict[str, str], file_secrets: dict[str, str]
) -> str:
    """cloud-init user-data for Container-Optimized OS. Pure function of resolved plain values."""
    worker_env = "".join(f"{k}={v}\n" for k, v in sorted(plain.items()))
    secret_map = "".join(f"{k} {v}\n" for k, v in sorted(secrets_by_env.items()))
    file_map = "".join(f"{path} {sid}\n" for path, sid in sorted(file_secrets.items()))
    docker = "/usr/bin/docker"
    fetch_script = FETCH_SECRETS_SH
    if cfg.redis_mode == "vm":
        # redis.conf is assembled on the VM from the fetched password, after the secrets are read.
        fetch_script += REDIS_CONF_SH.format(port=REDIS_VM_PORT) + "\n"
    mounts = f"-v {REDIS_CA_DIR}:{REDIS_CA_DIR}:ro " if cfg.redis_mode == "memorystore" else ""
    worker_cmd = (
        f"/bin/bash -c '{docker} rm -f twenty-worker >/dev/null 2>&1; "
        f"exec {docker} run --rm --name twenty-worker "
        f"--network host --env-file /etc/twenty/worker.env --env-file /run/twenty/secrets.env {mounts}"
        f"{shlex.quote(cfg.twenty_image)} yarn worker:prod'"
    )
    files: list[dict[str, Any]] = [
        {"path": "/etc/twenty/fetch-secrets.sh", "permissions": "0700", "content": fetch_script},
        {"path": "/etc/twenty/worker.env", "permissions": "0644", "content": worker_env},
        {"path": "/etc/twenty/secret-map", "permissions": "0644", "content": secret_map},
        {"path": "/etc/twenty/file-secrets", "permissions": "0644", "content": file_map},
        {
            "path": "/etc/systemd/system/twenty-secrets.service",
            "permissions": "0644",
            "content": _unit(
                "Fetch Twenty secrets from Secret Manager",
                "/bin/bash /etc/twenty/fetch-secrets.sh",
                oneshot=True,
            ),
        },
    ]
    after = "twenty-secrets.service"
    units = ["twenty-secrets.service"]
    if cfg.redis_mode == "vm":
        redis_cmd = (
            f"/bin/bash -c '{docker} rm -f twenty-redis >/dev/null 2>&1; mkdir -p /var/lib/twenty-redis; "
            f"exec {docker} run --rm --name twenty-redis --network host -v /var/lib/twenty-redis:/data "
            f"-v /run/twenty/redis.conf:/etc/redis.conf:ro {REDIS_IMAGE} redis-server /etc/redis.conf'"
        )
        files.append(
            {
                "path": "/etc/systemd/system/twenty-redis.service",
                "permissions": "0644",
                "content": _unit("Redis for Twenty (noeviction, AUTH)", redis_cmd, after=after),
            }
        )
        units.append("twenty-redis.service")
        after = f"{after} twenty-redis.service"
    files.append(
        {
            "path": "/etc/systemd/system/twenty-worker.service",
            "permissions": "0644",
            "content": _unit("Twenty worker (yarn worker:prod)", worker_cmd, after=after),
        }
    )
    units.append("twenty-worker.service")
    doc = {
        "write_files": files,
        "runcmd": [["systemctl", "daemon-reload"], *[["systemctl", "start", u] for u in units]],
    }
    return "#cloud-config\n" + yaml.safe_dump(doc, sort_keys=False, width=1000)


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
        plain = plain_env(cfg, storage.bucket.name, runs_migrations=False)
        self.cloud_init = pulumi.Output.all(**plain).apply(
            lambda resolved: render_cloud_init(cfg, resolved, secrets_by_env, file_secrets)
        )
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
                        "args": ["yarn", "worker:prod"],
                        "envs": cloud_run_envs(
                            plain_env(cfg, storage.bucket.name, runs_migrations=False),
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
