"""Fixtures shared by every test area. Area-specific fixtures live in each area's conftest.

Two rules hold for the whole suite:
- tests marked ``live`` run only against a real Twenty named by ``TWENTY_LIVE_URL``/``TWENTY_LIVE_KEY``
  (and ``TWENTY_LIVE_USER_TOKEN`` where a user session is needed); without them they are skipped
  with that one reason;
- any other skip fails the run: a test that cannot find its data or its service is a broken
  checkout or set-up, and CI must not go green on a half-run suite. The few skips that are
  decisions about this host, not missing data, start with a reason in ``ALLOWED_SKIP_PREFIXES``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings

from tests.fake_twenty import FakeTwenty

# CI draws the same examples every run (a property test must not fail on a draw no one saw before
# the submission); locally, hypothesis explores as usual.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

LIVE_ENV = ("TWENTY_LIVE_URL", "TWENTY_LIVE_KEY")
LIVE_REASON = (
    "live Twenty not configured: set TWENTY_LIVE_URL and TWENTY_LIVE_KEY (and TWENTY_LIVE_USER_TOKEN)"
)
# Skips that are decisions, not missing data: each names why it cannot apply on this host.
ALLOWED_SKIP_PREFIXES = (
    LIVE_REASON,
    "cloud:",  # tests that need real GCP credentials and the Pulumi CLI (marker `cloud`)
    "this host is a GCE VM",
)


def live_configured() -> bool:
    return all(os.environ.get(name) for name in LIVE_ENV)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if live_configured():
        return
    skip = pytest.mark.skip(reason=LIVE_REASON)
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


_bad_skips: list[tuple[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    if not reason.startswith(ALLOWED_SKIP_PREFIXES):
        _bad_skips.append((report.nodeid, reason))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _bad_skips:
        terminalreporter.section("skips for missing data or services (these fail the run)")
        for nodeid, reason in _bad_skips:
            terminalreporter.line(f"{nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _bad_skips and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def _fake_twenty_server() -> Iterator[FakeTwenty]:
    fake = FakeTwenty(seeded=True).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def _fake_twenty_empty_server() -> Iterator[FakeTwenty]:
    fake = FakeTwenty(seeded=False).start()
    yield fake
    fake.stop()


def _forget_schemas() -> None:
    """Every fake has the same workspace id, so a reset fake is a new workspace behind a known id:
    the process-wide schema cache (twenty_api.schema, kept per workspace for minutes) must not
    carry one test's custom objects into the next."""
    from twenty_api.schema import clear_schema_caches

    clear_schema_caches()


@pytest.fixture
def fake_twenty(_fake_twenty_server: FakeTwenty) -> FakeTwenty:
    """A fake Twenty 2.21 over real HTTP on loopback, reset to the captured seed for this test."""
    _fake_twenty_server.reset()
    _forget_schemas()
    return _fake_twenty_server


@pytest.fixture(params=["fake", pytest.param("live", marks=pytest.mark.live)])
def twenty_target(request: pytest.FixtureRequest) -> object:
    """The seeded fake, and (marker `live`) the real Twenty named by TWENTY_LIVE_*: for tests that
    must hold against both."""
    if request.param == "live":
        from tests.live_twenty import LiveTwenty

        return LiveTwenty()
    return request.getfixturevalue("fake_twenty")


@pytest.fixture
def fake_twenty_empty(_fake_twenty_empty_server: FakeTwenty) -> FakeTwenty:
    """Same as ``fake_twenty`` but with an empty workspace (no records), like ``--empty``."""
    _fake_twenty_empty_server.reset()
    _forget_schemas()
    return _fake_twenty_empty_server
