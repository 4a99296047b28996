"""Stack outputs: where a stack's services live (project, region, service names, instance names).

Read from the Automation API wrapper (`infra.automation.outputs`) when the Pulumi CLI is there,
else from a JSON file named by `TWENTY_GCP_OUTPUTS` (CI, tests, or `pulumi stack output --json`
saved once). Output names written by the infra program are mapped through `ALIASES`, so a rename
there needs one line here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from deploy.preconditions import PreconditionError, Problem

ALIASES: dict[str, tuple[str, ...]] = {
    "project": ("project", "project_id", "gcp_project"),
    "region": ("region", "gcp_region"),
    "zone": ("zone", "worker_zone"),
    "server_url": ("server_url", "twenty_url", "public_url", "server_uri"),
    "server_service": ("server_service", "server_service_name", "twenty_server_service"),
    "mcp_service": ("mcp_service", "mcp_service_name"),
    "mcp_url": ("mcp_url", "mcp_public_url", "mcp_uri", "mcp_service_url"),
    "artifact_repo": ("artifact_repo", "artifact_registry_repo", "artifact_registry_url", "image_repo"),
    "sql_instance": ("sql_instance", "sql_instance_name", "db_instance", "database_instance"),
    "sql_connection_name": ("sql_connection_name", "db_connection_name", "connection_name"),
    "db_name": ("db_name", "sql_database", "database_name"),
    "db_user": ("db_user", "sql_user", "database_user"),
    "db_password_secret": ("db_password_secret", "db_password_secret_id"),
    "db_url_secret": ("db_url_secret", "pg_url_secret"),
    "redis_url_secret": ("redis_url_secret",),
    "redis_host": ("redis_host",),
    "redis_port": ("redis_port",),
    "redis_auth_secret": ("redis_auth_secret", "redis_auth_secret_id"),
    "worker_vm": ("worker_vm", "worker_instance", "worker_vm_name"),
    "bucket": ("bucket", "bucket_name", "storage_bucket", "backup_bucket"),
    "deploy_api_key_secret": ("deploy_api_key_secret", "twenty_api_key_secret", "api_key_secret"),
    "deploy_user_secret": ("deploy_user_secret", "deploy_user_credentials_secret"),
    "workspace_id": ("workspace_id",),
    "network": ("network", "network_id", "vpc_network", "network_self_link"),
}


class StackOutputs(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    stack: str = ""
    project: str | None = None
    region: str | None = None
    zone: str | None = None
    server_url: str | None = None
    server_service: str = "twenty-server"
    mcp_service: str = "twenty-mcp"
    mcp_url: str | None = None
    artifact_repo: str | None = None
    sql_instance: str | None = None
    sql_connection_name: str | None = None
    db_name: str = "default"
    db_user: str = "twenty"
    db_password_secret: str = "twenty-db-password"  # noqa: S105 (a secret *name*)
    db_url_secret: str | None = None  # PG_DATABASE_URL: user, password and database in one
    redis_url_secret: str | None = None  # REDIS_URL: scheme and AUTH
    redis_host: str | None = None
    redis_port: int = 6378
    redis_auth_secret: str = "twenty-redis-auth"  # noqa: S105 (a secret *name*)
    worker_vm: str = "twenty-worker"
    bucket: str | None = None
    # infra declares `<namePrefix>-twenty-api-key` (output twenty_api_key_secret); this is the default prefix
    deploy_api_key_secret: str = "twenty-twenty-api-key"  # noqa: S105 (a secret *name*)
    deploy_user_secret: str = "twenty-deploy-user"  # noqa: S105 (a secret *name*)
    workspace_id: str | None = None
    network: str | None = None

    @classmethod
    def from_mapping(cls, stack: str, raw: Mapping[str, Any]) -> StackOutputs:
        plain = {k: getattr(v, "value", v) for k, v in raw.items()}
        data: dict[str, Any] = {"stack": stack}
        for name, keys in ALIASES.items():
            for k in keys:
                if plain.get(k) not in (None, ""):
                    data[name] = plain[k]
                    break
        if data.get("sql_connection_name") and not data.get("sql_instance"):
            data["sql_instance"] = str(data["sql_connection_name"]).split(":")[-1]
        if data.get("sql_connection_name") and not data.get("project"):
            data["project"] = str(data["sql_connection_name"]).split(":")[0]
        if data.get("region") and not data.get("zone"):
            data["zone"] = f"{data['region']}-b"
        return cls(**data)

    def need(self, *fields: str) -> list[Problem]:
        return [
            Problem(f"stack `{self.stack}` has no output `{f}`",
                    f"run `inv infra.up --stack {self.stack}` (or add `{f}` to the JSON file in "
                    "TWENTY_GCP_OUTPUTS)")
            for f in fields
            if getattr(self, f, None) in (None, "")
        ]

    @property
    def connection_name(self) -> str | None:
        if self.sql_connection_name:
            return self.sql_connection_name
        if self.project and self.region and self.sql_instance:
            return f"{self.project}:{self.region}:{self.sql_instance}"
        return None


def load_outputs(stack: str, env: Mapping[str, str] | None = None) -> StackOutputs:
    env = os.environ if env is None else env
    path = env.get("TWENTY_GCP_OUTPUTS")
    if path:
        file = Path(path)
        if not file.is_file():
            raise PreconditionError("stack outputs", [Problem(
                f"TWENTY_GCP_OUTPUTS points to {path}, which is not a file",
                f"save them with `pulumi stack output --json --stack {stack} > outputs.json`")])
        try:
            raw = json.loads(file.read_text())
        except json.JSONDecodeError as e:
            raise PreconditionError("stack outputs", [Problem(
                f"{path} is not JSON ({e})", "write the output of `pulumi stack output --json`")]) from e
        return StackOutputs.from_mapping(stack, raw)
    from infra import automation  # the Automation API wrapper (staging workstream)

    if automation.find_pulumi_cli() is None:
        raise PreconditionError("stack outputs", [Problem(
            f"cannot read the outputs of stack `{stack}`: the Pulumi CLI is not installed",
            "install it (curl -fsSL https://get.pulumi.com | sh) or set TWENTY_GCP_OUTPUTS to a JSON "
            "file holding the stack outputs")])
    try:
        raw = automation.outputs(stack)
    except automation.PreconditionError as e:
        raise PreconditionError("stack outputs", [Problem(p, "see above") for p in e.problems]) from e
    except automation.AutomationError as e:
        raise PreconditionError("stack outputs", [Problem(str(e), f"check `pulumi stack ls`; "
                                                  f"is `{stack}` deployed?")]) from e
    return StackOutputs.from_mapping(stack, raw)
