"""What the worker VM runs at boot: cloud-init user-data for Container-Optimized OS, as a pure function.

The boot is four systemd units in a fixed order, each a script in /etc/twenty:

1. `twenty-secrets`   fetch-secrets.sh: every secret named in /etc/twenty/secret-map from Secret Manager
                      with the VM's own service account, retried with exponential backoff (a fresh
                      project's IAM grants take minutes to propagate), into /run/twenty (tmpfs, root only).
2. `twenty-firewall`  host-firewall.sh (Redis on the VM only): COS's host firewall accepts only SSH
                      inbound, so open Redis' port to Cloud Run's egress range, before Redis starts.
3. `twenty-redis`     Redis (Redis on the VM only): AUTH, maxmemory + noeviction, appendonly.
4. `twenty-worker`    registers Twenty's crons (idempotent: BullMQ upsertJobScheduler), then runs
                      `yarn worker:prod`; a Redis flush or restart loses no cron past the next start.

Beside them: `twenty-config-watch` reboots the VM when Pulumi changes its configuration (COS applies
cloud-init at boot only, and Pulumi updates metadata in place), and a daily timer prunes old images.

Every script honours TWENTY_* overrides (root prefix, metadata and Secret Manager URLs, retry timing,
the reboot command) so the tests run them on this machine against local stand-ins.
"""

from __future__ import annotations

import hashlib
import shlex
from dataclasses import dataclass
from typing import Any

import yaml

from infra.cache import REDIS_VM_PORT
from infra.config import StackConfig

REDIS_IMAGE = "redis:7.2-alpine"
CONFIG_SHA_KEY = "twenty-config-sha"  # VM metadata key the config watcher long-polls
ETC = "/etc/twenty"

RETRY_SH = r"""retry() {
  # Exponential backoff, 2 s doubling to 60 s, 12 attempts (~8 min): on a fresh project the VM's
  # token and its secretAccessor grants can take minutes to propagate (IAM access change propagation).
  local attempt=1 delay=${TWENTY_RETRY_BASE_MS:-2000} max=${TWENTY_RETRY_ATTEMPTS:-12}
  until "$@"; do
    if [ "$attempt" -ge "$max" ]; then
      echo "giving up on $1 ${2:-} after $attempt attempts" >&2
      return 1
    fi
    echo "attempt $attempt of $1 ${2:-} failed; retrying in ${delay} ms" >&2
    sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
    if [ "$delay" -gt 60000 ]; then delay=60000; fi
  done
}
"""

