"""Copy a captured Twenty contract into the repository (``contract/twenty-<version>/``).

The tests and the fake Twenty read the contract only from the repository, so a clone tests itself
with nothing beside it. Run this after a new capture::

    uv run python -m tooling.refresh_contract ../shared/twenty-api

JSON files larger than ``GZIP_OVER`` bytes are stored gzipped (``name.json.gz``, written with a
fixed mtime so a refresh of the same capture changes nothing); every other file is copied as is.
Files of the old copy that the new capture no longer has are removed.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import sys
from pathlib import Path

from infra.problems import REPO_ROOT

VERSION = "2.21.0"
CONTRACT_DIR = REPO_ROOT / "contract" / f"twenty-{VERSION}"
GZIP_OVER = 256 * 1024
# What the tests and the fake need; the capture's scratch files are not copied.
PARTS = (
    "README.md",
    "examples",
    "oauth",
    "seed",
    "app-sync",
    "webhook-deliveries",
    "db",
    "graphql-introspection.json",
    "metadata-introspection.json",
    "introspection-query.graphql",
    "openapi-core.json",
    "openapi-metadata.json",
    "openapi-core-unauthenticated-stub.json",
)


# How the capture's server and its SDK were built is not ours to keep: the repository never holds
# a recipe that builds Twenty or any fetched code. These passages of the capture's own notes are
# replaced by what they established (file -> [(regex, replacement)]); each must match once.
REDACTIONS: dict[str, list[tuple[str, str]]] = {
    "README.md": [
        (r"\), built from source and started with its worker,", "), running with its worker,"),
        (
            r"Source paths are as in `[^`]*`\n\(the 2\.21\.0 import\);",
            "Source paths are those of Twenty 2.21.0\n(twentyhq/twenty at the 2.21.0 release);",
        ),
    ],
    "app-sync/NOTES.md": [
        (
            r"The 2\.21\.0 `twenty` CLI, built from `[^`]*`, deployed",
            "The 2.21.0 `twenty` CLI deployed",
        ),
        (
            r"\n1\. Build the SDK .*?\n3\. The app,",
            "\n(How the 2.21.0 CLI itself was built is not kept here; the npm `twenty-sdk@2.23.0` below\n"
            "behaves the same.)\n\n3. The app,",
        ),
    ],
}


def _redact(relative: str, text: str) -> str:
    for pattern, replacement in REDACTIONS.get(relative, []):
        text, count = re.subn(pattern, replacement, text, count=1, flags=re.DOTALL)
        if count != 1:
            raise SystemExit(f"{relative}: the passage to leave out ({pattern[:40]}…) is not in this "
                             "capture; update REDACTIONS in tooling/refresh_contract.py")
    return text


def _target_name(src: Path) -> str:
    if src.suffix == ".json" and src.stat().st_size > GZIP_OVER:
        return src.name + ".gz"
    return src.name


def _write(src: Path, dest: Path, relative: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if relative in REDACTIONS:
        dest.write_text(_redact(relative, src.read_text(encoding="utf-8")), encoding="utf-8")
        return
    if dest.name.endswith(".json.gz"):
        data = src.read_bytes()
        with dest.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            gz.write(data)
    else:
        shutil.copyfile(src, dest)


def refresh(source: Path, target: Path = CONTRACT_DIR) -> list[Path]:
    """Mirror ``source`` into ``target``; returns the files written."""
    missing = [part for part in ("examples", "seed") if not (source / part).is_dir()]
    if missing:
        raise SystemExit(f"{source}: not a captured contract (missing {', '.join(missing)}/)")
    wanted: dict[Path, Path] = {}
    for part in PARTS:
        src = source / part
        if not src.exists():
            raise SystemExit(f"{source}: the capture has no {part}")
        files = [src] if src.is_file() else sorted(p for p in src.rglob("*") if p.is_file())
        for f in files:
            rel = f.relative_to(source)
            wanted[target / rel.parent / _target_name(f)] = f
    for dest, src in wanted.items():
        _write(src, dest, src.relative_to(source).as_posix())
    if target.exists():
        for old in sorted(p for p in target.rglob("*") if p.is_file()):
            if old not in wanted:
                old.unlink()
    return sorted(wanted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the captured contract folder, e.g. ../shared/twenty-api")
    args = parser.parse_args(argv)
    written = refresh(args.source.resolve())
    size = sum(p.stat().st_size for p in written)
    print(f"{len(written)} files, {size / 1e6:.1f} MB in {CONTRACT_DIR.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
