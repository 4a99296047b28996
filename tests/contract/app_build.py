"""The captured app (contract app-sync/app-source) built for real, so a live replay uploads the same
bytes the capture uploaded instead of placeholders a real Twenty would try to run.

The source in the capture is the changed (v2) app; v1 differs in two literals (app-sync/NOTES.md:
the first deploy answered ``"version":"v1"`` and set ``set-by-hello-sync-v1``). twenty-sdk 2.23's
build of each reproduces the captured ``builtHandlerChecksum`` exactly, which Twenty checks.
The capture's package.json was the 2.21 CLI's; ours is uploaded instead and the manifest's
``packageJsonChecksum`` is mapped to its md5.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.fake_twenty import contract_data

REPO = Path(__file__).resolve().parents[2]
TWENTY_CLI = REPO / "apps" / "node_modules" / ".bin" / "twenty"
V1_EDITS = {
    "src/logic-functions/hello-sync.ts": ("version: 'v2', changed: true,", "version: 'v1',"),
    "src/logic-functions/on-person-created.ts": ("set-by-hello-sync-v2", "set-by-hello-sync-v1"),
}
# example -> (version, file under the build output or the source)
UPLOADS = {
    "195a-cli-apply-5-uploadApplicationFile-hello-sync-mjs": ("v1", "src/logic-functions/hello-sync.mjs"),
    "195b-cli-apply-5-uploadApplicationFile-on-person-created-mjs": (
        "v1",
        "src/logic-functions/on-person-created.mjs",
    ),
    "195c-cli-apply-5-uploadApplicationFile-package-json": ("v1", "package.json"),
    "199k-second-sync-uploadApplicationFile-hello-sync-v2": ("v2", "src/logic-functions/hello-sync.mjs"),
    "199v-sdk223-uploadApplicationFile-source-ts": ("source", "src/logic-functions/hello-sync.ts"),
}


def _build(source: Path, version: str, work: Path) -> Path:
    app = work / version
    shutil.copytree(source, app)
    if version == "v1":
        for rel, (old, new) in V1_EDITS.items():
            text = (app / rel).read_text()
            assert old in text, f"{rel}: the captured source changed; update V1_EDITS"
            (app / rel).write_text(text.replace(old, new))
    (app / "node_modules").symlink_to(REPO / "apps" / "node_modules")
    env = {k: v for k, v in os.environ.items() if k != "INIT_CWD"}
    env["HOME"] = str(work / "home")
    done = subprocess.run(
        [str(TWENTY_CLI), "dev:build", str(app)],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 or "Build succeeded" not in done.stdout:
        raise RuntimeError(f"building the captured app ({version}) failed:\n{done.stdout}\n{done.stderr}")
    return app


def built_uploads() -> tuple[dict[str, bytes], dict[str, str]]:
    """(example name -> bytes to upload, captured checksum -> checksum of what we upload)."""
    if not TWENTY_CLI.exists():
        raise RuntimeError(f"{TWENTY_CLI} is missing: run `npm ci` in apps/ (`inv test` does it)")
    source = contract_data.contract_dir() / "app-sync" / "app-source"
    with tempfile.TemporaryDirectory(prefix="captured-app-") as tmp:
        work = Path(tmp)
        apps = {"v1": _build(source, "v1", work), "v2": _build(source, "v2", work)}
        uploads: dict[str, bytes] = {}
        for example, (version, rel) in UPLOADS.items():
            path = source / rel if version == "source" else apps[version] / ".twenty" / "output" / rel
            uploads[example] = path.read_bytes()
    captured = contract_data.load_json("app-sync/manifest.json")["manifest"]
    ours = hashlib.md5(uploads["195c-cli-apply-5-uploadApplicationFile-package-json"], usedforsecurity=False)
    checksums = {captured["application"]["packageJsonChecksum"]: ours.hexdigest()}
    for fn in captured["logicFunctions"]:  # a sanity check: the build reproduces what was captured
        name = next(k for k, (v, rel) in UPLOADS.items() if v == "v1" and rel == fn["builtHandlerPath"])
        got = hashlib.md5(uploads[name], usedforsecurity=False).hexdigest()
        if got != fn["builtHandlerChecksum"]:
            want = fn["builtHandlerChecksum"]
            raise RuntimeError(f"{fn['builtHandlerPath']}: built md5 {got} != captured {want}")
    return uploads, checksums
