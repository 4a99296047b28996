"""Where `inv deploy` deploys to, with which credentials, and the `${stack.<key>}` settings.

Target: TWENTY_API_URL + TWENTY_API_KEY (any Twenty) or the stack: its `server_url` output and
the deploy API key from Secret Manager. Deploy user (for what 2.21 refuses to API keys): the
Secret Manager secret `twenty-deploy-user` holding {"email": …, "password": …}, or
TWENTY_DEPLOY_USER_EMAIL / TWENTY_DEPLOY_USER_PASSWORD.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy.preconditions import PreconditionError, Problem
from deploy.secrets import SecretMissing, SecretSource
from infra.problems import REPO_ROOT

PROJECT = "twenty-gcp"


@dataclass(frozen=True)
class Target:
    base_url: str
    api_key: str
    source: str  # where they came from, for the report (never the key)


def target_from_env(env: Mapping[str, str]) -> Target | None:
    from twenty_api.settings import TwentySettings

    try:
        settings = TwentySettings.from_env(env)
    except ValueError as e:  # pydantic's ValidationError: name the setting and what it wants
        errors = getattr(e, "errors", lambda: [])()
        problems = [Problem(f"TWENTY_{'_'.join(map(str, err['loc'])).upper()}: {err['msg']}",
                            "fix or unset it (unset TWENTY_API_URL/TWENTY_API_KEY to use --stack)")
                    for err in errors] or [Problem(str(e), "fix TWENTY_API_URL / TWENTY_API_KEY")]
        raise PreconditionError("deploy", problems) from None
    url = settings.api_url
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if url and key:
        return Target(url, key, "TWENTY_API_URL / TWENTY_API_KEY")
    if url or key:
        missing = "TWENTY_API_KEY" if url else "TWENTY_API_URL"
        raise PreconditionError("deploy", [Problem(f"{missing} is not set (the other one is)",
                                                   f"export {missing}=… or unset both to use --stack")])
    return None


def target_from_stack(server_url: str | None, key_secret: str, secrets: SecretSource, stack: str) -> Target:
    problems = []
    if not server_url:
        problems.append(Problem(f"stack `{stack}` has no `server_url` output",
                                f"run `inv infra.up --stack {stack}`, or set TWENTY_API_URL/TWENTY_API_KEY"))
    try:
        key = secrets.get(key_secret)
    except SecretMissing as e:
        problems.append(Problem(f"no deploy API key: {e}",
                                f"create a key in Twenty (Settings → APIs & Webhooks) and store it: "
                                f"printf %s KEY | gcloud secrets versions add {key_secret} --data-file=-"))
        key = ""
    if problems:
        raise PreconditionError("deploy", problems)
    return Target(str(server_url), key, f"stack {stack} (key from Secret Manager `{key_secret}`)")


def stack_settings(stack: str, outputs: Mapping[str, Any] | None = None,
                   env: Mapping[str, str] | None = None, root: Path = REPO_ROOT) -> dict[str, str]:
    """`${stack.<key>}` values: the stack's validated settings (Pulumi.<stack>.yaml through
    infra.config, so `twenty-gcp:aiModel` is `ai_model`), then the stack outputs, then
    TWENTY_STACK_<KEY> env overrides. Empty settings count as unset."""
    from infra.config import parse_stack_config, read_stack_file

    env = os.environ if env is None else env
    settings: dict[str, str] = {}
    file = root / f"Pulumi.{stack}.yaml"
    if file.is_file():
        cfg = parse_stack_config(read_stack_file(str(file)), stack)
        for k, v in cfg.model_dump().items():
            if isinstance(v, str | int | float | bool) and v != "":
                settings[k] = str(v)
    for k, v in (outputs or {}).items():
        if isinstance(v, str | int | float):
            settings.setdefault(k, str(v))
    for k, v in env.items():
        if k.startswith("TWENTY_STACK_"):
            settings[k.removeprefix("TWENTY_STACK_").lower()] = v
    for k, v in apps_ai_settings(settings).items():
        settings.setdefault(k, v)
    return settings


# OpenAI-compatible API base URLs of the providers infra can configure (each provider's API docs);
# azure and openai-compatible bring their own (`aiBaseUrl`). Anthropic and Google speak other APIs.
OPENAI_COMPATIBLE_BASE_URLS = {
    "openai": "https://api.openai.com/v1",
    "groq": "https://api.groq.com/openai/v1",
    "mistral": "https://api.mistral.ai/v1",
    "xai": "https://api.x.ai/v1",
}


def apps_ai_settings(settings: Mapping[str, str]) -> dict[str, str]:
    """`apps_ai_base_url` / `apps_ai_model` for the apps that call an OpenAI-compatible API
    themselves (apps.yaml `settings`), from the same stack settings that give Twenty its AI
    provider: Twenty's model id is `<provider>/<model>`, the API wants `<model>`. Nothing when the
    provider has no OpenAI-compatible endpoint (the apps then keep their own values)."""
    provider = settings.get("ai_provider", "")
    model = settings.get("ai_model", "")
    base = settings.get("ai_base_url") or OPENAI_COMPATIBLE_BASE_URLS.get(provider, "")
    if not base or not model:
        return {}
    return {"apps_ai_base_url": base, "apps_ai_model": model.split("/", 1)[-1]}


def deploy_user_session(base_url: str, secrets: SecretSource, env: Mapping[str, str],
                        secret_name: str) -> Callable[[], Awaitable[Any]]:
    """A lazy login: only the first call that needs a user logs in (workflows)."""

    async def login() -> Any:
        from twenty_api import TwentyClient

        email, password = env.get("TWENTY_DEPLOY_USER_EMAIL"), env.get("TWENTY_DEPLOY_USER_PASSWORD")
        if not (email and password):
            try:
                creds = json.loads(secrets.get(secret_name))
                email, password = creds["email"], creds["password"]
            except (SecretMissing, ValueError, KeyError, TypeError) as e:
                raise PermissionError(
                    f"deploy user credentials unavailable ({e}); store "
                    f'{{"email": "...", "password": "..."}} in Secret Manager `{secret_name}` '
                    "or export TWENTY_DEPLOY_USER_EMAIL / TWENTY_DEPLOY_USER_PASSWORD") from e
        return await TwentyClient.login(base_url, email, password)

    return login
