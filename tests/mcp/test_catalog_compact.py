"""tools/list written shorter (catalog.compact_schema): every tool's compact inputSchema accepts and
refuses exactly what pydantic's schema did, checked on probe arguments built from each schema."""

from __future__ import annotations

import itertools
from typing import Any

import jsonschema
import pytest

from mcp_server import catalog
from mcp_server.catalog import compact_schema

PLAIN = [None, "x", "", "a" * 300, 0, -1, 7, 1.5, True, [], {}, ["x"], "0b9f6f6e-2c1d-4c35-9a53-1f0d8c7b2e10"]


def _candidates(schema: Any, defs: dict[str, Any], depth: int) -> list[Any]:
    """Values worth trying against `schema`: plain ones, its enum/const values, and (to a depth)
    objects and arrays built from its properties' and items' own candidates."""
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        return _candidates(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, depth)
    out: list[Any] = [*schema.get("enum", []), *([schema["const"]] if "const" in schema else [])]
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            out += _candidates(sub, defs, depth)
    if depth <= 0:
        return out
    props = schema.get("properties") or {}
    if props:
        required = {
            name: (_candidates(props[name], defs, depth - 1) or ["x"])[0]
            for name in schema.get("required", [])
        }
        out.append(required)
        for name, sub in props.items():
            for value in _candidates(sub, defs, depth - 1)[:8] + PLAIN:
                out.append({**required, name: value})
        out.append({**required, "unknown_key": 1})
    if isinstance(schema.get("items"), dict):
        out += [[v] for v in _candidates(schema["items"], defs, depth - 1)[:12] + PLAIN]
    return out


def _tools(compact: bool) -> dict[str, dict[str, Any]]:
    return {e["definition"]["name"]: e["definition"] for e in catalog.generate(compact=compact)["tools"]}


@pytest.fixture(scope="module")
def both() -> tuple[dict[str, Any], dict[str, Any]]:
    return _tools(False), _tools(True)


def test_committed_catalogue_is_the_compact_one(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    loaded = catalog.load()
    assert loaded is not None
    assert {e["definition"]["name"]: e["definition"] for e in loaded["tools"]} == both[1]


def test_compact_schemas_accept_and_refuse_what_pydantics_did(
    both: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    full, short = both
    assert set(full) == set(short)
    checked = 0
    for name in sorted(full):
        a, b = full[name]["inputSchema"], short[name]["inputSchema"]
        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        va = jsonschema.Draft202012Validator(a, format_checker=checker)
        vb = jsonschema.Draft202012Validator(b, format_checker=checker)
        probes = _candidates(a, a.get("$defs", {}), depth=3)
        for probe in itertools.islice(probes, 4000):
            assert va.is_valid(probe) == vb.is_valid(probe), (name, probe)
            checked += 1
        # descriptions, names and annotations an agent reads are all still there
        assert full[name]["description"].split() == short[name]["description"].split()
        ann_a, ann_b = full[name]["annotations"], short[name]["annotations"]
        assert {
            k: v for k, v in ann_a.items() if not (k == "idempotentHint" and ann_a["readOnlyHint"])
        } == ann_b
    assert checked > 2000  # 2,513 probe arguments when written


@pytest.mark.parametrize(
    ("schema", "short"),
    [
        (
            {
                "anyOf": [{"type": "string", "maxLength": 9}, {"type": "null"}],
                "default": None,
                "description": "a\n    b",
            },
            {"type": ["string", "null"], "maxLength": 9, "description": "a b"},
        ),
        (
            {"anyOf": [{"enum": ["A", "B"], "type": "string"}, {"type": "null"}], "default": None},
            {"enum": ["A", "B", None], "type": ["string", "null"]},
        ),
        (
            {"anyOf": [{"const": "K", "type": "string"}, {"type": "null"}]},
            {"enum": ["K", None], "type": ["string", "null"]},
        ),
        (  # a $ref keeps its anyOf
            {"anyOf": [{"$ref": "#/$defs/Cell"}, {"type": "null"}], "default": None},
            {"anyOf": [{"$ref": "#/$defs/Cell"}, {"type": "null"}]},
        ),
        (
            {"type": "object", "additionalProperties": True, "default": {"a": None}},
            {"type": "object", "default": {"a": None}},
        ),
        (  # property names are names, not keywords; enum values are values
            {"properties": {"default": {"type": "string"}, "discriminator": {"enum": [None, {"x": 1}]}}},
            {"properties": {"default": {"type": "string"}, "discriminator": {"enum": [None, {"x": 1}]}}},
        ),
        (
            {"oneOf": [{"$ref": "#/$defs/A"}], "discriminator": {"propertyName": "kind"}},
            {"oneOf": [{"$ref": "#/$defs/A"}]},
        ),
    ],
)
def test_compact_schema(schema: dict[str, Any], short: dict[str, Any]) -> None:
    assert compact_schema(schema) == short