FETCH_SECRETS_SH = (
    r"""#!/bin/bash
# Reads every secret named in /etc/twenty/secret-map from Secret Manager with this VM's service
# account and writes them to /run/twenty (tmpfs, root only). Values never touch metadata or disk.
set -euo pipefail
ROOT=${TWENTY_ROOT:-}
MD=${TWENTY_METADATA_URL:-http://metadata.google.internal/computeMetadata/v1}
SM=${TWENTY_SECRETMANAGER_URL:-https://secretmanager.googleapis.com}
"""
    + RETRY_SH
    + r"""project_id() { curl -sf -H 'Metadata-Flavor: Google' "$MD/project/project-id"; }
token() {
  local body
  body=$(curl -sf -H 'Metadata-Flavor: Google' "$MD/instance/service-accounts/default/token") || return 1
  printf '%s' "$body" | sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p' | grep .
}
fetch_once() {
  local body
  body=$(curl -sf -H "Authorization: Bearer $TOKEN" \
    "$SM/v1/projects/$PROJECT/secrets/$1/versions/latest:access") || return 1
  printf '%s' "$body" | sed -n 's/.*"data": *"\([^"]*\)".*/\1/p' | base64 -d
}
fetch() { retry fetch_once "$1"; }
PROJECT=$(retry project_id)
TOKEN=$(retry token)
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
)

# redis.conf is assembled on the VM from the fetched password, after the secrets are read.
REDIS_CONF_SH = (
    "printf 'port {port}\\nrequirepass %s\\nmaxmemory {maxmemory}mb\\nmaxmemory-policy noeviction\\n"
    'appendonly yes\\nprotected-mode no\\n\' "$(cat "$ROOT/run/twenty/redis-password")" '
    '> "$ROOT/run/twenty/redis.conf"\n'
    'chown 999:999 "$ROOT/run/twenty/redis.conf"  # the redis image drops to uid 999\n'
)

HOST_FIREWALL_SH = r"""#!/bin/bash
# Container-Optimized OS's host firewall drops inbound connections except SSH ("Configuring the host
# firewall", Google's COS docs); a VPC firewall rule alone does not reach Redis. Open Redis' port to
# Cloud Run's egress range only. Idempotent: -C checks for the rule before -A appends it.
set -euo pipefail
rule=(INPUT -p tcp -s {source} --dport {port} -j ACCEPT)
iptables -w -C "${{rule[@]}}" 2>/dev/null || iptables -w -A "${{rule[@]}}"
"""

CONFIG_WATCH_SH = r"""#!/bin/bash
# COS applies cloud-init when the VM is created or restarted, never when metadata changes; Pulumi
# updates metadata in place. So wait on the metadata server for this VM's configuration fingerprint
# and reboot when it differs from the one this boot applied.
set -uo pipefail
ROOT=${TWENTY_ROOT:-}
MD=${TWENTY_METADATA_URL:-http://metadata.google.internal/computeMetadata/v1}
REBOOT=${TWENTY_REBOOT_CMD:-systemctl reboot}
applied=$(cat "$ROOT/etc/twenty/config-sha")
etag=0
while true; do
  headers=$(mktemp)
  wanted=$(curl -sf -D "$headers" -H 'Metadata-Flavor: Google' \
    "$MD/instance/attributes/{key}?wait_for_change=true&last_etag=$etag&timeout_sec=${TWENTY_WATCH_TIMEOUT:-300}")
  status=$?
  etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\([^[:space:]]*\).*/\1/p' "$headers"); etag=${etag:-0}
  rm -f "$headers"
  if [ "$status" -eq 0 ] && [ -n "$wanted" ] && [ "$wanted" != "$applied" ]; then
    echo "configuration changed ($applied -> $wanted); rebooting to apply it"
    exec $REBOOT
  fi
  [ "$status" -eq 0 ] || sleep "${TWENTY_WATCH_ERROR_SLEEP:-10}"
done
"""


def _unit(
    description: str,
    exec_start: str,
    *,
    after: tuple[str, ...] = (),
    oneshot: bool = False,
    restart_sec: int = 10,
) -> str:
    lines = ["[Unit]", f"Description={description}", "Wants=network-online.target"]
    lines.append(" ".join(("After=network-online.target", *after)))
    if after:
        lines.append(f"Requires={' '.join(after)}")
    lines += ["", "[Service]"]
    if oneshot:
        # on-failure: a second line of defence behind the scripts' own retries.
        lines += ["Type=oneshot", "RemainAfterExit=yes", "Restart=on-failure", f"RestartSec={restart_sec}"]
    else:
        lines += ["Restart=always", f"RestartSec={restart_sec}"]
    lines += [f"ExecStart={exec_start}", "", "[Install]", "WantedBy=multi-user.target", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class WorkerBoot:
    user_data: str
    config_sha: str  # fingerprint of everything the boot applies; also the CONFIG_SHA_KEY metadata


def firewall_source(cfg: StackConfig) -> str:
    """Cloud Run's egress range: the Direct VPC egress subnet or the connector's range."""
    return cfg.connector_cidr if cfg.vpc_egress == "connector" else cfg.run_subnet_cidr


def worker_command() -> list[str]:
    """The worker container's command: register crons (idempotent), then run the worker."""
    return ["sh", "-c", "yarn command:prod cron:register:all && exec yarn worker:prod"]


def render_worker_boot(
    cfg: StackConfig,
    plain: dict[str, str],
    secrets_by_env: dict[str, str],
    file_secrets: dict[str, str],
    *,
    ca_dir: str = "",
) -> WorkerBoot:
    """cloud-init user-data for Container-Optimized OS. Pure function of resolved plain values."""
    worker_env = "".join(f"{k}={v}\n" for k, v in sorted(plain.items()))
    secret_map = "".join(f"{k} {v}\n" for k, v in sorted(secrets_by_env.items()))
    file_map = "".join(f"{path} {sid}\n" for path, sid in sorted(file_secrets.items()))
    on_vm = cfg.redis_mode == "vm"
    fetch_script = FETCH_SECRETS_SH
    if on_vm:
        fetch_script += REDIS_CONF_SH.format(port=REDIS_VM_PORT, maxmemory=cfg.redis_vm_max_memory_mb)
    mounts = f"-v $ROOT{ca_dir}:{ca_dir}:ro " if ca_dir else ""
    run_worker = (
        "#!/bin/bash\n# The Twenty worker container (Redis, Postgres and GCS over the VM's network).\n"
        "ROOT=${TWENTY_ROOT:-}\ndocker rm -f twenty-worker >/dev/null 2>&1\n"
        "exec docker run --rm --name twenty-worker --network host "
        f"--env-file $ROOT{ETC}/worker.env --env-file $ROOT/run/twenty/secrets.env {mounts}"
        f"{shlex.quote(cfg.twenty_image)} {shlex.join(worker_command())}\n"
    )
    files: list[dict[str, Any]] = [
        {"path": f"{ETC}/fetch-secrets.sh", "permissions": "0700", "content": fetch_script},
        {"path": f"{ETC}/worker.env", "permissions": "0644", "content": worker_env},
        {"path": f"{ETC}/secret-map", "permissions": "0644", "content": secret_map},
        {"path": f"{ETC}/file-secrets", "permissions": "0644", "content": file_map},
        {"path": f"{ETC}/run-worker.sh", "permissions": "0700", "content": run_worker},
        {
            "path": f"{ETC}/config-watch.sh",
            "permissions": "0700",
            "content": CONFIG_WATCH_SH.replace("{key}", CONFIG_SHA_KEY),
        },
    ]
    units: dict[str, str] = {
        "twenty-secrets.service": _unit(
            "Fetch Twenty secrets from Secret Manager",
            f"/bin/bash {ETC}/fetch-secrets.sh",
            oneshot=True,
            restart_sec=30,
        )
    }
    worker_after: tuple[str, ...] = ("twenty-secrets.service",)
    if on_vm:
        files.append(
            {
                "path": f"{ETC}/host-firewall.sh",
                "permissions": "0700",
                "content": HOST_FIREWALL_SH.format(source=firewall_source(cfg), port=REDIS_VM_PORT),
            }
        )
        units["twenty-firewall.service"] = _unit(
            "Open Redis in the host firewall to Cloud Run's egress range",
            f"/bin/bash {ETC}/host-firewall.sh",
            oneshot=True,
        )
        run_redis = (
            "#!/bin/bash\n# Redis with the redis.conf fetch-secrets.sh wrote (AUTH, maxmemory, noeviction).\n"
            "ROOT=${TWENTY_ROOT:-}\ndocker rm -f twenty-redis >/dev/null 2>&1\n"
            "mkdir -p $ROOT/var/lib/twenty-redis\n"
            "exec docker run --rm --name twenty-redis --network host -v $ROOT/var/lib/twenty-redis:/data "
            f"-v $ROOT/run/twenty/redis.conf:/etc/redis.conf:ro {REDIS_IMAGE} redis-server /etc/redis.conf\n"
        )
        files.append({"path": f"{ETC}/run-redis.sh", "permissions": "0700", "content": run_redis})
        units["twenty-redis.service"] = _unit(
            "Redis for Twenty (AUTH, maxmemory, noeviction)",
            f"/bin/bash {ETC}/run-redis.sh",
            after=("twenty-secrets.service", "twenty-firewall.service"),
        )
        worker_after = ("twenty-secrets.service", "twenty-redis.service")
    units["twenty-worker.service"] = _unit(
        "Twenty worker (registers crons, then yarn worker:prod)",
        f"/bin/bash {ETC}/run-worker.sh",
        after=worker_after,
    )
    units["twenty-config-watch.service"] = _unit(
        "Reboot when Pulumi changes this VM's configuration",
        f"/bin/bash {ETC}/config-watch.sh",
        restart_sec=30,
    )
    # Old Twenty images (~2 GB each) would fill the 10 GB boot disk after a few upgrades.
    units["twenty-prune.service"] = (
        "[Unit]\nDescription=Remove container images no container uses\n\n[Service]\nType=oneshot\n"
        "ExecStart=/usr/bin/docker image prune --all --force --filter until=72h\n"
    )
    units["twenty-prune.timer"] = (
        "[Unit]\nDescription=Daily image prune\n\n[Timer]\nOnBootSec=15min\nOnUnitActiveSec=1d\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    files += [
        {"path": f"/etc/systemd/system/{name}", "permissions": "0644", "content": content}
        for name, content in units.items()
    ]
    started = [u for u in units if u != "twenty-prune.service"]
    runcmd: list[list[str]] = [["systemctl", "daemon-reload"], *[["systemctl", "start", u] for u in started]]
    body = yaml.safe_dump({"write_files": files, "runcmd": runcmd}, sort_keys=False, width=1000)
    sha = hashlib.sha256(body.encode()).hexdigest()[:16]
    files.insert(0, {"path": f"{ETC}/config-sha", "permissions": "0644", "content": sha})
    doc = {"write_files": files, "runcmd": runcmd}
    return WorkerBoot("#cloud-config\n" + yaml.safe_dump(doc, sort_keys=False, width=1000), sha)
