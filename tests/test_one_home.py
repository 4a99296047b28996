"""Every Twenty call lives in `twenty_api`: no GraphQL document and no REST filter string is
written in any other product package (issue 14). Text written *for* people or agents — docstrings,
`description=` of a tool argument, the MCP primer — may show the grammar; nothing sent may."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("deploy", "mcp_server", "staging", "infra", "bench", "tooling")
# documentation for agents: the primer teaches the filter grammar by example
TEACHING = {"mcp_server/primer.py"}

GRAPHQL = re.compile(r"^\s*(query|mutation|subscription)\b[\s\w]*[({]|^\s*\{\s*\w+\s*[({]")
FILTER = re.compile(r"\w\[(eq|neq|gt|gte|lt|lte|in|is|like|ilike|startsWith|endsWith|containsAny)\]:")


def _documentation(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
        if isinstance(node, ast.keyword) and node.arg == "description":
            ids.update(id(sub) for sub in ast.walk(node.value))
    return ids


def _texts(tree: ast.AST, skip: set[int]) -> list[tuple[int, str]]:
    out = []
    parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for node in ast.walk(tree):
        if id(node) in parts:  # a piece of an f-string: judged with the whole string
            continue
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
            out.append((node.lineno, text))
    return out


def offenders() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if rel in TEACHING:
                continue
            tree = ast.parse(path.read_text(), filename=rel)
            for line, text in sorted(_texts(tree, _documentation(tree))):
                if GRAPHQL.search(text) or FILTER.search(text):
                    found.append(f"{rel}:{line}: {text.strip()[:80]!r}")
    return found


def test_no_graphql_document_or_filter_string_outside_twenty_api():
    assert offenders() == [], "write these as named operations / filter builders in twenty_api"


def test_the_scan_finds_what_it_is_for(tmp_path, monkeypatch):
    """The guard is not vacuous: a document, an f-string filter and a shorthand query are caught."""
    import tests.test_one_home as me

    pkg = tmp_path / "deploy"
    pkg.mkdir()
    (pkg / "x.py").write_text(
        'A = "mutation M($i: X!) { m(input: $i) { id } }"\n'
        'def f(v):\n    """query { notThis }"""\n    return f"name[eq]:{v}"\n'
        'B = "{ getRoles { id } }"\n'
    )
    monkeypatch.setattr(me, "REPO", tmp_path)
    monkeypatch.setattr(me, "PACKAGES", ("deploy",))
    assert [o.split(":")[1] for o in me.offenders()] == ["1", "4", "5"]
