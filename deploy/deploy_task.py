"""`inv deploy` / `inv deploy.diff` end to end: manifests → (build) → target and secrets →
reconcile with progress → report table → exit status."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from pydantic.alias_generators import to_camel
from rich.console import Console

from deploy.appbuild import build_apps
from deploy.context import outputs_for, runner_for
from deploy.manifests import load_manifests
from deploy.mcp import REPO_ROOT
from deploy.reconcile import Outcome, parse_only, reconcile, report_table
from deploy.secrets import ChainSecretSource, EnvSecretSource, GcloudSecretSource, SecretSource
from deploy.target import deploy_user_session, stack_settings, target_from_env, target_from_stack


def require_settings(needed: set[str], settings: dict[str, str], stack: str) -> None:
    """Every `${stack.<key>}` the manifests use must resolve before anything is planned."""
    missing = sorted(needed - settings.keys())
    if missing:
        how = "; ".join(f"`twenty-gcp:{to_camel(k)}` in Pulumi.{stack}.yaml or TWENTY_STACK_{k.upper()}"
                        for k in missing)
        raise SystemExit(f"deploy: the manifests under apps/ need stack settings that are not set: "
                         f"{', '.join(missing)}. Set {how}")


def run_deploy(stack: str, only: str, dry_run: bool, apply: bool, rotate_secrets: bool,
               concurrency: int, apps_dir: str = "", build: bool = False) -> Outcome:
    from twenty_api import TwentyClient

    console = Console()
    kinds = parse_only(only)
    root = Path(apps_dir or os.environ.get("TWENTY_GCP_APPS_DIR") or REPO_ROOT / "apps")
    manifests = load_manifests(root)  # a bad manifest stops here, before any request
    runner = runner_for(False)  # Secret Manager reads are real even under --dry-run (the diff needs them)
    if build and "apps" in kinds:
        build_apps(runner, root)
    target = target_from_env(os.environ)
    outputs = None if target is not None else outputs_for(stack, runner)
    secrets: SecretSource = ChainSecretSource(
        EnvSecretSource(), *([GcloudSecretSource(runner, outputs)] if outputs else []))
    if target is None:
        assert outputs is not None
        target = target_from_stack(outputs.server_url, outputs.deploy_api_key_secret, secrets, stack)
    settings = stack_settings(stack, outputs.model_dump() if outputs else None)
    require_settings(manifests.required_stack_keys(kinds), settings, stack)
    user_secret = outputs.deploy_user_secret if outputs else "twenty-deploy-user"
    # route URLs: the stack's public domain when deploying a stack, else the URL we talk to
    public_url = f"https://{settings['domain']}" if outputs and settings.get("domain") else target.base_url
    applying = apply and not dry_run
    console.print(f"[bold]{'deploy' if applying else 'plan'}[/] → {target.base_url} "
                  f"({target.source}); kinds: {', '.join(kinds)}")

    async def go() -> Outcome:
        async with TwentyClient(target.base_url, api_key=target.api_key) as client:
            return await reconcile(
                client, manifests, stack=settings, secrets=secrets, server_url=public_url,
                apply=applying, dry_run=dry_run, only=kinds, rotate_secrets=rotate_secrets,
                user_session=deploy_user_session(target.base_url, secrets, os.environ, user_secret),
                concurrency=concurrency, console=console)

    outcome = asyncio.run(go())
    console.print(report_table(outcome, applied=applying))
    if outcome.not_deployed:
        names = ", ".join(f"{i.kind}/{i.name}" for i in outcome.not_deployed)
        raise SystemExit(f"deploy: not deployed (failed, blocked or in conflict): {names}; "
                         "see the report above")
    return outcome
