"""The stack outputs: the one typed contract between the infra program and its readers.

`Environment.outputs()` exports exactly these keys (tests/infra/test_outputs_contract.py checks it
for every profile), and deploy/ (`deploy.stack.StackOutputs`), the ops runbook and stage.test read
them through this model: no alias lists, no guessed secret names. A rename here is a type error in
the readers and a failing test, not a silent fallback. Pure pydantic: importable without Pulumi.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StackOutputs(BaseModel):
    """Every output a stack may export. Optional where a profile does not have the thing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # identity
    project: str | None = None
    region: str | None = None
    profile: str | None = None
    # Twenty
    server_url: str | None = None  # https://<domain>
    server_service: str | None = None
    server_uri: str | None = None  # the service's own run.app URL (reachable before DNS exists)
    migrate_job: str | None = None
    dns_records: list[dict[str, str]] | None = None
    # MCP server
    mcp_service: str | None = None
    mcp_uri: str | None = None
    mcp_public_url: str | None = None  # the URL it publishes in its OAuth metadata
    mcp_image_repository: str | None = None
    artifact_repo: str | None = None  # = mcp_image_repository
    # the monthly usage-dashboard refresh (infra/usage_dashboard.py)
    usage_dashboard_job: str | None = None  # the Cloud Run job (`gcloud run jobs execute` runs it now)
    # Cloud SQL
    sql_instance: str | None = None
    sql_connection_name: str | None = None
    sql_database: str | None = None
    sql_user: str | None = None
    db_name: str | None = None  # = sql_database
    db_user: str | None = None  # = sql_user
    db_url_secret: str | None = None  # PG_DATABASE_URL (user, password and database in one)
    # files
    bucket: str | None = None
    # worker
    worker_mode: str | None = None
    worker_name: str | None = None
    worker_zone: str | None = None
    worker_vm: str | None = None  # VM worker only
    zone: str | None = None  # VM worker only (= worker_zone)
    # Redis
    redis_mode: str | None = None
    redis_host: str | None = None
    redis_port: int | None = None
    redis_url_secret: str | None = None  # REDIS_URL (scheme and AUTH)
    redis_auth_secret: str | None = None  # Redis on the VM only
    redis_instance: str | None = None  # Memorystore only
    # secrets and identities
    secret_ids: dict[str, str] | None = None
    twenty_api_key_secret: str | None = None  # the Twenty API key inv deploy uses
    deploy_user_secret: str | None = None  # {"email", "password"} of the deploy user
    network: str | None = None
    service_accounts: dict[str, str] | None = None

    @property
    def connection_name(self) -> str | None:
        if self.sql_connection_name:
            return self.sql_connection_name
        if self.project and self.region and self.sql_instance:
            return f"{self.project}:{self.region}:{self.sql_instance}"
        return None


# Exported only on some profiles: field -> (setting, the value it needs).
CONDITIONAL: dict[str, tuple[str, str]] = {
    "worker_vm": ("worker_mode", "vm"),
    "zone": ("worker_mode", "vm"),
    "redis_auth_secret": ("redis_mode", "vm"),
    "redis_instance": ("redis_mode", "memorystore"),
}
