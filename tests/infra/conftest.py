"""Plans of the example stacks and their variants, built once per session under Pulumi mocks."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infra.config import StackConfig, build_config, with_profile
from infra.plan import PlanResult, ensure_event_loop, load_stack, mock_user_secrets, run_program

_CACHE: dict[str, PlanResult] = {}


@pytest.fixture(autouse=True)
def _event_loop_for_pulumi() -> None:
    """Pulumi Outputs need a current loop; async tests elsewhere in the run close theirs."""
    ensure_event_loop()


def base(**overrides: object) -> StackConfig:
    """A valid staging-like config with overrides (snake_case field names)."""
    values: dict[str, object] = {
        "project": "test-twenty-proj",
        "domain": "crm.test.example.com",
        "google_client_id": "123-test.apps.googleusercontent.com",
        "profile": "lean",
        "redis_mode": "vm",
        "stack": "test",
        "smtp_host": "smtp.test.example.com",
        "email_from_address": "crm@test.example.com",
    }
    values.update(overrides)
    return build_config(**values)


VARIANTS: dict[str, Callable[[], StackConfig]] = {
    "staging": lambda: load_stack("staging"),
    "prod": lambda: load_stack("prod"),
    "prod-standard": lambda: with_profile(load_stack("prod"), "standard"),
    "prod-ha": lambda: with_profile(load_stack("prod"), "ha"),
    "standard-connector": lambda: with_profile(
        load_stack("staging"), "standard", {"vpc_egress": "connector"}
    ),
    "lean-connector": lambda: with_profile(
        load_stack("staging"), "lean", {"vpc_egress": "connector", "server_max_instances": 2}
    ),
    "standard-workerpool": lambda: with_profile(
        load_stack("staging"), "standard", {"worker_mode": "workerpool"}
    ),
}
MEMORYSTORE = ("prod-standard", "prod-ha", "standard-connector", "standard-workerpool")
REDIS_ON_VM = ("staging", "prod", "lean-connector")
WITH_VM = ("staging", "prod", "prod-standard", "prod-ha", "standard-connector", "lean-connector")


def plan_of(variant: str) -> PlanResult:
    if variant not in _CACHE:
        cfg = VARIANTS[variant]()
        _CACHE[variant] = run_program(cfg, mock_user_secrets(cfg))
    return _CACHE[variant]


@pytest.fixture(params=sorted(VARIANTS))
def any_plan(request: pytest.FixtureRequest) -> PlanResult:
    return plan_of(request.param)
