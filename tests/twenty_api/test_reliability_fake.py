"""Retries, pacing and error mapping over real HTTP (fake Twenty faults + one ad-hoc server)."""

import asyncio
import socket
import time

import pytest

from twenty_api import (
    F,
    TwentyAuthError,
    TwentyConnectionError,
    TwentyForbiddenError,
    TwentyNotFoundError,
    TwentyRateLimitError,
    TwentyServerError,
    TwentyValidationError,
)

from .conftest import bucket, count, make_client

pytestmark = pytest.mark.anyio


# ---- creates are never duplicated -------------------------------------------------------------


async def test_create_dropped_mid_answer_is_not_retried(fake_twenty) -> None:
    fake_twenty.faults.drop_next(1, path_prefix="/rest/companies")
    async with make_client(fake_twenty) as client:
        with pytest.raises(TwentyConnectionError) as err:
            await client.create_record("companies", {"name": "Maybe Co"})
    assert err.value.outcome_unknown
    assert "may or may not have happened" in str(err.value) and "NOT retried" in str(err.value)
    assert count(fake_twenty, "POST", "/rest/companies") == 1


async def test_create_processed_then_dropped_is_not_repeated(fake_twenty_empty) -> None:
    fake_twenty_empty.faults.drop_next(1, path_prefix="/rest/companies", after_processing=True)
    async with make_client(fake_twenty_empty) as client:
        with pytest.raises(TwentyConnectionError) as err:
            await client.create_record("companies", {"name": "Exactly once"})
        assert err.value.outcome_unknown
        page = await client.list_records("companies", filter='name[eq]:"Exactly once"')
    assert len(page.records) == 1  # Twenty made it once and was never asked again
    assert count(fake_twenty_empty, "POST", "/rest/companies") == 1


async def test_batch_dropped_is_not_retried_and_reports_what_went_through(fake_twenty_empty) -> None:
    async with make_client(fake_twenty_empty) as client:
        fake_twenty_empty.faults.drop_next(1, path_prefix="/rest/batch/companies")
        # The first batch is dropped; nothing created, nothing repeated.
        with pytest.raises(TwentyConnectionError) as err:
            await client.batch_create("companies", [{"name": f"n{i}"} for i in range(100)])
    assert err.value.created == []  # type: ignore[attr-defined]
    assert count(fake_twenty_empty, "POST", "/rest/batch/companies") == 1


async def test_create_503_is_not_retried_but_429_is(fake_twenty) -> None:
    async with make_client(fake_twenty) as client:
        fake_twenty.faults.fail_next(503, 1, path_prefix="/rest/companies")
        with pytest.raises(TwentyServerError) as err:
            await client.create_record("companies", {"name": "Gateway Co"})
        assert err.value.status == 503
        assert count(fake_twenty, "POST", "/rest/companies") == 1

        fake_twenty.requests.clear()
        fake_twenty.faults.fail_next(429, 2, path_prefix="/rest/companies")
        rec = await client.create_record("companies", {"name": "Throttled Co"})
        assert count(fake_twenty, "POST", "/rest/companies") == 3
    assert [r["id"] for r in fake_twenty.records("companies") if r["name"] == "Throttled Co"] == [rec["id"]]


async def test_connect_failure_is_retried_even_for_a_create() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with make_client(f"http://127.0.0.1:{port}", max_retries=3, sleep=fake_sleep) as client:
        with pytest.raises(TwentyConnectionError) as err:
            await client.create_record("companies", {"name": "x"})
    assert not err.value.outcome_unknown and "nothing was sent" in str(err.value)
    assert len(sleeps) == 3  # retried max_retries times: nothing had been sent


# ---- reads are retried ------------------------------------------------------------------------


async def test_reads_are_retried_on_drops_and_gateway_errors(fake_twenty) -> None:
    async with make_client(fake_twenty) as client:
        fake_twenty.faults.drop_next(1, path_prefix="/rest/people")
        fake_twenty.faults.fail_next(502, 1, path_prefix="/rest/people")
        fake_twenty.faults.fail_next(504, 1, path_prefix="/rest/people")
        page = await client.list_records("people", limit=5)
        assert len(page.records) == 5
        assert count(fake_twenty, "GET", "/rest/people") == 4

        rec = page.records[0]
        fake_twenty.faults.fail_next(503, 2, path_prefix=f"/rest/people/{rec['id']}")
        updated = await client.update_record("people", rec["id"], {"jobTitle": "Retried"})
        assert updated["jobTitle"] == "Retried"


async def test_retries_give_up_after_max_retries(fake_twenty) -> None:
    async with make_client(fake_twenty, max_retries=2) as client:
        fake_twenty.faults.fail_next(503, 5, path_prefix="/rest/people")
        with pytest.raises(TwentyServerError) as err:
            await client.list_records("people")
    assert err.value.status == 503 and "Service Unavailable" in str(err.value)
    assert count(fake_twenty, "GET", "/rest/people") == 3


