"""Twenty's environment, shared by the server, the migration job and the worker.

Plain values only in `plain_env`; every credential is a Secret Manager reference in `secret_env`
(env name → secret key), resolved by Cloud Run (`value_source.secret_key_ref`) or, on the VM, by
the boot script with the VM's own service account.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi

from infra.config import CUSTOM_AI_PROVIDERS, StackConfig
from infra.storage import S3_ENDPOINT

REDIS_CA_DIR = "/etc/twenty/redis-ca"
REDIS_CA_FILE = "ca.pem"

# The provider keys Twenty 2.21.0 reads (config-variables.ts); models are picked in Twenty's admin panel.
AI_KEY_ENV = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "google": "GOOGLE_API_KEY",
    "xai": "XAI_API_KEY",
    "groq": "GROQ_API_KEY",
    "mistral": "MISTRAL_API_KEY",
}


def secret_env(cfg: StackConfig) -> dict[str, str]:
    env = {
        "PG_DATABASE_URL": "pg-url",
        "REDIS_URL": "redis-url",
        "APP_SECRET": "app-secret",
        "ENCRYPTION_KEY": "encryption-key",
        "STORAGE_S3_ACCESS_KEY_ID": "s3-access-key-id",
        "STORAGE_S3_SECRET_ACCESS_KEY": "s3-secret-access-key",
    }
    if cfg.google_auth_enabled:
        env["AUTH_GOOGLE_CLIENT_SECRET"] = "google-client-secret"  # noqa: S105 (a secret's name)
    if cfg.ai_provider in CUSTOM_AI_PROVIDERS:
        env["AI_PROVIDERS"] = "ai-providers"  # holds the key: the whole JSON is a secret
    elif cfg.ai_provider != "none":
        env[AI_KEY_ENV[cfg.ai_provider]] = "ai-api-key"
    env.update({name: external_secret_key(sid) for name, sid in cfg.twenty_secret_env.items()})
    if cfg.smtp_enabled and cfg.smtp_user:
        env["EMAIL_SMTP_PASSWORD"] = "smtp-password"  # noqa: S105 (a secret's name)
    return env


def plain_env(
    cfg: StackConfig, bucket_name: pulumi.Input[str], *, runs_migrations: bool, pg_pool: int | None = None
) -> dict[str, Any]:
    """Plain settings of one Twenty process; `pg_pool` overrides PG_POOL_MAX_CONNECTIONS (the worker's)."""
    google = "true" if cfg.google_auth_enabled else "false"
    env: dict[str, Any] = {
        "SERVER_URL": cfg.server_url,
        # Sign-up lock (sign-in-up.service.ts): with multi-workspace off, signing up is possible only
        # while no workspace exists, and the first user becomes server admin; creating any further
        # workspace is limited to server admins. The server stays private until that first
        # workspace exists (workspaceBootstrapped), so the first user is ours.
        "IS_MULTIWORKSPACE_ENABLED": "false",
        "IS_WORKSPACE_CREATION_LIMITED_TO_SERVER_ADMINS": "true",
        "PG_SSL_ALLOW_SELF_SIGNED": "true",  # Cloud SQL's server CA is its own (ssl_mode ENCRYPTED_ONLY)
        "PG_POOL_MAX_CONNECTIONS": str(pg_pool if pg_pool is not None else cfg.pg_pool_max_connections),
        "STORAGE_TYPE": "s3",
        # AWS SDK for JS >= 3.729 sends CRC32 checksums by default; GCS's XML API rejects them.
        "AWS_REQUEST_CHECKSUM_CALCULATION": "WHEN_REQUIRED",
        "AWS_RESPONSE_CHECKSUM_VALIDATION": "WHEN_REQUIRED",
        "STORAGE_S3_REGION": cfg.storage_s3_region,  # 2.21 validates an AWS-style region name
        "STORAGE_S3_NAME": bucket_name,
        "STORAGE_S3_ENDPOINT": S3_ENDPOINT,
        # GCP has no Lambda; 2.21.0's LogicFunctionDriverFactory allows LOCAL with NODE_ENV=production.
        "LOGIC_FUNCTION_TYPE": "LOCAL",
        "AUTH_GOOGLE_ENABLED": google,
        "MESSAGING_PROVIDER_GMAIL_ENABLED": "true"
        if cfg.google_auth_enabled and cfg.gmail_enabled
        else "false",
        "CALENDAR_PROVIDER_GOOGLE_ENABLED": "true"
        if cfg.google_auth_enabled and cfg.calendar_enabled
        else "false",
        # Migrations and cron registration run once per rollout, in the migration job only.
        "DISABLE_DB_MIGRATIONS": "false" if runs_migrations else "true",
        "DISABLE_CRON_JOBS_REGISTRATION": "false" if runs_migrations else "true",
    }
    if cfg.google_auth_enabled:
        env["AUTH_GOOGLE_CLIENT_ID"] = cfg.google_client_id
        env["AUTH_GOOGLE_CALLBACK_URL"] = cfg.google_callback_url
        env["AUTH_GOOGLE_APIS_CALLBACK_URL"] = cfg.google_apis_callback_url
    env.update(email_env(cfg))
    if cfg.ai_model and cfg.ai_provider != "none":
        # ARRAY variables accept a JSON list (type-transformers.registry.ts)
        env["AI_MODELS_DEFAULT_SMART"] = env["AI_MODELS_DEFAULT_FAST"] = json.dumps([cfg.ai_model])
        env["AI_MODELS_DEFAULT_RECOMMENDED"] = json.dumps([cfg.ai_model])
    env.update(cfg.twenty_env)
    if cfg.redis_mode == "memorystore":
        env["NODE_EXTRA_CA_CERTS"] = f"{REDIS_CA_DIR}/{REDIS_CA_FILE}"
    return env


def external_secret_key(secret_id: str) -> str:
    """The Secrets key under which an operator-made secret (twentySecretEnv) is granted and referenced."""
    return f"ext:{secret_id}"


def ai_providers_doc(cfg: StackConfig, api_key: str) -> str:
    """AI_PROVIDERS for a custom endpoint: one OpenAI-compatible provider with the stack's model.

    2.21 merges it over its catalog (provider-config.service.ts) and names the model
    `<provider>/<model>` (composite-model-id.util.ts). Azure uses its v1 API, which is
    OpenAI-compatible at https://<resource>.openai.azure.com/openai/v1 (the same URL the apps use).
    """
    model = cfg.ai_model.split("/", 1)[1]
    provider = {
        "npm": "@ai-sdk/openai-compatible",
        "name": cfg.ai_provider,
        "label": {"azure": "Azure OpenAI", "openai-compatible": "OpenAI-compatible"}[cfg.ai_provider],
        "baseUrl": cfg.ai_base_url.rstrip("/"),
        "apiKey": api_key,
        "models": [{"name": model, "label": model}],
    }
    return json.dumps({cfg.ai_provider: provider}, separators=(",", ":"))


def ai_providers_json(cfg: StackConfig, api_key: pulumi.Input[str]) -> pulumi.Output[str]:
    """ai_providers_doc with the key from `pulumi config set --secret` (the result stays secret)."""
    return pulumi.Output.secret(pulumi.Output.from_input(api_key).apply(lambda k: ai_providers_doc(cfg, k)))


def email_env(cfg: StackConfig) -> dict[str, str]:
    """EMAIL_* of config-variables.ts (2.21 defaults EMAIL_DRIVER to LOGGER: nothing is sent)."""
    if not cfg.smtp_enabled:
        return {"EMAIL_DRIVER": "LOGGER"}
    env = {
        "EMAIL_DRIVER": "SMTP",
        "EMAIL_SMTP_HOST": cfg.smtp_host,
        "EMAIL_SMTP_PORT": str(cfg.smtp_port),
        "EMAIL_SMTP_NO_TLS": "true" if cfg.smtp_no_tls else "false",
        "EMAIL_FROM_ADDRESS": cfg.email_from_address,
        "EMAIL_FROM_NAME": cfg.email_from_name,
    }
    if cfg.smtp_user:
        env["EMAIL_SMTP_USER"] = cfg.smtp_user
    return env


def cloud_run_envs(plain: dict[str, Any], secrets: dict[str, str], secret_id: Any) -> list[dict[str, Any]]:
    """Env entries for a Cloud Run v2 container (service, job or worker pool)."""
    envs: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in plain.items()]
    envs += [
        {"name": k, "value_source": {"secret_key_ref": {"secret": secret_id(key), "version": "latest"}}}
        for k, key in secrets.items()
    ]
    return envs
