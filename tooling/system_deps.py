"""Installs the Debian packages and Node modules the test suite needs, once, on a fresh machine.

Tests start real PostgreSQL and Redis servers and drive a headless Chromium; the apps under
`apps/` are TypeScript tested with Node's own runner, on Node ^24.5 (tooling/node.py fetches it from
the npm registry when the machine's node is older). None of that can come from PyPI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from infra.problems import REPO_ROOT

APPS = REPO_ROOT / "apps"

# command that proves a package is present -> Debian package that provides it
DEBIAN_PACKAGES: dict[str, str] = {
    "/usr/bin/redis-server": "redis-server",
    "/usr/bin/chromium": "chromium",
    "/usr/bin/chromedriver": "chromium-driver",
}
POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin/initdb"


def missing_debian_packages() -> list[str]:
    missing = [pkg for path, pkg in DEBIAN_PACKAGES.items() if not Path(path).exists()]
    if not list(Path("/").glob(POSTGRES_BIN_GLOB.lstrip("/"))):
        missing.append("postgresql")
    return missing


def ensure_debian_packages() -> None:
    missing = missing_debian_packages()
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(
            f"the tests need these Debian packages: {' '.join(missing)}; "
            f"install them with: sudo apt-get install -y {' '.join(missing)}"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env
    )
    # Debian starts the services it installs; our tests run their own on loopback.
    for service in ("postgresql", "redis-server"):
        subprocess.run(["service", service, "stop"], check=False, capture_output=True)


def node_env() -> dict[str, str]:
    """PATH override for a Node ^24.5 (twenty-sdk 2.23's engines), fetched from the npm registry into
    a cache folder when the machine's node is older; {} when the machine's node fits."""
    from tooling.node import NodeMissing
    from tooling.node import node_env as env_with_node

    try:
        return env_with_node()
    except NodeMissing as err:
        raise SystemExit(str(err)) from None


def ensure_node_modules(env: dict[str, str] | None = None) -> bool:
    """Installs the apps' Node dependencies with Node ^24.5; False when there are no apps to test."""
    if not (APPS / "package.json").exists():
        return False
    if not shutil.which("npm"):
        raise SystemExit(
            "the apps' tests need npm on PATH (Debian: apt-get install npm); Node 24.5+ itself is then "
            "fetched from the npm registry into ~/.cache/twenty-gcp/node"
        )
    from deploy.appbuild import mark_node_modules_current, node_modules_current

    if node_modules_current(APPS):
        return True
    extra = node_env() if env is None else env
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"], cwd=APPS, check=True, env={**os.environ, **extra}
    )
    mark_node_modules_current(APPS)
    return True
