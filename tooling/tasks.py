"""`inv test` and `inv lint`: the commands the README and CI run."""

from __future__ import annotations

from invoke import Context, task


@task(
    help={
        "pytest_args": "extra arguments for pytest, e.g. '-k mcp -x'",
        "no_setup": "skip installing Debian packages and Node modules",
        "python_only": "skip the apps' Node tests",
    }
)
def test(c: Context, pytest_args: str = "", no_setup: bool = False, python_only: bool = False) -> None:
    """Run every test: the apps' Node tests, then pytest (installs what they need first)."""
    from tooling import system_deps

    if not no_setup:
        system_deps.ensure_debian_packages()
    has_apps = (system_deps.APPS / "package.json").exists()
    node: dict[str, str] = {}
    if has_apps and not python_only:
        node = system_deps.node_env()  # Node ^24.5 first on PATH when the machine's is older
        if not no_setup:
            system_deps.ensure_node_modules(node)
        with c.cd(str(system_deps.APPS)):
            c.run("npm test", echo=True, env=node)
    c.run(f"pytest {pytest_args}", echo=True, pty=False, env=node)  # tests that build apps use it too


@task(help={"pytest_args": "extra arguments for pytest, e.g. '-k contract'"})
def live(c: Context, pytest_args: str = "") -> None:
    """Every test marked `live`, against the real Twenty named by TWENTY_LIVE_URL / TWENTY_LIVE_KEY
    (and TWENTY_LIVE_USER_TOKEN for the calls 2.21 refuses to API keys)."""
    import os

    missing = [name for name in ("TWENTY_LIVE_URL", "TWENTY_LIVE_KEY") if not os.environ.get(name)]
    if missing:
        raise SystemExit(f"set {' and '.join(missing)} to the real Twenty 2.21.0 to test against")
    c.run(f"pytest -m live {pytest_args}", echo=True, pty=False)


@task
def lint(c: Context) -> None:
    """Ruff over the whole repository."""
    c.run("ruff check .", echo=True)
