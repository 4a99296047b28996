"""A twenty-sdk app's build output (`<app>/.twenty/output/`, made by `npm run build` in apps/):
the manifest `syncApplication` takes and the files uploaded before it (app-sync/NOTES.md)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deploy.runner import Runner

CONTENT_TYPES = {".json": "application/json", ".lock": "text/plain"}


class BuildMissing(FileNotFoundError):
    pass


@dataclass(frozen=True)
class BuiltFile:
    folder: str  # FileFolder enum: BuiltLogicFunction | Dependencies | BuiltFrontComponent | PublicAsset
    path: str  # filePath as the manifest names it
    local: Path

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.local.suffix, "application/octet-stream")

    def md5(self) -> str:
        return hashlib.md5(self.local.read_bytes(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class BuiltApp:
    name: str
    output: Path
    manifest: dict[str, Any]
    files: list[BuiltFile]

    @property
    def universal_identifier(self) -> str:
        return str(self.manifest["application"]["universalIdentifier"])

    @property
    def display_name(self) -> str:
        return str(self.manifest["application"].get("displayName") or self.name)

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        return dict(self.manifest["application"].get("applicationVariables") or {})

    def routes(self) -> list[tuple[str, str, str]]:
        """(function name, HTTP method, path) of every route trigger (served under /s/)."""
        out = []
        for fn in self.manifest.get("logicFunctions") or []:
            route = fn.get("httpRouteTriggerSettings")
            if route:
                out.append((str(fn.get("name")), str(route.get("httpMethod", "GET")), str(route["path"])))
        return out

    def checksum_problems(self) -> list[str]:
        """Built handlers must match the md5 the manifest declares (Twenty checks it too)."""
        problems = []
        for fn in self.manifest.get("logicFunctions") or []:
            f = self.output / str(fn.get("builtHandlerPath"))
            want = fn.get("builtHandlerChecksum")
            if f.is_file() and want and BuiltFile("", "", f).md5() != want:
                problems.append(f"{f}: md5 differs from builtHandlerChecksum in the manifest; "
                                "rebuild the app")
        return problems


def load_built_app(name: str, output: Path) -> BuiltApp:
    mf = output / "manifest.json"
    if not mf.is_file():
        raise BuildMissing(f"app {name!r} is not built ({mf} is missing): "
                           "run `npm ci && npm run build` in apps/")
    raw = json.loads(mf.read_text(encoding="utf-8"))
    manifest = raw.get("manifest", raw) if isinstance(raw, dict) else raw
    if not isinstance(manifest, dict) or "application" not in manifest:
        raise BuildMissing(f"{mf} has no `application`: not a twenty-sdk manifest; rebuild the app")
    wanted: list[tuple[str, str]] = []
    for fn in manifest.get("logicFunctions") or []:
        wanted.append(("BuiltLogicFunction", str(fn["builtHandlerPath"])))
    for fc in manifest.get("frontComponents") or []:
        path = fc.get("builtComponentPath")
        if path:
            wanted.append(("BuiltFrontComponent", str(path)))
    for asset in manifest.get("publicAssets") or []:
        path = asset.get("filePath")
        if path:
            wanted.append(("PublicAsset", str(path)))
    for dep in ("package.json", "yarn.lock"):
        if (output / dep).is_file():
            wanted.append(("Dependencies", dep))
    files, missing = [], []
    for folder, path in wanted:
        local = output / path
        (files if local.is_file() else missing).append(BuiltFile(folder, path, local))
    if missing:
        raise BuildMissing(f"app {name!r}: built files missing under {output}: "
                           + ", ".join(f.path for f in missing) + "; rebuild with `npm run build` in apps/")
    return BuiltApp(name, output, manifest, files)


LOCK_STAMP = Path("node_modules") / ".twenty-gcp-lock.sha256"


def lock_digest(apps_dir: Path) -> str:
    return hashlib.sha256((apps_dir / "package-lock.json").read_bytes()).hexdigest()


def node_modules_current(apps_dir: Path) -> bool:
    """True when apps/node_modules was installed from today's package-lock.json. A node_modules
    left by an older lockfile (e.g. before the @twenty-gcp/apps-shared workspace link) is stale."""
    stamp = apps_dir / LOCK_STAMP
    if not stamp.is_file() or not (apps_dir / "package-lock.json").is_file():
        return False
    return stamp.read_text().strip() == lock_digest(apps_dir)


def mark_node_modules_current(apps_dir: Path) -> None:
    """Remember which lockfile node_modules was installed from (after a successful `npm ci`)."""
    if (apps_dir / "node_modules").is_dir() and (apps_dir / "package-lock.json").is_file():
        (apps_dir / LOCK_STAMP).write_text(lock_digest(apps_dir) + "\n")


def build_apps(runner: Runner, apps_dir: Path, which: Callable[[str], str | None] | None = None) -> None:
    """`npm ci` (when node_modules is missing or from another lockfile) and `npm run build` in apps/:
    the twenty-sdk build of every app into its .twenty/output/."""
    import shutil

    from deploy.preconditions import Problem, require
    from tooling.node import NodeMissing, node_env

    look = which or shutil.which
    problems = [] if look("npm") else [Problem("`npm` is not on PATH",
                                               "install npm (apt-get install npm); Node 24.5+ then comes "
                                               "from the npm registry into ~/.cache/twenty-gcp/node")]
    if not (apps_dir / "package.json").is_file():
        problems.append(Problem(f"{apps_dir}/package.json is missing", "pass the repository's apps/ folder"))
    env: dict[str, str] = {}
    if not problems and which is None:  # twenty-sdk 2.23 needs Node ^24.5: fetched into a cache if older
        try:
            env = node_env(install=not runner.dry_run)
        except NodeMissing as err:
            problems.append(Problem(err.what, err.fix))
    require("deploy (build apps)", problems, runner)
    if not node_modules_current(apps_dir):
        runner.run(["npm", "ci", "--prefix", str(apps_dir), "--no-audit", "--no-fund"], capture=False,
                   env=env)
        if not runner.dry_run:
            mark_node_modules_current(apps_dir)
    runner.run(["npm", "run", "build", "--prefix", str(apps_dir)], capture=False, env=env)
