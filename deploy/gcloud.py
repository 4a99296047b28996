"""Pure builders of the gcloud (and proxy) commands the deploy/ops tasks run.

Kept free of side effects so the exact command lines are unit-tested and printed by `--dry-run`.
"""

from __future__ import annotations

import shlex

from deploy.stack import StackOutputs

CLOUD_SQL_PROXY_IMAGE = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1"
MCP_IMAGE_NAME = "twenty-mcp"
CLOUDBUILD_CONFIG = "deploy/mcp_image/cloudbuild.yaml"
MCP_DOCKERFILE = "mcp_server/Dockerfile"


def _scope(out: StackOutputs, *, region: bool = False, zone: bool = False) -> list[str]:
    args = [f"--project={out.project}"]
    if region:
        args.append(f"--region={out.region}")
    if zone:
        args.append(f"--zone={out.zone}")
    return args


def image_repo(out: StackOutputs) -> str:
    """`REGION-docker.pkg.dev/PROJECT/REPO` whatever form the stack output has."""
    repo = (out.artifact_repo or "").rstrip("/")
    if "docker.pkg.dev/" in repo:
        return repo
    if repo.startswith("projects/"):  # projects/P/locations/R/repositories/NAME
        parts = repo.split("/")
        return f"{parts[3]}-docker.pkg.dev/{parts[1]}/{parts[5]}"
    return f"{out.region}-docker.pkg.dev/{out.project}/{repo}"


def mcp_image(out: StackOutputs, tag: str) -> str:
    return f"{image_repo(out)}/{MCP_IMAGE_NAME}:{tag}"


def builds_submit(out: StackOutputs, image: str, source: str = ".") -> list[str]:
    return [
        "gcloud", "builds", "submit", source, *_scope(out, region=True),
        f"--config={source.rstrip('/')}/{CLOUDBUILD_CONFIG}",
        f"--substitutions=_IMAGE={image},_DOCKERFILE={MCP_DOCKERFILE}",
        "--format=json",
    ]


def run_services_update_image(out: StackOutputs, service: str, image: str) -> list[str]:
    return ["gcloud", "run", "services", "update", service, *_scope(out, region=True),
            f"--image={image}", "--quiet", "--format=json"]


def run_services_describe(out: StackOutputs, service: str) -> list[str]:
    return ["gcloud", "run", "services", "describe", service, *_scope(out, region=True), "--format=json"]


def run_jobs_execute(out: StackOutputs, job: str) -> list[str]:
    """Start one execution of a Cloud Run job and wait for it (needs roles/run.invoker on the job)."""
    return ["gcloud", "run", "jobs", "execute", job, *_scope(out, region=True), "--wait"]


def run_revisions_list(out: StackOutputs, service: str, limit: int = 3) -> list[str]:
    return ["gcloud", "run", "revisions", "list", f"--service={service}", *_scope(out, region=True),
            f"--limit={limit}", "--format=table(metadata.name,status.conditions[0].status,"
            "metadata.creationTimestamp,spec.containers[0].image)"]


def logging_read(out: StackOutputs, target: str, *, limit: int, freshness: str) -> list[str]:
    if target == "worker":
        flt = ('resource.type="gce_instance" AND '
               f'labels."compute.googleapis.com/resource_name"="{out.worker_vm}"')
    else:
        service = out.mcp_service if target == "mcp" else out.server_service
        flt = f'resource.type="cloud_run_revision" AND resource.labels.service_name="{service}"'
    return ["gcloud", "logging", "read", flt, *_scope(out), f"--limit={limit}",
            f"--freshness={freshness}", "--order=desc",
            "--format=value(timestamp,severity,textPayload,jsonPayload.message)"]


def iap_ssh(out: StackOutputs, *, command: str | None = None, forwards: list[str] | None = None) -> list[str]:
    """`gcloud compute ssh` through IAP (the worker VM has no external IP)."""
    cmd = ["gcloud", "compute", "ssh", out.worker_vm, *_scope(out, zone=True), "--tunnel-through-iap"]
    if command is not None:
        cmd.append(f"--command={command}")
    if forwards:
        cmd.append("--")
        for f in forwards:
            cmd += ["-L", f]
    return cmd


