"""Invoke tasks for `deploy` (the reconciler) and `bootstrap`. Logic lives in deploy/*; bodies
import lazily so `inv --list` stays fast. `inv ops.*` is deploy/ops/tasks.py, `inv mcp.*` is
deploy/mcp_image/tasks.py."""

from __future__ import annotations

from invoke import Collection, Context, task

from deploy.cli import STACK, guard

ONLY = "comma list of kinds: apps,agents,webhooks,workflows,dashboards (default: all, in that order)"


def _deploy(*args, **kwargs):  # type: ignore[no-untyped-def]
    from deploy.deploy_task import run_deploy

    return run_deploy(*args, **kwargs)


@task(default=True, name="apply",
      help={"stack": STACK, "only": ONLY, "dry_run": "plan only: read the workspace, print what would change",
            "rotate_secrets": "push Secret Manager values over secret app variables already set in Twenty",
            "concurrency": "independent items applied at once (the client paces requests)",
            "apps_dir": "manifests folder (default: apps/ of this repository)",
            "build": "build the apps first (npm ci if needed, npm run build in apps/); --no-build to skip"})
def deploy_apply(c: Context, stack: str = "staging", only: str = "", dry_run: bool = False,
                 rotate_secrets: bool = False, concurrency: int = 4, apps_dir: str = "",
                 build: bool = True) -> None:
    """Deploy apps, agents, webhooks and workflows into Twenty (idempotent; only what we own)."""
    guard(_deploy, stack=stack, only=only, dry_run=dry_run, apply=True, rotate_secrets=rotate_secrets,
           concurrency=concurrency, apps_dir=apps_dir, build=build)


@task(help={"stack": STACK, "only": ONLY, "apps_dir": "manifests folder (default: apps/)",
            "build": "build the apps first (npm run build in apps/)"})
def diff(c: Context, stack: str = "staging", only: str = "", apps_dir: str = "", build: bool = False) -> None:
    """Show what `inv deploy` would create / update / leave, without changing anything."""
    guard(_deploy, stack=stack, only=only, dry_run=True, apply=False, rotate_secrets=False,
           concurrency=4, apps_dir=apps_dir, build=build)


@task(help={"stack": STACK, "email": "the first admin's e-mail (the deploy user); needed on the first run",
            "workspace_name": "the workspace's name", "dry_run": "say what would happen, change nothing",
            "url": "a Twenty outside the stack (e.g. http://localhost:3000); needs --secrets-dir",
            "secrets_dir": "with --url: keep the deploy user and key as files (mode 0600) in this folder"})
def bootstrap(c: Context, stack: str = "staging", email: str = "", workspace_name: str = "Twenty",
              dry_run: bool = False, url: str = "", secrets_dir: str = "") -> None:
    """After `pulumi up`: the first workspace and admin (the deploy user), its API key in Secret
    Manager, sign-up closed. Safe to re-run."""
    from deploy.bootstrap import run_bootstrap

    guard(run_bootstrap, stack, email, workspace_name, url, secrets_dir, dry_run)


deploy_ns = Collection(deploy_apply, diff)
