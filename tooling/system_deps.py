"""Installs the Debian packages and Node modules the test suite needs, once, on a fresh machine.

Tests start real PostgreSQL and Redis servers and drive a headless Chromium; the apps under
`apps/` are TypeScript tested with Node's own runner. None of that can come from PyPI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APPS = REPO / "apps"

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


def ensure_node_modules() -> bool:
    """Installs the apps' Node dependencies; False when there are no apps to test."""
    if not (APPS / "package.json").exists():
        return False
    if not shutil.which("npm"):
        raise SystemExit("the apps' tests need Node.js 20+ and npm on PATH")
    from deploy.appbuild import mark_node_modules_current, node_modules_current

    if node_modules_current(APPS):
        return True
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=APPS, check=True)
    mark_node_modules_current(APPS)
    return True