WORKER_STATUS_SCRIPT = (
    "sudo docker ps --all --format 'table {{.Names}}\\t{{.Status}}\\t{{.Image}}'; "
    "for c in $(sudo docker ps --all --format '{{.Names}}'); do "
    "echo \"== $c (last %(tail)d lines)\"; sudo docker logs --tail %(tail)d \"$c\" 2>&1; done"
)


def worker_status(out: StackOutputs, tail: int = 50) -> list[str]:
    return iap_ssh(out, command=WORKER_STATUS_SCRIPT % {"tail": tail})


def proxy_on_worker(out: StackOutputs, *, local_pg: int, local_redis: int | None = None,
                    remote_pg: int = 5433) -> list[str]:
    """Tunnel to the private Cloud SQL instance: an IAP ssh session to the worker VM (inside the
    VPC) runs the Cloud SQL Auth Proxy (`--private-ip`, IAM-authorised, TLS) and forwards its port
    to this machine; Redis (private too) is forwarded on the same session when asked."""
    forwards = [f"127.0.0.1:{local_pg}:127.0.0.1:{remote_pg}"]
    if local_redis is not None:
        forwards.append(f"127.0.0.1:{local_redis}:{out.redis_host}:{out.redis_port}")
    remote = shlex.join([
        "sudo", "docker", "run", "--rm", "--network=host", CLOUD_SQL_PROXY_IMAGE,
        "--private-ip", "--address=127.0.0.1", f"--port={remote_pg}", str(out.connection_name),
    ])
    return [*iap_ssh(out, forwards=forwards), remote]


def proxy_local(out: StackOutputs, *, local_pg: int) -> list[str]:
    """The Auth Proxy on this machine; only reaches a private-IP instance from inside the VPC
    (Cloud Shell with VPC access, a VPN, a bastion)."""
    return ["cloud-sql-proxy", "--private-ip", "--address=127.0.0.1", f"--port={local_pg}",
            str(out.connection_name)]


def secret_access(out: StackOutputs, secret: str) -> list[str]:
    return ["gcloud", "secrets", "versions", "access", "latest", f"--secret={secret}", *_scope(out)]


def sql_instance_describe(out: StackOutputs) -> list[str]:
    return ["gcloud", "sql", "instances", "describe", str(out.sql_instance), *_scope(out),
            "--format=value(state,settings.tier,databaseVersion,ipAddresses)"]


def sql_backups_create(out: StackOutputs, description: str) -> list[str]:
    return ["gcloud", "sql", "backups", "create", f"--instance={out.sql_instance}", *_scope(out),
            f"--description={description}", "--format=json"]


def sql_export_to_bucket(out: StackOutputs, uri: str) -> list[str]:
    return ["gcloud", "sql", "export", "sql", str(out.sql_instance), uri, *_scope(out),
            f"--database={out.db_name}", "--offload", "--quiet"]


def sql_backups_latest(out: StackOutputs) -> list[str]:
    return ["gcloud", "sql", "backups", "list", f"--instance={out.sql_instance}", *_scope(out),
            "--filter=status=SUCCESSFUL", "--sort-by=~windowStartTime", "--limit=1",
            "--format=value(id)"]


def sql_scratch_create(out: StackOutputs, scratch: str, network: str | None) -> list[str]:
    """A throw-away private instance of the same shape to restore the backup into."""
    cmd = ["gcloud", "sql", "instances", "create", scratch, *_scope(out, region=True),
           "--database-version=POSTGRES_16", "--edition=ENTERPRISE", "--tier=db-g1-small",
           "--no-assign-ip", "--no-backup", "--labels=purpose=restore-drill", "--quiet"]
    if network:
        cmd.append(f"--network={network}")
    return cmd


def sql_backups_restore(out: StackOutputs, backup_id: str, scratch: str) -> list[str]:
    return ["gcloud", "sql", "backups", "restore", backup_id, f"--restore-instance={scratch}",
            f"--backup-instance={out.sql_instance}", *_scope(out), "--quiet"]


def sql_instance_delete(out: StackOutputs, instance: str) -> list[str]:
    return ["gcloud", "sql", "instances", "delete", instance, *_scope(out), "--quiet"]
