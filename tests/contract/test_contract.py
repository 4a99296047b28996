"""Every captured request/response pair, replayed in order, must match in status and shape.

Against the fake always; against a real Twenty when TWENTY_CONTRACT_URL and TWENTY_CONTRACT_KEY
are set (marker ``contract_live``), so the fake is never the only judge.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fake_twenty import FakeTwenty, contract_data

from .app_emulation import ROUTE_HANDLERS
from .replay import Replayer, Target

try:
    EXAMPLES = [p.stem for p in contract_data.example_paths()]
    MISSING = ""
except contract_data.ContractDataMissing as exc:  # pragma: no cover - depends on the checkout
    EXAMPLES, MISSING = [], str(exc)


@pytest.fixture(scope="module")
def fake_replayer() -> Iterator[Replayer]:
    with FakeTwenty(seeded=True) as fake:
        fake.runtime.apps.route_handlers.update(ROUTE_HANDLERS)

        def set_rate_limit(on: bool) -> None:
            fake.rate_limit_enabled = on

        replayer = Replayer(Target(fake.base_url, fake.api_key, fake.user_token, set_rate_limit), EXAMPLES)
        yield replayer
        replayer.close()


@pytest.fixture(scope="module")
def live_replayer() -> Iterator[Replayer]:
    url, key = os.environ.get("TWENTY_CONTRACT_URL"), os.environ.get("TWENTY_CONTRACT_KEY")
    if not url or not key:
        pytest.skip("set TWENTY_CONTRACT_URL and TWENTY_CONTRACT_KEY to replay against a real Twenty 2.21")
    pace = float(os.environ.get("TWENTY_CONTRACT_PACE", "0.7"))  # the capture replayed 0.7 s apart
    target = Target(url.rstrip("/"), key, os.environ.get("TWENTY_CONTRACT_USER_TOKEN"), pace=pace, live=True)
    replayer = Replayer(target, EXAMPLES)
    yield replayer
    replayer.close()


def _check(replayer: Replayer, name: str) -> None:
    outcome = replayer.outcome(name)
    if outcome.skip:
        pytest.skip(outcome.skip)
    assert not outcome.problems, f"{name} differs from the capture:\n" + "\n".join(outcome.problems[:20])


@pytest.mark.skipif(not EXAMPLES, reason=MISSING or "no examples")
@pytest.mark.parametrize("name", EXAMPLES)
def test_fake_matches_capture(fake_replayer: Replayer, name: str) -> None:
    _check(fake_replayer, name)


@pytest.mark.contract_live
@pytest.mark.skipif(not EXAMPLES, reason=MISSING or "no examples")
@pytest.mark.parametrize("name", EXAMPLES)
def test_live_twenty_matches_capture(live_replayer: Replayer, name: str) -> None:
    _check(live_replayer, name)
