"""The journey written down (issue 17): README's short path and docs/first-deployment.md name the
same steps; the example stacks carry every setting `inv deploy` needs; every doc and default uses
the deploy key's real secret name, the one infra creates."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from deploy.manifests import load_manifests
from deploy.stack import StackOutputs
from deploy.target import stack_settings

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "first-deployment.md"
ALL_KINDS = ["apps", "agents", "webhooks", "workflows"]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_example_stacks_carry_every_setting_inv_deploy_needs(stack: str) -> None:
    needed = load_manifests(ROOT / "apps").required_stack_keys(ALL_KINDS)
    assert {"ai_model", "crm_events_webhook_url", "enrichment_api_url", "workflow_email_account_id"} <= needed
    settings = stack_settings(stack, None, {})
    assert needed <= settings.keys(), sorted(needed - settings.keys())
    text = (ROOT / f"Pulumi.{stack}.yaml").read_text()
    for key in ("aiModel", "crmEventsWebhookUrl", "enrichmentApiUrl", "workflowEmailAccountId"):
        line = next(i for i, s in enumerate(text.splitlines()) if f"twenty-gcp:{key}:" in s)
        above = text.splitlines()[max(0, line - 3) : line]
        assert any(s.lstrip().startswith("#") for s in above), f"{key} has no comment above it"


def test_the_deploy_key_secret_is_named_as_infra_creates_it() -> None:
    from infra.plan import plan_stack

    created = plan_stack("prod").outputs["twenty_api_key_secret"]
    assert created == "twenty-twenty-api-key"
    assert StackOutputs().deploy_api_key_secret in (None, created)  # deploy's default, if it keeps one
    files = subprocess.run(
        ["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    for name in [*files, "docs/first-deployment.md"]:
        text = (ROOT / name).read_text()
        assert "twenty-deploy-api-key" not in text, name
    assert created in GUIDE.read_text() and created in (ROOT / "README.md").read_text()


def test_readme_has_the_short_path_and_links_the_full_guide() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## First deployment", 1)[1].split("\n## ", 1)[0]
    assert "docs/first-deployment.md" in section
    steps = re.findall(r"^\d+\. \*\*", section, flags=re.M)
    assert len(steps) >= 8
    for must in (
        "billing",
        "PULUMI_BACKEND_URL",
        "googleClientId",
        "gcloud domains verify",
        "dns_records",
        "pulumi up",
        "inv bootstrap --stack",
        "inv deploy --stack",
    ):
        assert must in section, must
    assert "Node ^24.5" in readme and "Node 20" not in readme


def test_the_guide_has_every_step_with_its_command() -> None:
    guide = GUIDE.read_text()
    for command in (
        "git clone",
        "uv run inv plan --stack prod",
        "gcloud projects create",
        "gcloud billing projects link",
        "gcloud storage buckets create",
        "export PULUMI_BACKEND_URL=",
        "pulumi stack init prod",
        "/auth/google/redirect",
        "/auth/google-apis/get-access-token",
        "pulumi config set --secret twenty-gcp:googleClientSecret",
        "gcloud domains verify",
        "uv run inv infra.up --stack prod --dry-run",
        "pulumi up -s prod",
        "pulumi stack output dns_records -s prod",
        "uv run inv bootstrap --stack prod",
        "workspaceBootstrapped: true",
        "uv run inv deploy --stack prod --dry-run",
        "uv run inv deploy --stack prod",
    ):
        assert command in guide, command
    order = [
        guide.index(s) for s in ("## 2.", "## 3.", "## 4.", "## 6.", "## 7.", "## 8.", "## 9.", "## 10.")
    ]
    assert order == sorted(order)
