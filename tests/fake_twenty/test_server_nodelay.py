"""TCP_NODELAY on the fake's connections (server.nodelay_http_protocol): without it every keep-alive
answer waited ~40 ms for the client's delayed ACK on Linux loopback."""

from __future__ import annotations

import statistics
import time

import httpx

from tests.fake_twenty import FakeTwenty


def test_keep_alive_answers_do_not_wait_for_delayed_acks(fake_twenty_empty: FakeTwenty) -> None:
    fake = fake_twenty_empty
    with httpx.Client(base_url=fake.base_url, headers={"Authorization": f"Bearer {fake.api_key}"}) as client:
        client.get("/rest/companies", params={"limit": 1})
        times = []
        for _ in range(15):
            start = time.perf_counter()
            assert client.get("/rest/companies", params={"limit": 1}).status_code == 200
            times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.025, times  # ~1 ms with TCP_NODELAY, ~44 ms without
