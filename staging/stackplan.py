"""What makes a throwaway stage stack safe beside the long-lived `staging` one in the same project.

- a name prefix of its own (`twenty-gcp:namePrefix`), so its Cloud Run services, SQL instance,
  bucket, service accounts and Secret Manager secrets never collide with staging's;
- a domain of its own under the example's domain (`st-42.crm-staging.example.com`): the domain
  mapping is created (the deploying identity must be a verified owner of the parent domain) but
  no DNS is needed, because the run talks to the Cloud Run URL (`server_uri`);
- the apps' secrets (apps/apps.yaml) are handed to `inv deploy` as environment variables, never
  written under their shared Secret Manager names that the real staging stack reads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from infra.problems import REPO_ROOT

STRIPE_APP, STRIPE_VARIABLE = "stripe-synchronizer", "STRIPE_WEBHOOK_SECRET"
DEFAULT_STRIPE_SECRET_ID = "twenty-app-stripe-webhook-secret"  # noqa: S105 (a secret *name*)
_PREFIX_MAX = 15  # infra.config: name_prefix matches ^[a-z][a-z0-9-]{1,14}$


@dataclass(frozen=True)
class StagePlan:
    overrides: dict[str, str] = field(default_factory=dict)  # plain stack settings written over the example
    app_secret_ids: tuple[str, ...] = ()
    stripe_secret_id: str = DEFAULT_STRIPE_SECRET_ID


def name_prefix(stack: str) -> str:
    """`staging-42` → `st-42`; names too long for GCP resource names get a short stable hash."""
    suffix = stack.removeprefix("staging-")
    prefix = f"st-{suffix}"
    if len(prefix) > _PREFIX_MAX or prefix.endswith("-"):
        prefix = "st-" + hashlib.sha256(suffix.encode()).hexdigest()[:10]
    return prefix


def plan_for(stack: str, root: Path = REPO_ROOT) -> StagePlan:
    prefix = name_prefix(stack)
    overrides = {"twenty-gcp:namePrefix": prefix}
    example = root / "Pulumi.staging.yaml"
    if example.is_file():
        config = (yaml.safe_load(example.read_text()) or {}).get("config") or {}
        domain = config.get("twenty-gcp:domain")
        if domain:
            overrides["twenty-gcp:domain"] = f"{prefix}.{domain}"
    ids, stripe = _app_secrets(root / "apps" / "apps.yaml")
    return StagePlan(overrides=overrides, app_secret_ids=ids, stripe_secret_id=stripe)


def _app_secrets(apps_yaml: Path) -> tuple[tuple[str, ...], str]:
    if not apps_yaml.is_file():
        return (DEFAULT_STRIPE_SECRET_ID,), DEFAULT_STRIPE_SECRET_ID
    apps = (yaml.safe_load(apps_yaml.read_text()) or {}).get("apps") or []
    ids: list[str] = []
    stripe = DEFAULT_STRIPE_SECRET_ID
    for app in apps:
        for variable, secret_id in (app.get("secrets") or {}).items():
            ids.append(str(secret_id))
            if app.get("name") == STRIPE_APP and variable == STRIPE_VARIABLE:
                stripe = str(secret_id)
    if stripe not in ids:
        ids.append(stripe)
    return tuple(dict.fromkeys(ids)), stripe


def secret_env_var(secret_id: str) -> str:
    """The variable `inv deploy` reads a secret from instead of Secret Manager (deploy.secrets)."""
    try:
        from deploy.secrets import EnvSecretSource
    except ImportError:
        return secret_id.upper().replace("-", "_").replace(".", "_")
    return EnvSecretSource.var(secret_id)
