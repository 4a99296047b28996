"""Composition of one Twenty environment: `build_environment(cfg, user_secrets) -> Environment`.

A pure function of a validated StackConfig, so tests and the offline plan build any variant
without pulumi.Config; `__main__.py` only loads the stack's settings and calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from infra.cache import REDIS_VM_PORT, Cache
from infra.config import CUSTOM_AI_PROVIDERS, StackConfig
from infra.database import Database
from infra.domain import Domain
from infra.identity import Identity
from infra.mcp_service import McpService
from infra.network import Network
from infra.outputs import StackOutputs
from infra.secrets import Secrets, SecretSpec
from infra.storage import Storage
from infra.twenty_env import ai_providers_json, external_secret_key
from infra.twenty_server import TwentyServer
from infra.twenty_worker import TwentyWorker
from infra.usage_dashboard import USAGE_JOB_READER, UsageDashboard


@dataclass
class Environment:
    cfg: StackConfig
    identity: Identity
    network: Network
    database: Database
    cache: Cache
    storage: Storage
    secrets: Secrets
    server: TwentyServer
    worker: TwentyWorker
    domain: Domain
    mcp: McpService
    usage: UsageDashboard

    def _redis_host(self) -> pulumi.Output[str] | str:
        if self.cache.instance is not None:
            return self.cache.instance.host
        assert self.cache.vm_address is not None
        return self.cache.vm_address.address

    def outputs(self) -> dict[str, Any]:
        """Stack outputs the deploy, MCP and staging tasks read: the fields of infra.outputs.StackOutputs."""
        out = self._outputs()
        unknown = set(out) - set(StackOutputs.model_fields)
        if unknown:
            raise KeyError(
                f"outputs {sorted(unknown)} are not fields of infra.outputs.StackOutputs; add them there"
            )
        return out

    def _outputs(self) -> dict[str, Any]:
        cfg = self.cfg
        worker = self.worker
        return {
            "project": cfg.project,
            "region": cfg.region,
            "profile": cfg.profile,
            "server_url": cfg.server_url,
            "server_service": self.server.service.name,
            "server_uri": self.server.service.uri,
            "migrate_job": self.server.migrate.name,
            "dns_records": self.domain.dns_records,
            "mcp_service": self.mcp.service.name,
            "mcp_uri": self.mcp.service.uri,
            "mcp_public_url": self.mcp.public_url,
            "mcp_image_repository": self.mcp.image_repository,
            "usage_dashboard_job": self.usage.job.name,
            "sql_instance": self.database.instance.name,
            "sql_connection_name": self.database.instance.connection_name,
            "sql_database": self.database.database.name,
            "sql_user": self.database.user.name,
            "bucket": self.storage.bucket.name,
            "worker_mode": cfg.worker_mode,
            "worker_name": worker.instance.name if worker.instance is not None else worker.pool.name,  # type: ignore[union-attr]
            "worker_zone": cfg.worker_zone if worker.instance is not None else cfg.region,
            **(
                {"worker_vm": worker.instance.name, "zone": cfg.worker_zone}
                if worker.instance is not None
                else {}
            ),
            "redis_mode": cfg.redis_mode,
            "redis_host": self._redis_host(),
            "redis_port": 6378 if self.cache.instance is not None else REDIS_VM_PORT,
            "redis_url_secret": self.secrets.secret_id("redis-url"),
            "db_url_secret": self.secrets.secret_id("pg-url"),
            # the names inv deploy / inv ops read (deploy/stack.py)
            "artifact_repo": self.mcp.image_repository,
            "db_name": self.database.database.name,
            "db_user": self.database.user.name,
            "secret_ids": {key: self.secrets.secret_id(key) for key in self.secrets.secrets},
            "twenty_api_key_secret": self.secrets.secret_id("twenty-api-key"),
            "deploy_user_secret": self.secrets.secret_id("deploy-user"),
            "network": self.network.vpc.id,
            **({"redis_instance": self.cache.instance.name} if self.cache.instance is not None else {}),
            **(
                {"redis_auth_secret": self.secrets.secret_id("redis-password")}
                if "redis-password" in self.secrets.secrets
                else {}
            ),
            "service_accounts": {
                "server": self.identity.server_sa.email,
                "worker": self.identity.worker_sa.email,
                "mcp": self.identity.mcp_sa.email,
                "usage_job": self.identity.usage_sa.email,
                **(
                    {"usage_invoker": self.usage.invoker_sa.email}
                    if self.usage.invoker_sa is not None
                    else {}
                ),
            },
        }


def _secret_specs(
    cfg: StackConfig,
    identity: Identity,
    database: Database,
    cache: Cache,
    storage: Storage,
    user_secrets: dict[str, pulumi.Input[str]],
) -> list[SecretSpec]:
    twenty = {"server": identity.server_sa, "worker": identity.worker_sa}
    specs = [
        SecretSpec("pg-url", "PG_DATABASE_URL", database.url, twenty),
        SecretSpec("redis-url", "REDIS_URL", cache.url, twenty),
        SecretSpec(
            "app-secret", "APP_SECRET (rotating it invalidates Twenty API keys)", readers=twenty, generate=32
        ),
        SecretSpec("encryption-key", "ENCRYPTION_KEY (at-rest encryption)", readers=twenty, generate=32),
        SecretSpec("s3-access-key-id", "HMAC access id for GCS", storage.access_id, twenty),
        SecretSpec("s3-secret-access-key", "HMAC secret for GCS", storage.secret, twenty),
    ]
    if cache.password is not None:
        specs.append(
            SecretSpec(
                "redis-password",
                "Redis AUTH on the worker VM",
                cache.password.result,
                {"worker": identity.worker_sa},
            )
        )
    if cache.ca_cert is not None:
        specs.append(
            SecretSpec("redis-ca", "Memorystore server CA (for NODE_EXTRA_CA_CERTS)", cache.ca_cert, twenty)
        )
    if cfg.google_auth_enabled:
        specs.append(
            SecretSpec(
                "google-client-secret",
                "AUTH_GOOGLE_CLIENT_SECRET",
                user_secrets.get("googleClientSecret"),
                twenty,
            )
        )
    if cfg.ai_provider in CUSTOM_AI_PROVIDERS:
        key = user_secrets.get("aiApiKey")
        value = ai_providers_json(cfg, key) if key is not None else None
        specs.append(
            SecretSpec("ai-providers", f"AI_PROVIDERS ({cfg.ai_provider} endpoint and key)", value, twenty)
        )
    elif cfg.ai_provider != "none":
        specs.append(
            SecretSpec("ai-api-key", f"{cfg.ai_provider} API key", user_secrets.get("aiApiKey"), twenty)
        )
    for name, secret_id in sorted(cfg.twenty_secret_env.items()):
        specs.append(SecretSpec(external_secret_key(secret_id), name, readers=twenty, external=secret_id))
    if cfg.smtp_enabled and cfg.smtp_user:
        specs.append(
            SecretSpec("smtp-password", "EMAIL_SMTP_PASSWORD", user_secrets.get("smtpPassword"), twenty)
        )
    specs += [
        SecretSpec("mcp-sealing-key", "MCP_SEALING_KEY", readers={"mcp": identity.mcp_sa}, generate=32),
        SecretSpec("mcp-admin-token", "MCP_ADMIN_TOKEN", readers={"mcp": identity.mcp_sa}, generate=32),
        # Filled in by the bootstrap (a Twenty API key for `inv deploy`); the monthly usage-dashboard
        # job is the one workload that reads it (TWENTY_API_KEY, as the MCP server takes it).
        SecretSpec(
            "twenty-api-key",
            "Twenty API key used by inv deploy and the usage-dashboard job",
            readers={USAGE_JOB_READER: identity.usage_sa},
        ),
        # {"email", "password"} of the user inv deploy logs in as for what 2.21 refuses API keys
        # (workflow activation, blocklist writes); filled by the user or stage.test's bootstrap.
        SecretSpec("deploy-user", "Twenty deploy user's credentials (JSON)"),
    ]
    return specs


def build_environment(
    cfg: StackConfig, user_secrets: dict[str, pulumi.Input[str]] | None = None
) -> Environment:
    user_secrets = user_secrets or {}
    identity = Identity("identity", cfg)
    after_apis = pulumi.ResourceOptions(depends_on=identity.apis)
    network = Network("network", cfg, opts=after_apis)
    database = Database("database", cfg, network, opts=after_apis)
    cache = Cache("cache", cfg, network, opts=after_apis)
    storage = Storage("storage", cfg, identity, opts=after_apis)
    secrets = Secrets(
        "secrets", cfg, _secret_specs(cfg, identity, database, cache, storage, user_secrets), opts=after_apis
    )
    server = TwentyServer("twenty-server", cfg, identity, network, storage, secrets, opts=after_apis)
    worker = TwentyWorker("twenty-worker", cfg, identity, network, storage, cache, secrets, opts=after_apis)
    domain = Domain("domain", cfg, server, opts=after_apis)
    mcp = McpService("mcp", cfg, identity, storage, secrets, server.service.uri, opts=after_apis)
    usage = UsageDashboard("usage-dashboard", cfg, identity, secrets, server.service.uri, opts=after_apis)
    return Environment(
        cfg, identity, network, database, cache, storage, secrets, server, worker, domain, mcp, usage
    )
