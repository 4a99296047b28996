"""Every captured request/response pair, replayed in order, must match in status and shape.

Against the fake always; against a real Twenty when TWENTY_LIVE_URL and TWENTY_LIVE_KEY
are set (marker ``live``), so the fake is never the only judge.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fake_twenty import FakeTwenty, contract_data

from .app_build import built_uploads
from .app_emulation import ROUTE_HANDLERS
from .replay import Replayer, Target

EXAMPLES = [p.stem for p in contract_data.example_paths()]  # the repository's copy; never missing


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
    url, key = os.environ["TWENTY_LIVE_URL"], os.environ["TWENTY_LIVE_KEY"]  # marker `live` checks both
    pace = float(os.environ.get("TWENTY_LIVE_PACE", "0.7"))  # the capture replayed 0.7 s apart
    uploads, aliases = built_uploads()
    target = Target(
        url.rstrip("/"),
        key,
        os.environ.get("TWENTY_LIVE_USER_TOKEN"),
        pace=pace,
        live=True,
        uploads=uploads,
        aliases=aliases,
    )
    replayer = Replayer(target, EXAMPLES)
    yield replayer
    replayer.close()


def _check(replayer: Replayer, name: str) -> None:
    outcome = replayer.outcome(name)
    if outcome.skip:
        pytest.skip(outcome.skip)
    assert not outcome.problems, f"{name} differs from the capture:\n" + "\n".join(outcome.problems[:20])


@pytest.mark.parametrize("name", EXAMPLES)
def test_fake_matches_capture(fake_replayer: Replayer, name: str) -> None:
    _check(fake_replayer, name)


@pytest.mark.live
@pytest.mark.parametrize("name", EXAMPLES)
def test_live_twenty_matches_capture(live_replayer: Replayer, name: str) -> None:
    _check(live_replayer, name)
