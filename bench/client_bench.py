"""Per-request overhead of TwentyClient.list_records(limit=60) against a bare httpx GET.

    uv run python bench/client_bench.py [--rounds 300]

Starts the fake Twenty on loopback, then alternates the two calls (same URL, same headers, both
on keep-alive connections, both parsing the JSON answer) so that drift in the machine's load
hits both equally, and prints the ratio of the medians. Target: ≤ 1.05. The client's pacer is
left on with a rate too high to ever wait, so its bookkeeping is part of what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.fake_twenty import FakeTwenty  # noqa: E402
from twenty_api import TwentyClient  # noqa: E402
from twenty_api.pacer import Pacer  # noqa: E402

TARGET = 1.05


async def run(base_url: str, api_key: str, rounds: int, warmup: int) -> tuple[list[float], list[float]]:
    url = f"{base_url}/rest/companies?limit=60"
    headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
    client_times: list[float] = []
    bare_times: list[float] = []
    async with (
        TwentyClient(base_url, api_key=api_key, pacer=Pacer(10**9, 1.0)) as client,
        httpx.AsyncClient(headers=headers) as bare,
    ):
        for i in range(warmup + rounds):
            order = (0, 1) if i % 2 == 0 else (1, 0)
            for which in order:
                start = time.perf_counter()
                if which == 0:
                    page = await client.list_records("companies", limit=60)
                    assert len(page.records) == 60
                else:
                    response = await bare.get(url)
                    response.raise_for_status()
                    assert len(response.json()["data"]["companies"]) == 60
                elapsed = time.perf_counter() - start
                if i >= warmup:
                    (client_times if which == 0 else bare_times).append(elapsed)
    return client_times, bare_times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    with FakeTwenty(seeded=True) as fake:
        client_times, bare_times = asyncio.run(run(fake.base_url, fake.api_key, args.rounds, args.warmup))
    client_median = statistics.median(client_times)
    bare_median = statistics.median(bare_times)
    ratio = client_median / bare_median
    print(f"rounds: {args.rounds} (after {args.warmup} warm-up), GET /rest/companies?limit=60 on the fake")
    print(f"bare httpx GET + json : median {bare_median * 1000:.3f} ms")
    print(f"TwentyClient.list_records: median {client_median * 1000:.3f} ms")
    print(f"overhead per request  : {(client_median - bare_median) * 1e6:.0f} µs")
    print(f"ratio of medians      : {ratio:.3f} (target ≤ {TARGET})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
