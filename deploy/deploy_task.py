"""`inv deploy` / `inv deploy.diff` end to end: manifests → preconditions (target, key, settings) →
(build) → reconcile with progress → report table → exit status.

Every precondition is checked before anything slow or remote: a missing stack output, deploy key or
`${stack.<key>}` setting stops in seconds with all of them listed, not after minutes of `npm run
build`. Under `--dry-run` nothing is built or written; the workspace is only read for the diff.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic.alias_generators import to_camel
from rich.console import Console

from deploy.appbuild import build_apps
from deploy.context import runner_for
from deploy.manifests import Manifests, load_manifests
from deploy.preconditions import TOOL_FIXES, PreconditionError, Problem
from deploy.reconcile import Outcome, parse_only, reconcile, report_table
from deploy.runner import Runner
from deploy.secrets import ChainSecretSource, EnvSecretSource, GcloudSecretSource, SecretSource
from deploy.stack import StackOutputs, load_outputs
from deploy.target import Target, deploy_user_session, stack_settings, target_from_env, target_from_stack
from infra.problems import REPO_ROOT


def _settings_fix(missing: list[str], stack: str) -> str:
    return "; ".join(f"`twenty-gcp:{to_camel(k)}` in Pulumi.{stack}.yaml or TWENTY_STACK_{k.upper()}"
                     for k in missing)


def require_settings(needed: set[str], settings: dict[str, str], stack: str) -> None:
    """Every `${stack.<key>}` the manifests use must resolve before anything is planned."""
    missing = sorted(needed - settings.keys())
    if missing:
        raise SystemExit(f"deploy: the manifests under apps/ need stack settings that are not set: "
                         f"{', '.join(missing)}. Set {_settings_fix(missing, stack)}")


@dataclass
class Resolved:
    target: Target
    settings: dict[str, str]
    secrets: SecretSource
    outputs: StackOutputs | None


def resolve(stack: str, manifests: Manifests, kinds: list[str], runner: Runner,
            env: Mapping[str, str] | None = None) -> Resolved:
    """Target, deploy key, stack settings: every problem at once as one PreconditionError."""
    from infra.config import ConfigError

    env = os.environ if env is None else env
    problems: list[Problem] = []
    target, outputs = None, None
    try:
        target = target_from_env(env)
    except PreconditionError as e:
        problems += e.problems
    if target is None and not problems:
        try:
            outputs = load_outputs(stack, env)
        except PreconditionError as e:
            problems += e.problems
    if outputs is not None and not outputs.project:
        problems.append(Problem(f"the outputs of stack `{stack}` name no GCP project, so Secret Manager "
                                "cannot be asked for the deploy key",
                                f"run `pulumi up -s {stack}` (it writes the `project` output), or export "
                                "TWENTY_API_URL and TWENTY_API_KEY"))
    settings: dict[str, str] = {}
    try:
        settings = stack_settings(stack, outputs.model_dump() if outputs else None, env)
    except ConfigError as e:
        problems.append(Problem(f"Pulumi.{stack}.yaml: {e}", "correct the setting named above"))
    missing = sorted(manifests.required_stack_keys(kinds) - settings.keys())
    if missing:
        problems.append(Problem(f"the manifests under apps/ need stack settings that are not set: "
                                f"{', '.join(missing)}", f"set {_settings_fix(missing, stack)}"))
    use_gcloud = outputs is not None and bool(outputs.project)
    secrets: SecretSource = ChainSecretSource(
        EnvSecretSource(env), *([GcloudSecretSource(runner, outputs)] if use_gcloud and outputs else []))
    if target is None and use_gcloud and outputs is not None:
        key_secret = outputs.deploy_api_key_secret
        if not key_secret:
            problems.append(Problem(f"the outputs of stack `{stack}` name no deploy key secret "
                                    "(`twenty_api_key_secret`)", f"run `pulumi up -s {stack}`, or export "
                                    "TWENTY_API_URL and TWENTY_API_KEY"))
        elif shutil.which("gcloud") is None and not env.get(EnvSecretSource.var(key_secret)):
            problems.append(Problem(f"`gcloud` is not on PATH (it reads the deploy key `{key_secret}`)",
                                    f"{TOOL_FIXES['gcloud']}; or export {EnvSecretSource.var(key_secret)}"))
        else:
            try:
                target = target_from_stack(outputs.server_url, key_secret, secrets, stack)
            except PreconditionError as e:
                problems += e.problems
    if problems or target is None:
        raise PreconditionError("deploy", problems)
    return Resolved(target, settings, secrets, outputs)


def run_deploy(stack: str, only: str, dry_run: bool, apply: bool, rotate_secrets: bool,
               concurrency: int, apps_dir: str = "", build: bool = False) -> Outcome:
    from twenty_api import TwentyClient

    console = Console()
    kinds = parse_only(only)
    root = Path(apps_dir or os.environ.get("TWENTY_GCP_APPS_DIR") or REPO_ROOT / "apps")
    manifests = load_manifests(root)  # a bad manifest stops here, before any request
    runner = runner_for(False)  # Secret Manager reads are real even under --dry-run (the diff needs them)
    if dry_run:
        console.print("# dry-run: preconditions first; nothing is built, created or changed")
    try:
        resolved = resolve(stack, manifests, kinds, runner)
    except PreconditionError as e:
        console.print(f"[bold red]deploy --stack {stack} cannot run yet[/] (nothing was built or changed):")
        for p in e.problems:
            console.print(f"  - {p.what}\n    fix: {p.fix}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(f"deploy: {len(e.problems)} precondition(s) not met (above)") from None
    target, settings, secrets, outputs = (resolved.target, resolved.settings, resolved.secrets,
                                          resolved.outputs)
    if build and "apps" in kinds:
        if dry_run:
            console.print("would build the apps (npm ci if needed, npm run build in apps/); the diff below "
                          "uses the last build under apps/*/.twenty/output")
        else:
            build_apps(runner, root)
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
        if dry_run:
            raise SystemExit(f"deploy --dry-run: would not deploy (blocked or in conflict): {names}; "
                             "see the report above (an app not built yet is built by the real run)")
        raise SystemExit(f"deploy: not deployed (failed, blocked or in conflict): {names}; "
                         "see the report above")
    return outcome
