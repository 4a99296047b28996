"""The escape test, generated from the tool catalogue: every published tool is called with hostile
arguments (another object, relation paths in filter/order/group/aggregate, raw GraphQL reaching
across relations, workflow versions, webhooks on other objects) under a `companies`-only scope
and under read-only, and every request the server then sends to Twenty is inspected.

A new tool is covered without anyone adding it here: its arguments come from the catalogue, and
an argument name this file does not know fails `test_every_argument_is_classified` until it is
given a hostile value or a filler.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from mcp_server import catalog
from twenty_api.settings import TwentySettings

pytestmark = pytest.mark.anyio

U1, U2 = str(uuid.uuid4()), str(uuid.uuid4())
RELATION_FILTER = 'accountOwner.name.firstName[eq]:"Tim"'
GQL_RELATION = '{ companies(filter:{accountOwner:{name:{firstName:{eq:"Tim"}}}}) { totalCount } }'

# Hostile values per argument name (tool-specific ones below win).
HOSTILE: dict[str, list[Any]] = {
    "object": ["people", "workspaceMembers"],
    "filter": [RELATION_FILTER, f'or(name[eq]:"x",{RELATION_FILTER})'],
    "order_by": ["accountOwner.name.firstName[AscNullsFirst]"],
    "group_by": ["accountOwner", "accountOwner.name.firstName"],
    "field": ["accountOwner"],
    "objects": [["people"]],
    "operations": [["person.created"], ["*.*"]],
    "personIds": [[U1]],
    "opportunityIds": [[U1]],
    "name_singular": ["person"],
    "depth": [1],
    # dashboards and views: a chart's source object, a record table's object, a relation's fields
    "widgets": [
        [{"kind": "chart", "title": "c", "chart": "aggregate", "object": "people"}],
        [{"kind": "record_table", "title": "t", "object": "workspaceMembers"}],
        [
            {
                "kind": "chart",
                "title": "c",
                "chart": "bar",
                "object": "companies",
                "group_by": "accountOwner.name",
            }
        ],
        [
            {
                "kind": "chart",
                "title": "c",
                "chart": "aggregate",
                "object": "companies",
                "filters": [{"field": "accountOwner", "operand": "IS_EMPTY"}],
            }
        ],
    ],
    "fields": [["name", "accountOwner"]],
    "filters": [[{"field": "accountOwner", "operand": "IS_EMPTY"}]],
    "sorts": [[{"field": "accountOwner"}]],
    "relation": [{"target": "people", "type": "MANY_TO_ONE", "target_field_label": "Companies led"}],
    "remove_widget_ids": [[U1]],
    # workflows: every object a trigger or a step touches
    "trigger": [{"type": "DATABASE_EVENT", "object": "person", "action": "created"}],
    "steps": [
        [
            {
                "id": "p",
                "name": "p",
                "type": "CREATE_RECORD",
                "input": {"objectName": "person", "objectRecord": {}},
            }
        ],
        [{"id": "m", "name": "m", "type": "FIND_RECORDS", "input": {"objectName": "workspaceMember"}}],
    ],
}
HOSTILE_BY_TOOL: dict[tuple[str, str], list[Any]] = {
    ("twenty_graphql", "query"): [
        GQL_RELATION,
        "query($f: CompanyFilterInput){ companies(filter:$f){ totalCount } }",
        "{ companiesGroupBy(groupBy:[{accountOwner:{name:{firstName:true}}}]) { totalCount } }",
        "{ companies(orderBy:[{accountOwner:{name:{firstName:AscNullsFirst}}}]) { totalCount } }",
        '{ companies(filter:{and:[{accountOwner:{name:{firstName:{eq:"Tim"}}}}]}) { totalCount } }',
        "{ people { totalCount } }",
    ],
    ("twenty_graphql", "variables"): [{"f": {"accountOwner": {"name": {"firstName": {"eq": "Tim"}}}}}],
    ("twenty_graphql", "endpoint"): ["metadata"],
    ("twenty_search", "query"): ["Tim"],
    ("twenty_update_dashboard", "add_widgets"): HOSTILE["widgets"],
    ("twenty_add_field_to_object", "type"): ["RELATION"],
    ("twenty_create_view", "group_by"): ["accountOwner"],
    ("twenty_create_view", "view_type"): ["kanban"],
    ("twenty_forecast_revenue", "group_by"): ["owner", "stage"],
}
# Arguments that cannot reach another object by themselves: a plain, valid value.
FILLER: dict[str, Any] = {
    "object": "companies",
    "id": U1,
    "ids": [U1, U2],
    "thread_id": U1,
    "workflow_id": U1,
    "version_id": U2,
    "assigneeId": None,
    "connected_account_id": None,
    "title": "x",
    "name": "x",
    "name_singular": "lead",
    "name_plural": "leads",
    "label": "X",
    "label_singular": "X",
    "label_plural": "Xs",
    "description": "x",
    "type": "TEXT",
    "options": None,
    "stage": "MEETING",
    "handle": "spam@example.com",
    "to": ["a@example.com"],
    "cc": [],
    "bcc": [],
    "subject": "s",
    "body": "b",
    "target_url": "https://example.com/hook",
    "operations": ["company.created"],
    "secret": None,
    "records": [{"name": "x"}],
    "data": {"name": "x"},
    "payload": {},
    "query": "{ companies { totalCount } }",
    "variables": None,
    "endpoint": "graphql",
    "operation": "count",
    "filter": None,
    "order_by": None,
    "group_by": None,
    "field": None,
    "objects": None,
    "limit": 2,
    "months": 2,
    "for_member": None,
    "max_widgets": 2,
    "days": 30,
    "cursor": None,
    "depth": 0,
    "refresh": False,
    "hard": False,
    "confirm": False,
    "dry_run": True,
    "conflict_priority_index": 0,
    "personIds": [],
    "companyIds": [],
    "opportunityIds": [],
    "status": None,
    "dueAt": None,
    "starts_after": None,
    "starts_before": None,
    "widgets": [],
    "add_widgets": [],
    "remove_widget_ids": [],
    "tab_title": "Main",
    "view_type": "table",
    "calendar_field": None,
    "calendar_layout": "MONTH",
    "fields": None,
    "filters": None,
    "sorts": None,
    "relation": None,
    "trigger": None,
    "steps": [],
    "start": None,
    "remove_steps": [],
    "activate": False,
}


def _tools() -> list[dict[str, Any]]:
    data = catalog.load() or catalog.generate()
    return [t["definition"] for t in data["tools"]]


def _cases(tool: dict[str, Any], fake: Any) -> list[dict[str, Any]]:
    name = tool["name"]
    props = tool["inputSchema"].get("properties", {})
    base = {p: FILLER[p] for p in props if p in tool["inputSchema"].get("required", []) or p == "object"}
    if "workflow_id" in props:
        version = fake.records("workflowVersions")[0]
        base["workflow_id"] = version["workflowId"]
    cases = [dict(base)]
    for prop in props:
        values = HOSTILE_BY_TOOL.get((name, prop), HOSTILE.get(prop, []))
        if (name, prop) == ("twenty_graphql", "variables"):
            continue  # sent with the query that reads them, below
        for value in values:
            case = {**base, prop: value}
            if name == "twenty_graphql" and prop == "query" and "$f" in value:
                case["variables"] = HOSTILE_BY_TOOL[("twenty_graphql", "variables")][0]
            cases.append(case)
    if "version_id" in props:  # a real version of a workflow, given explicitly
        version = fake.records("workflowVersions")[0]
        cases.append({**base, "workflow_id": version["workflowId"], "version_id": version["id"]})
    return [{k: v for k, v in c.items() if v is not None} for c in cases]


_OTHER_OBJECT = re.compile(
    r"\b(people|person|workspaceMembers?|\w*[Ww]orkflow\w*|notes?|tasks?|opportunit\w*|"
    r"noteTargets|taskTargets|timelineActivit\w*|blocklists?)\b"
)


def _escapes(sent: list[tuple[str, str, str]], read_only: bool) -> list[str]:
    """Requests that left the scope: a REST path of another object, a body naming another object
    or the accountOwner relation, or (read-only) any write."""
    bad = []
    for method, path, body in sent:
        where = f"{method} {path} {body[:200]}"
        if read_only:
            if re.search(r"\b(getLoginTokenFromCredentials|getAuthTokensFromLoginToken|renewToken)\b", body):
                continue  # the stdio user session signing in changes no data
            if (path.startswith("/rest") and method != "GET") or re.search(r"\bmutation\b", body):
                bad.append(where)
            continue
        rest = re.match(r"^/rest/(?:batch/|restore/)?([A-Za-z]+)", path)
        if rest and rest.group(1) == "timelineActivities" and "filter=targetCompanyId[eq]" in body:
            continue  # twenty_get_timeline of an allowed record; entries on other objects are dropped
        other_path = bool(rest) and rest.group(1) not in ("companies", "metadata")  # type: ignore[union-attr]
        if other_path or "accountOwner" in body or _OTHER_OBJECT.search(body):
            bad.append(where)
    return bad


def test_every_argument_is_classified() -> None:
    unknown = sorted(
        f"{t['name']}.{p}"
        for t in _tools()
        for p in t["inputSchema"].get("properties", {})
        if p not in FILLER and (t["name"], p) not in HOSTILE_BY_TOOL
    )
    assert not unknown, f"give these arguments a filler or hostile value in this file: {unknown}"


async def _run_all(fake: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: Any) -> list[str]:
    from mcp_server.server import build_server
    from mcp_server.settings import ServerSettings

    sent: list[tuple[str, str, str]] = []
    original = httpx.AsyncClient.send

    async def recording_send(self: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> httpx.Response:
        body = request.content.decode("utf-8", "replace") if request.content else ""
        query = str(request.url.query, "utf-8") if isinstance(request.url.query, bytes) else ""
        from urllib.parse import unquote

        sent.append((request.method, request.url.path, body + " " + unquote(query)))
        return await original(self, request, **kw)

    monkeypatch.setattr(httpx.AsyncClient, "send", recording_send)
    server = build_server(
        ServerSettings(
            twenty=TwentySettings(
                api_url=fake.base_url + "/rest/",
                api_key=fake.api_key,
                user_email=fake.user_email,
                user_password=fake.user_password,
            ),
            mcp_primer_path=str(tmp_path / "primer.md"),
            **settings,
        )
    )
    report = []
    try:
        for tool in _tools():
            for args in _cases(tool, fake):
                before = len(sent)
                with contextlib.suppress(Exception):  # a refusal is fine; only requests count
                    await server.call_tool(tool["name"], args)
                for esc in _escapes(sent[before:], read_only=bool(settings.get("mcp_read_only"))):
                    report.append(f"{tool['name']}({json.dumps(args)[:160]}) -> {esc}")
    finally:
        await server.runtime.aclose()
    return report


async def test_no_escape_under_an_object_allow_list(
    fake_twenty: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = await _run_all(fake_twenty, tmp_path, monkeypatch, mcp_allowed_objects="companies")
    assert not report, f"{len(report)} escape(s):\n" + "\n".join(report[:40])


async def test_no_write_reaches_twenty_on_a_read_only_connection(
    fake_twenty: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = await _run_all(fake_twenty, tmp_path, monkeypatch, mcp_read_only=True)
    assert not report, f"{len(report)} write(s):\n" + "\n".join(report[:40])