async def test_500_read_is_retried_but_a_create_is_not(fake_twenty) -> None:
    async with make_client(fake_twenty) as client:
        fake_twenty.faults.fail_next(500, 2, path_prefix="/rest/people")
        page = await client.list_records("people", limit=2)
        assert len(page.records) == 2
        assert count(fake_twenty, "GET", "/rest/people") == 3
        fake_twenty.faults.fail_next(500, 1, path_prefix="/rest/people")
        with pytest.raises(TwentyServerError) as err:
            await client.create_record("people", {"city": "Once"})
    assert err.value.status == 500 and "Internal server error" in str(err.value)
    assert count(fake_twenty, "POST", "/rest/people") == 1


async def test_one_deadline_covers_pacing_attempts_and_backoff(fake_twenty) -> None:
    from twenty_api.deadline import call_deadline

    fake_twenty.faults.latency = 3.0  # a stalled Twenty
    async with make_client(fake_twenty, timeout=30, max_retries=4) as client:
        started = time.monotonic()
        with call_deadline(1.0), pytest.raises(TwentyConnectionError) as err:
            await client.get_record("people", "20202020-b000-4485-94de-70c2a98daef2")
        took = time.monotonic() - started
    fake_twenty.faults.latency = 0.0
    assert took < 2.0, took
    assert "may have reached" not in str(err.value) and "nothing was left half-done" in str(err.value)


# ---- pacing -----------------------------------------------------------------------------------


@pytest.fixture
def small_bucket(fake_twenty):
    with bucket(fake_twenty, 10, 1.0):
        yield fake_twenty


async def test_burst_without_pacer_hits_429(small_bucket) -> None:
    async with make_client(small_bucket, rate_limit=None, max_retries=0) as client:
        results = await asyncio.gather(
            *(client.list_records("companies", limit=1) for _ in range(25)), return_exceptions=True
        )
    limited = [r for r in results if isinstance(r, TwentyRateLimitError)]
    assert limited, "the fake's bucket should refuse part of an unpaced burst"
    assert "Limit reached" in str(limited[0])


async def test_pacer_absorbs_a_429_burst(small_bucket) -> None:
    async with make_client(small_bucket, rate_limit=10, rate_window=1.0, max_retries=4) as client:
        started = time.monotonic()
        results = await asyncio.gather(*(client.list_records("companies", limit=1) for _ in range(25)))
        elapsed = time.monotonic() - started
    assert len(results) == 25 and all(len(p.records) == 1 for p in results)
    assert elapsed >= 1.2  # 25 requests at 10/s after a burst of 10 take ≈1.5 s: it slowed down
    # Paced at the server's own rate, requests can still arrive bunched (new connections, thread
    # scheduling) and meet an empty bucket; those are retried after a wait. None failed, and far
    # fewer were refused than in the unpaced burst above.
    assert count(small_bucket, "GET", "/rest/companies") < 50


async def test_user_sessions_are_not_throttled_or_paced(small_bucket) -> None:
    async with make_client(
        small_bucket, api_key=None, access_token=small_bucket.user_token, max_retries=0
    ) as c:
        pages = await asyncio.gather(*(c.list_records("companies", limit=1) for _ in range(25)))
    assert len(pages) == 25


# ---- every error path, with Twenty's own words ---------------------------------------------------


async def test_error_paths_carry_twentys_messages(fake_twenty) -> None:
    async with make_client(fake_twenty, max_retries=0) as client:
        with pytest.raises(TwentyValidationError) as e400:
            await client.list_records("companies", filter="notAField[eq]:1")
        assert e400.value.status == 400 and 'doesn\'t have any "notAField" field' in str(e400.value)

        with pytest.raises(TwentyValidationError) as bad_obj:
            await client.list_records("notAnObjects")
        assert "object 'notAnObjects' not found" in str(bad_obj.value)

        with pytest.raises(TwentyNotFoundError) as e404:
            await client.get_record("companies", "00000000-0000-4000-8000-000000000000")
        assert e404.value.status == 404 and "Record not found" in e404.value.messages

        fake_twenty.faults.fail_next(403, 1, path_prefix="/rest/companies")
        with pytest.raises(TwentyForbiddenError) as e403:
            await client.list_records("companies")
        assert e403.value.status == 403

        fake_twenty.faults.fail_next(429, 1, path_prefix="/rest/companies")
        with pytest.raises(TwentyRateLimitError) as e429:
            await client.list_records("companies")
        assert e429.value.status == 429 and "Limit reached" in str(e429.value)

        fake_twenty.faults.fail_next(500, 1, path_prefix="/rest/companies")
        with pytest.raises(TwentyServerError) as e500:
            await client.list_records("companies")
        assert e500.value.status == 500

    async with make_client(fake_twenty, api_key="not-a-valid-key", max_retries=0) as bad_key:
        with pytest.raises(TwentyAuthError) as e401:
            await bad_key.list_records("companies", filter=F("name").eq("x"))
    assert e401.value.status == 401 and "TWENTY_API_KEY" in str(e401.value)
    assert e401.value.messages  # the fake's own words are kept
