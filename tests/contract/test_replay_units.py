"""The replayer itself: list pairing by identity, explicit dependencies, and the suite-wide rule
that a skip for missing data fails the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.contract.replay import Outcome, Replayer, Target, pair_items

REPO = Path(__file__).resolve().parents[2]


def test_metadata_lists_pair_by_identity_not_position() -> None:
    """2.21 answers metadata lists in random id order: a live run paired a captured `opportunity`
    with a live `workflowAutomatedTrigger` by position (examples 120-122)."""
    captured = [
        {"node": {"id": "c1", "nameSingular": "opportunity"}},
        {"node": {"id": "c2", "nameSingular": "person"}},
    ]
    live = [
        {"node": {"id": "l9", "nameSingular": "workflowAutomatedTrigger"}},
        {"node": {"id": "l2", "nameSingular": "person"}},
        {"node": {"id": "l1", "nameSingular": "opportunity"}},
    ]
    pairs = pair_items(captured, live)
    assert [(c["node"]["id"], a["node"]["id"]) for c, a in pairs] == [("c1", "l1"), ("c2", "l2")]
    # items without an identity keep pairing by position; an identity with no partner pairs with nothing
    assert pair_items([{"x": 1}, {"name": "gone"}], [{"x": 2}, {"name": "other"}]) == [({"x": 1}, {"x": 2})]


def test_learnt_ids_come_from_the_same_object() -> None:
    replayer = Replayer.__new__(Replayer)
    replayer.values, replayer._seed_ids = {}, set()
    replayer._learn(
        {"objects": [{"id": "cap-opp", "nameSingular": "opportunity"}]},
        {
            "objects": [
                {"id": "live-wat", "nameSingular": "workflowAutomatedTrigger"},
                {"id": "live-opp", "nameSingular": "opportunity"},
            ]
        },
    )
    assert replayer.values == {"cap-opp": "live-opp"}


def test_an_example_whose_writes_were_skipped_is_skipped_with_the_reason() -> None:
    """Without a user token 065b/066 are skipped; 067 lists what they wrote, so it says so."""
    replayer = Replayer.__new__(Replayer)
    replayer.target = Target("http://127.0.0.1:9", "k", live=True)
    replayer.outcomes = {
        "065b-rest-create-blocklist-email-user-token": Outcome("065b", skip="needs a user access token"),
        "066-rest-create-blocklist-domain": Outcome("066", skip="needs a user access token"),
    }
    replayer.names, replayer._next = [], 0
    outcome = replayer._replay("067-rest-list-blocklists")
    assert outcome.skip and "depends on 065b-rest-create-blocklist-email-user-token" in outcome.skip


def test_a_skip_for_missing_data_fails_the_run(tmp_path: Path) -> None:
    probe = REPO / "tests" / "contract" / f"test_zz_probe_{tmp_path.name}.py"
    probe.write_text(
        "import pytest\n\n"
        "def test_missing():\n    pytest.skip('contract examples not found at /nowhere')\n\n"
        "@pytest.mark.live\ndef test_live():\n    pass\n"
    )
    try:
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", str(probe), "-p", "no:cacheprovider"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        probe.unlink()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "contract examples not found at /nowhere" in done.stdout
    assert "skips for missing data or services (these fail the run)" in done.stdout
    assert "live Twenty not configured" in done.stdout  # the live one is skipped, with its reason
