"""Issue 12 findings on the tool side, through the SDK's real client connected in-process:
webhooks to internal addresses, notes/tasks whose links fail under upstream faults, and a
too-short webhook secret that must never be echoed in the answer or the log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from twenty_api.settings import TwentySettings

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def in_process(fake: Any, tmp_path: Path, **settings: Any) -> AsyncIterator[Client]:
    from mcp_server.server import build_server
    from mcp_server.settings import ServerSettings

    server = build_server(
        ServerSettings(
            twenty=TwentySettings(api_url=fake.base_url + "/rest/", api_key=fake.api_key),
            mcp_primer_path=str(tmp_path / "primer.md"),
            **settings,
        )
    )
    try:
        async with Client(server, cache=None) as client:
            yield client
    finally:
        await server.runtime.aclose()


def _text(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


INTERNAL_TARGETS = [
    "http://169.254.169.254/computeMetadata/v1/",
    "http://127.0.0.1:22/",
    "http://10.0.0.5/hook",
    "http://192.168.1.1/hook",
    "http://[::1]:8080/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://2130706433/hook",  # 127.0.0.1 as one number
    "http://localhost:8080/hook",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://0.0.0.0:5432/",
]


async def test_webhooks_to_internal_addresses_are_refused(fake_twenty: Any, tmp_path: Path) -> None:
    async with in_process(fake_twenty, tmp_path) as client:
        for target in INTERNAL_TARGETS:
            r = await client.call_tool(
                "twenty_create_webhook", {"target_url": target, "operations": ["person.created"]}
            )
            assert r.is_error and "internal" in _text(r), (target, _text(r))
    assert not [q for q in fake_twenty.requests if q.method == "POST" and "webhooks" in q.path]
    async with in_process(fake_twenty, tmp_path, mcp_webhooks_allow_private=True) as client:
        r = await client.call_tool(
            "twenty_create_webhook",
            {"target_url": "http://127.0.0.1:9/hook", "operations": ["person.created"]},
        )
        assert not r.is_error, _text(r)


async def test_note_whose_link_fails_says_what_is_left(fake_twenty: Any, tmp_path: Path) -> None:
    person = fake_twenty.records("people")[0]["id"]
    company = fake_twenty.records("companies")[0]["id"]
    notes_before = len(fake_twenty.records("notes"))
    async with in_process(fake_twenty, tmp_path) as client:
        # The second link's answer is lost after Twenty made it, and removing the note fails too.
        fake_twenty.faults.drop_next(1, path_prefix="/rest/noteTargets", after_processing=True)
        fake_twenty.faults.fail_next(500, 10, path_prefix="/rest/notes/")
        r = await client.call_tool(
            "twenty_create_note", {"title": "Call", "personIds": [person], "companyIds": [company]}
        )
    text = _text(r)
    assert r.is_error
    assert f"Linking the note to people {person} failed" in text
    assert "may have made that link" in text
    left = fake_twenty.records("notes")[notes_before:]
    assert len(left) == 1, "the fault left the note behind"
    assert f"note {left[0]['id']}" in text and "still exist" in text


async def test_task_whose_link_fails_is_removed_and_says_so(fake_twenty: Any, tmp_path: Path) -> None:
    person = fake_twenty.records("people")[0]["id"]
    tasks_before = len(fake_twenty.records("tasks"))
    async with in_process(fake_twenty, tmp_path) as client:
        fake_twenty.faults.fail_next(400, 1, path_prefix="/rest/taskTargets")
        r = await client.call_tool("twenty_create_task", {"title": "T", "personIds": [person]})
    assert r.is_error
    assert f"Linking the task to people {person} failed" in _text(r)
    assert "nothing was created" in _text(r)
    assert len(fake_twenty.records("tasks")) == tasks_before


async def test_short_webhook_secret_is_never_echoed(
    fake_twenty: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "hunter2-Secret"  # 14 characters: below the 16 the tool asks for
    async with in_process(fake_twenty, tmp_path) as client:
        r = await client.call_tool(
            "twenty_create_webhook",
            {"target_url": "https://example.com/h", "operations": ["person.created"], "secret": secret},
        )
    assert r.is_error and "secret" in _text(r) and "too short" in _text(r)
    assert secret not in _text(r)
    assert caplog.records and secret not in caplog.text


async def test_custom_object_named_like_an_allowed_one_stays_outside(
    fake_twenty: Any, tmp_path: Path
) -> None:
    from twenty_api import TwentyClient

    raw = TwentyClient(fake_twenty.base_url, api_key=fake_twenty.api_key)
    try:
        await raw.create_object("people", "peoples", "Lookalike", "Lookalikes")  # singular = "people"
    finally:
        await raw.aclose()
    async with in_process(fake_twenty, tmp_path, mcp_allowed_objects="people") as client:
        r = await client.call_tool("twenty_list_records", {"object": "peoples", "limit": 1})
        assert r.is_error and "outside" in _text(r), _text(r)
        listed = await client.call_tool("twenty_list_objects", {})
        assert "peoples" not in _text(listed) and '"people"' in _text(listed)
        ok = await client.call_tool("twenty_list_records", {"object": "people", "limit": 1})
        assert not ok.is_error, _text(ok)


async def test_a_stalled_twenty_costs_one_deadline_and_says_it_was_a_read(
    fake_twenty: Any, tmp_path: Path
) -> None:
    import time

    person = fake_twenty.records("people")[0]["id"]
    async with in_process(fake_twenty, tmp_path, mcp_call_deadline=1.5) as client:
        await client.call_tool("twenty_list_objects", {})  # schema cached before the stall
        fake_twenty.faults.latency = 5.0
        fake_twenty.requests.clear()
        started = time.monotonic()
        r = await client.call_tool("twenty_get_record", {"object": "people", "id": person})
        took = time.monotonic() - started
        fake_twenty.faults.latency = 0.0
    assert r.is_error and "nothing was left half-done" in _text(r), _text(r)
    assert took < 3.0, took
    assert len(fake_twenty.requests) <= 2


async def test_fuzzer_findings_get_clear_errors(fake_twenty: Any, tmp_path: Path) -> None:
    async with in_process(fake_twenty, tmp_path) as client:
        huge = await client.call_tool(
            "twenty_create_record",
            {"object": "opportunities", "data": {"name": "x", "amount": 1e308, "currency": "EUR"}},
        )
        assert huge.is_error and "amount 1e+308 is too large" in _text(huge), _text(huge)
        for name, args, where in [
            ("twenty_get_record", {"object": "people", "id": "not-a-uuid"}, "'id'"),
            ("twenty_create_note", {"title": "x", "personIds": ["zz"]}, "'personIds.0'"),
            ("twenty_run_workflow", {"workflow_id": "1234"}, "'workflow_id'"),
        ]:
            r = await client.call_tool(name, args)
            text = _text(r)
            assert r.is_error and f"argument {where}: must be a UUID" in text, text
            assert "uuid_parsing" not in text and "pydantic" not in text


async def test_webhooks_of_allowed_objects_stay_visible_under_an_allow_list(
    fake_twenty: Any, tmp_path: Path
) -> None:
    async with in_process(fake_twenty, tmp_path) as client:
        for op in ("company.created", "person.created"):
            r = await client.call_tool(
                "twenty_create_webhook", {"target_url": "https://hooks.example.com/h", "operations": [op]}
            )
            assert not r.is_error, _text(r)
    async with in_process(fake_twenty, tmp_path, mcp_allowed_objects="companies") as client:
        listed = _text(await client.call_tool("twenty_list_webhooks", {}))
    assert "company.created" in listed and "person.created" not in listed
