"""Locate and load the captured Twenty 2.21 contract (seed data, metadata, examples).

Everything is parsed once per process and cached: the fake copies from these pristine values
whenever it resets its state, so a reset costs a deep copy, not a re-parse.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
# The one place the captured contract lives; `python -m tooling.refresh_contract` fills it.
CONTRACT_DIR = REPO_ROOT / "contract" / "twenty-2.21.0"


class ContractDataMissing(RuntimeError):
    """The captured contract folder is not where we expect it."""


def contract_dir() -> Path:
    """The contract folder inside the repository (large JSON files are stored as ``.json.gz``)."""
    if not (CONTRACT_DIR / "examples").is_dir() or not (CONTRACT_DIR / "seed").is_dir():
        raise ContractDataMissing(
            f"Twenty contract data not found at {CONTRACT_DIR} (expected examples/ and seed/ inside): "
            "this checkout is incomplete; `python -m tooling.refresh_contract <capture>` rebuilds it."
        )
    return CONTRACT_DIR


def _stored(path: Path) -> Path:
    """``x.json`` as stored: the file itself, or ``x.json.gz`` when it was compressed."""
    if path.exists():
        return path
    packed = path.with_name(path.name + ".gz")
    if packed.exists():
        return packed
    raise FileNotFoundError(f"{path} (nor {packed.name}) is not in the captured contract")


def read_bytes(relative: str | Path) -> bytes:
    """The bytes of a contract file by its captured name, e.g. ``openapi-core.json``."""
    path = _stored(contract_dir() / relative)
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def load_json(relative: str | Path) -> Any:
    """A contract JSON file by its captured name, e.g. ``app-sync/manifest.json``."""
    return json.loads(read_bytes(relative))


def _load_json(path: Path) -> Any:
    return json.loads(read_bytes(path.relative_to(contract_dir())))


def _stem(path: Path) -> str:
    return path.name.removesuffix(".gz").removesuffix(".json")


@cache
def example_paths(folder: str = "examples") -> tuple[Path, ...]:
    """Every captured example as its captured ``NNN-name.json`` path, in replay order."""
    base = contract_dir() / folder
    names = {_stem(p) for p in base.iterdir() if p.name.endswith((".json", ".json.gz"))}
    return tuple(base / f"{name}.json" for name in sorted(names))


@cache
def load_example(name: str, folder: str = "examples") -> dict[str, Any]:
    """One captured example by file stem, e.g. ``006-list-objects-metadata``."""
    return load_json(f"{folder}/{name}.json")


@cache
def seed_records() -> dict[str, list[dict[str, Any]]]:
    """plural -> captured seed records (workspace 'Apple')."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in example_paths("seed"):
        if path.name.startswith("_"):
            continue
        out[_stem(path)] = _load_json(path)
    return out


@cache
def objects_metadata() -> list[dict[str, Any]]:
    """Every object with its fields, as ``GET /rest/metadata/objects`` answered (example 006)."""
    body = load_example("006-list-objects-metadata")["response_body"]
    return body["data"]["objects"]


@cache
def graphql_types() -> dict[str, dict[str, Any]]:
    """Introspected /graphql types by name (used to learn relation targets)."""
    schema = load_json("graphql-introspection.json")["data"]["__schema"]
    return {t["name"]: t for t in schema["types"]}


@cache
def workspace_id() -> str:
    return objects_metadata()[0]["workspaceId"]


def example_by_prefix(prefix: str, folder: str = "examples") -> dict[str, Any]:
    """The one captured example whose name starts with ``prefix`` (e.g. ``"035"`` or ``"035-rest"``)."""
    names = [p for p in example_paths(folder) if p.name.startswith(prefix)]
    if not names:
        raise FileNotFoundError(f"no captured example starts with {prefix!r} in {folder}/")
    return load_example(_stem(names[0]), folder)
