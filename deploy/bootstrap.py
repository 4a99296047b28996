"""`inv bootstrap`: the first workspace and its admin, the deploy user and its API key, sign-up
closed — on a Twenty that `pulumi up` just started, idempotently.

The admin *is* the deploy user: a password account whose credentials live only in Secret Manager
(`deploy_user_secret`, {"email", "password"}), which `inv deploy` uses for what 2.21 refuses to
API keys. People then sign in with Google (or are invited) and never need that password.

Order, so that a run killed at any point converges when re-run:
1. credentials: read the deploy-user secret; if there is none, generate a password and **store it
   before signing up** (a crash after sign-up must not lose the only password);
2. sign in with them; if that fails because the user does not exist, sign up the first workspace
   (2.21 allows that only while the server has no workspace: sign-in-up.service.ts
   isSignUpEnabled); if someone else signed up first, stop and say so;
3. close sign-up: the workspace's public invite link off (`updateWorkspace`); with
   IS_MULTIWORKSPACE_ENABLED=false (our default) 2.21 creates no second workspace, so only
   invited people can join;
4. the deploy API key: keep the stored one if it still answers for this workspace, else create an
   Admin key and store it.
Secret values are never printed.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from deploy.secrets import SecretMissing
from twenty_api.workspace_setup import (
    close_public_invite_link,
    current_workspace,
    mint_api_key,
    sign_up_first_workspace,
)

KEY_NAME = "twenty-gcp deploy"
KEY_DAYS = 365


class BootstrapError(RuntimeError):
    """What `inv bootstrap` cannot do on its own: a bad stored secret, no e-mail, a server taken."""


class SecretStore(Protocol):
    def get(self, name: str) -> str: ...
    def put(self, name: str, value: str) -> None: ...
    def forget(self, name: str) -> None: ...


def _first_message(error: Exception) -> str:
    messages = getattr(error, "messages", None) or [str(error)]
    return str(messages[0]).split(". ")[0].rstrip(".")


@dataclass
class BootstrapReport:
    workspace_id: str = ""
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, what happened)

    def add(self, step: str, what: str) -> None:
        self.steps.append((step, what))


def _credentials(store: SecretStore, user_secret: str, email: str) -> tuple[dict[str, str], bool]:
    """(credentials, created now)."""
    try:
        raw = store.get(user_secret)
    except SecretMissing:
        raw = ""
    if raw:
        try:
            creds = json.loads(raw)
            if isinstance(creds, dict) and creds.get("email") and creds.get("password"):
                return {"email": str(creds["email"]), "password": str(creds["password"])}, False
        except ValueError:
            pass
        raise BootstrapError(f"secret `{user_secret}` does not hold {{\"email\": …, \"password\": …}}; "
                             "fix or delete its latest version, then run `inv bootstrap` again")
    if not email:
        raise BootstrapError("no deploy user yet: pass --email ADDRESS (the first admin's e-mail)")
    creds = {"email": email, "password": secrets.token_urlsafe(24)}
    store.put(user_secret, json.dumps(creds))
    return creds, True


async def bootstrap(
    base_url: str,
    store: SecretStore,
    *,
    user_secret: str,
    key_secret: str,
    email: str = "",
    workspace_name: str = "Twenty",
    say: Callable[[str], None] = lambda _m: None,
) -> BootstrapReport:
    from twenty_api import TwentyAuthError, TwentyClient, TwentyError

    report = BootstrapReport()
    creds, created = _credentials(store, user_secret, email)
    origin = "new password stored in" if created else "from"
    report.add("deploy user", f"{creds['email']} ({origin} `{user_secret}`)")
    say(f"signing in as {creds['email']}")
    try:
        user = await TwentyClient.login(base_url, creds["email"], creds["password"])
        report.add("workspace", "exists; signed in")
    except TwentyAuthError as signin_error:
        say("no such user yet: signing up the first workspace")

        try:
            _, access = await sign_up_first_workspace(base_url, creds["email"], creds["password"],
                                                      workspace_name=workspace_name)
        except TwentyError as e:
            if created:  # the password stored for a sign-up that did not happen is never used
                store.forget(user_secret)
            raise BootstrapError(
                f"this server already has a workspace and {creds['email']} is not in it (sign-in: "
                f"{_first_message(signin_error)}; sign-up: {_first_message(e)}). If someone else signed "
                "up first, remove that workspace (or the database) before anyone uses it; else store its "
                f'admin\'s {{"email", "password"}} in `{user_secret}` and run again') from None
        report.add("workspace", f"created {workspace_name!r}")
        user = TwentyClient(base_url, access_token=access)

    async with user:
        report.workspace_id = str((await current_workspace(user))["id"])
        if await close_public_invite_link(user):
            report.add("sign-up", "closed (public invite link off; no new workspaces)")
        else:
            report.add("sign-up", "already closed")
        report.add("API key", await _ensure_key(user, store, key_secret, report.workspace_id))
    return report


async def _ensure_key(user: Any, store: SecretStore, key_secret: str, workspace_id: str) -> str:
    from twenty_api import TwentyClient, TwentyError

    try:
        stored = store.get(key_secret)
    except SecretMissing:
        stored = ""
    if stored:
        try:
            async with TwentyClient(user.base_url, api_key=stored) as client:
                if await client.workspace_id() == workspace_id:
                    return f"kept (the key in `{key_secret}` answers for this workspace)"
        except TwentyError:
            pass

    _, api_key, role = await mint_api_key(user, key_name=KEY_NAME, key_days=KEY_DAYS)
    store.put(key_secret, api_key)
    return f"created ({role} role, {KEY_DAYS} days), stored in `{key_secret}`"


def proxy_command(outputs: Any, port: int) -> list[str]:
    """`gcloud run services proxy`: the server as the caller, with the caller's identity token.
    A fresh stack keeps the server private (no `allUsers` invoker until workspaceBootstrapped,
    infra/twenty_server.py), so the first sign-up can only come through IAM; it works the same once
    the server is public."""
    return ["gcloud", "run", "services", "proxy", str(outputs.server_service), f"--region={outputs.region}",
            f"--project={outputs.project}", f"--port={port}"]


def run_bootstrap(stack: str, email: str, workspace_name: str, url: str, secrets_dir: str,
                  dry_run: bool, *, runner: Any = None, port: int | None = None) -> BootstrapReport | None:
    """`inv bootstrap`: against the stack's server (through `gcloud run services proxy`) and Secret
    Manager, or (with --url) any Twenty with its secrets kept in --secrets-dir."""
    import asyncio

    from deploy.context import outputs_for, runner_for
    from deploy.preconditions import PreconditionError, Problem
    from deploy.runner import free_port
    from deploy.secrets import DirSecretStore, GcloudSecretStore

    proxy: list[str] | None = None
    if url:
        if not secrets_dir:
            raise PreconditionError("bootstrap", [Problem(
                "--url needs --secrets-dir: a Twenty outside the stack has no Secret Manager here",
                "pass --secrets-dir DIR (files, mode 0600) or drop --url to use the stack")])
        base_url, store = url, DirSecretStore(secrets_dir)
        user_secret, key_secret = "twenty-deploy-user", "twenty-twenty-api-key"
    else:
        runner = runner or runner_for(dry_run)
        outputs = outputs_for(stack, runner)
        problems = outputs.need("server_service", "region", "project", "twenty_api_key_secret",
                                "deploy_user_secret")
        if problems:
            raise PreconditionError("bootstrap", problems)
        port = port or free_port()
        proxy = proxy_command(outputs, port)
        base_url, store = f"http://127.0.0.1:{port}", GcloudSecretStore(runner, outputs)
        user_secret, key_secret = str(outputs.deploy_user_secret), str(outputs.twenty_api_key_secret)
    if dry_run:
        via = f" through `{' '.join(proxy)}`" if proxy else ""
        print(f"bootstrap {base_url}{via}: would sign in as (or sign up) the deploy user from "
              f"`{user_secret}`, close sign-up, and keep or create the API key in `{key_secret}`; "
              "nothing done")
        return None
    handle = runner.background(proxy, wait_port=port, timeout=60) if proxy else None
    try:
        report = asyncio.run(bootstrap(base_url, store, user_secret=user_secret, key_secret=key_secret,
                                       email=email, workspace_name=workspace_name, say=print))
    finally:
        if handle is not None:
            handle.stop()
    print(f"bootstrapped {base_url} (workspace {report.workspace_id})")
    for step, what in report.steps:
        print(f"  {step:<12} {what}")
    if proxy:
        print(f"next: set `twenty-gcp:workspaceBootstrapped: true` in Pulumi.{stack}.yaml and run "
              f"`pulumi up -s {stack}` (the server turns public), then `inv deploy --stack {stack}`")
    return report
