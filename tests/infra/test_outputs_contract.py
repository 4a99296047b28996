"""One contract between infra and its readers: infra/outputs.py.

Every profile exports exactly the model's fields (the conditional ones where they apply), with the
model's types; every output deploy/, the ops runbook and stage.test read is one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra.outputs import CONDITIONAL, StackOutputs
from tests.infra.conftest import VARIANTS, plan_of

REPO = Path(__file__).resolve().parents[2]
FIELDS = set(StackOutputs.model_fields)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_profile_exports_the_models_fields_with_their_types(variant: str) -> None:
    plan = plan_of(variant)
    exported = set(plan.outputs)
    assert exported <= FIELDS, sorted(exported - FIELDS)
    cfg = plan.cfg
    expected = {
        f for f in FIELDS if f not in CONDITIONAL or getattr(cfg, CONDITIONAL[f][0]) == CONDITIONAL[f][1]
    }
    assert exported == expected, (sorted(expected - exported), sorted(exported - expected))
    model = StackOutputs.model_validate(plan.outputs)
    assert model.project == cfg.project and model.server_url == cfg.server_url
    assert (
        model.twenty_api_key_secret == "twenty-twenty-api-key"
        and model.deploy_user_secret == "twenty-deploy-user"
    )
    assert model.db_url_secret == "twenty-pg-url" and model.redis_url_secret == "twenty-redis-url"


def _reads() -> dict[str, set[str]]:
    """Output names the readers use: attribute reads on a StackOutputs, and names passed to need()."""
    found: dict[str, set[str]] = {}
    patterns = (
        r"(?<![/\w.])(?:out|outputs|ops\.out|self\.out)\.([a-z_]+)\b(?![.(])",
        r"\.(?:need|ready)\(([^)]*)\)",
    )
    files = [*sorted((REPO / "deploy").rglob("*.py")), REPO / "staging" / "orchestrator.py"]
    for path in files:
        text = path.read_text()
        for m in re.finditer(patterns[0], text):
            found.setdefault(m.group(1), set()).add(path.name)
        for m in re.finditer(patterns[1], text):
            for name in re.findall(r'"([a-z_]+)"', m.group(1)):
                found.setdefault(name, set()).add(path.name)
    from staging.orchestrator import OUTPUT_FIELDS

    for name in OUTPUT_FIELDS.values():
        found.setdefault(name, set()).add("orchestrator.py")
    return found


def test_every_output_the_readers_use_is_exported() -> None:
    from deploy.stack import StackOutputs as DeployOutputs

    reads = _reads()
    assert {"project", "sql_instance", "server_uri", "twenty_api_key_secret"} <= set(reads)  # the scan works
    views = {"stack", "connection_name", "mcp_url", "deploy_api_key_secret"}  # typed views over the fields
    not_outputs = {"model_dump", "model_copy", "append", "isatty", "json", "get", "write"}
    unknown = {n: sorted(w) for n, w in reads.items() if n not in FIELDS | views | not_outputs}
    assert not unknown, f"read but not exported by the infra program: {unknown}"
    assert views - {"stack"} <= {n for n in dir(DeployOutputs) if not n.startswith("_")}
    prod = set(plan_of("prod").outputs)
    memorystore = set(plan_of("prod-standard").outputs)
    for name in set(reads) & FIELDS:
        assert name in prod | memorystore, (
            f"{name} is read by {sorted(reads[name])} but no profile exports it"
        )


def test_deploy_refuses_names_the_infra_program_does_not_export() -> None:
    from deploy.preconditions import PreconditionError
    from deploy.stack import StackOutputs as DeployOutputs

    out = DeployOutputs.from_mapping("prod", plan_of("prod").outputs)
    assert out.deploy_api_key_secret == out.twenty_api_key_secret == "twenty-twenty-api-key"
    assert out.mcp_url == out.mcp_public_url
    with pytest.raises(PreconditionError, match="did you mean `twenty_api_key_secret`"):
        DeployOutputs.from_mapping("prod", {"twenty_api_key_secrets": "x"})
