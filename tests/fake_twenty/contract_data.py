"""Locate and load the captured Twenty 2.21 contract (seed data, metadata, examples).

Everything is parsed once per process and cached: the fake copies from these pristine values
whenever it resets its state, so a reset costs a deep copy, not a re-parse.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
ENV_VAR = "TWENTY_CONTRACT_DIR"


class ContractDataMissing(RuntimeError):
    """The captured contract folder is not where we expect it."""


def contract_dir() -> Path:
    """The contract folder: $TWENTY_CONTRACT_DIR, else ../shared/twenty-api next to the repo."""
    override = os.environ.get(ENV_VAR)
    path = Path(override) if override else REPO_ROOT.parent / "shared" / "twenty-api"
    if not (path / "examples").is_dir() or not (path / "seed").is_dir():
        raise ContractDataMissing(
            f"Twenty contract data not found at {path} (expected examples/ and seed/ inside). "
            f"Set {ENV_VAR} to the folder captured from Twenty 2.21.0."
        )
    return path


def _load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def example_paths() -> tuple[Path, ...]:
    return tuple(sorted((contract_dir() / "examples").glob("*.json")))


@cache
def load_example(name: str) -> dict[str, Any]:
    """One captured example by file stem, e.g. ``006-list-objects-metadata``."""
    return _load_json(contract_dir() / "examples" / f"{name}.json")


@cache
def seed_records() -> dict[str, list[dict[str, Any]]]:
    """plural -> captured seed records (workspace 'Apple')."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((contract_dir() / "seed").glob("*.json")):
        if path.name.startswith("_"):
            continue
        out[path.stem] = _load_json(path)
    return out


@cache
def objects_metadata() -> list[dict[str, Any]]:
    """Every object with its fields, as ``GET /rest/metadata/objects`` answered (example 006)."""
    body = load_example("006-list-objects-metadata")["response_body"]
    return body["data"]["objects"]


@cache
def graphql_types() -> dict[str, dict[str, Any]]:
    """Introspected /graphql types by name (used to learn relation targets)."""
    schema = _load_json(contract_dir() / "graphql-introspection.json")["data"]["__schema"]
    return {t["name"]: t for t in schema["types"]}


@cache
def workspace_id() -> str:
    return objects_metadata()[0]["workspaceId"]
