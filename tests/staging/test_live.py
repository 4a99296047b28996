"""The real thing: a stage stack on GCP. Opt-in (it costs money and ~30 minutes)."""

from __future__ import annotations

import os

import pytest

from infra.automation import PreconditionError, preflight


@pytest.mark.cloud
def test_stage_test_end_to_end_on_gcp():
    name = os.environ.get("STAGE_LIVE_NAME")
    if not name:
        pytest.skip("cloud: opt-in: set STAGE_LIVE_NAME=<suffix> to create, prove, destroy staging-<suffix>")
    try:
        preflight()
    except PreconditionError as err:
        pytest.skip(f"cloud: cannot reach GCP from here: {err}")
    from staging.runner import main

    assert main(name=name) == 0
