"""The repository cites its own copy of the 2.21.0 capture, never a development machine's folders
(issue 17: docs/apps.md and deploy/flags.py pointed at /work/shared/...)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MACHINE_PATH = re.compile(r"/work/(shared|live|main)/|/home/[a-z]+/|/Users/[A-Za-z]+/")


def test_no_tracked_file_cites_a_development_machine_path() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offenders = []
    for name in files.split():
        if not name.endswith((".py", ".md", ".ts", ".mjs", ".yaml", ".yml", ".toml")) or name.startswith(
            "tests/"
        ):
            continue
        text = (ROOT / name).read_text(errors="ignore")
        offenders += [f"{name}: {m.group(0)}" for m in MACHINE_PATH.finditer(text)]
    assert not offenders, offenders


def test_the_cited_capture_is_in_the_repository() -> None:
    for cited in (
        "db/feature-flags.txt",
        "app-sync/NOTES.md",
        "examples/001-list-companies-filter-limit2.json",
    ):
        assert (ROOT / "contract" / "twenty-2.21.0" / cited).is_file(), cited


def test_the_capture_copy_holds_no_recipe_for_building_twenty() -> None:
    """The repository never says how Twenty or its SDK were built from source; the capture's own
    notes are redacted on the way in (tooling/refresh_contract.py REDACTIONS)."""
    from tooling.refresh_contract import CONTRACT_DIR, REDACTIONS

    recipe = re.compile(r"built from source|Build the SDK|vite build|rollup -c|packages/twenty-sdk`")
    for relative in REDACTIONS:
        text = (CONTRACT_DIR / relative).read_text()
        assert not recipe.search(text), relative
