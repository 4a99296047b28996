"""Cost of `inv deploy` against the fake Twenty: the full deploy from an empty workspace and the
no-op redeploy (target: 0 writes).

    uv run python bench/deploy_bench.py [--rounds 3]

Uses the same small apps tree as tests/deploy (one built app, one webhook, one two-step
workflow; no agents, since the fake answers createOneAgent as the captured Twenty without an AI
provider). Writes are counted on the wire (GraphQL mutations other than dry runs, uploads, REST
POST/PATCH/PUT/DELETE). Times are reported as ratios to a baseline measured in the same run: the
median `list_records` round trip × the number of deployed items (what one read per item costs).
The client's pacer is off here (it would dominate wall time at 100 requests/minute; its cost is
what bench/client_bench.py measures).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deploy.manifests import load_manifests  # noqa: E402
from deploy.reconcile import reconcile  # noqa: E402
from deploy.secrets import DictSecretSource  # noqa: E402
from tests.deploy.apps_fixture import SECRETS, STACK, make_apps_dir  # noqa: E402
from tests.deploy.wire import CountingTransport  # noqa: E402
from tests.fake_twenty import FakeTwenty  # noqa: E402
from twenty_api import TwentyClient  # noqa: E402


async def one_deploy(fake: FakeTwenty, apps: Path) -> tuple[float, CountingTransport, int]:
    wire = CountingTransport()
    client = TwentyClient(fake.base_url, api_key=fake.api_key, transport=wire, rate_limit=None)
    user = TwentyClient(fake.base_url, access_token=fake.user_token, transport=wire, rate_limit=None)
    try:
        started = time.perf_counter()
        outcome = await reconcile(client, load_manifests(apps), stack=STACK,
                                  secrets=DictSecretSource(SECRETS), server_url="https://crm.example.com",
                                  apply=True, user_client=user)
        elapsed = time.perf_counter() - started
    finally:
        await client.aclose()
        await user.aclose()
    failed = [f"{i.kind}/{i.name}: {i.notes[-1:]}" for i in outcome.items if i.status == "failed"]
    if failed:
        raise SystemExit("deploy failed against the fake: " + "; ".join(failed))
    return elapsed, wire, len(outcome.items)


async def baseline(fake: FakeTwenty, n: int = 30) -> float:
    async with TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None) as c:
        await c.list_records("people", limit=1)
        times = []
        for _ in range(n):
            t = time.perf_counter()
            await c.list_records("people", limit=1)
            times.append(time.perf_counter() - t)
    return statistics.median(times)


async def main(rounds: int) -> int:
    full_t, noop_t, full_req, noop_req, full_w, noop_w = [], [], [], [], [], []
    items = 0
    with FakeTwenty(seeded=False) as fake, tempfile.TemporaryDirectory() as tmp:
        # no agents: the fake answers createOneAgent like the captured Twenty without an AI provider
        apps = make_apps_dir(Path(tmp) / "apps", agents=False)
        base = await baseline(fake)
        for _ in range(rounds):
            fake.reset(seeded=False)
            t, wire, items = await one_deploy(fake, apps)
            full_t.append(t)
            full_req.append(wire.requests)
            full_w.append(len(wire.writes))
            t, wire, _ = await one_deploy(fake, apps)
            noop_t.append(t)
            noop_req.append(wire.requests)
            noop_w.append(len(wire.writes))
    unit = base * items
    full, noop = statistics.median(full_t), statistics.median(noop_t)
    print(f"baseline: list_records round trip {base * 1000:.2f} ms × {items} items = {unit * 1000:.1f} ms")
    print(f"full deploy : {full_req[-1]:3d} requests, {full_w[-1]:3d} writes, {full * 1000:7.1f} ms "
          f"= {full / unit:5.1f}× baseline")
    print(f"no-op deploy: {noop_req[-1]:3d} requests, {noop_w[-1]:3d} writes, {noop * 1000:7.1f} ms "
          f"= {noop / unit:5.1f}× baseline   (target: 0 writes)")
    return 0 if max(noop_w) == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    sys.exit(asyncio.run(main(parser.parse_args().rounds)))
