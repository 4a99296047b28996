"""The Invoke tasks under --dry-run, as a user runs them: outputs from TWENTY_GCP_OUTPUTS, the
exact gcloud commands on stdout, nothing run."""

from __future__ import annotations

import json

import pytest
from invoke import Context

from deploy.mcp_image import tasks as mcp_tasks
from deploy.ops import tasks as ops_tasks

OUTPUTS = {"project": "acme-crm", "region": "europe-west1", "zone": "europe-west1-b",
           "artifact_repo": "europe-west1-docker.pkg.dev/acme-crm/twenty", "mcp_service": "tw-mcp",
           "server_service": "tw-server", "sql_instance": "tw-pg",
           "usage_dashboard_job": "tw-usage-dashboard",
           "sql_connection_name": "acme-crm:europe-west1:tw-pg", "bucket": "tw-files",
           "worker_vm": "tw-worker", "redis_host": "10.0.0.5", "mcp_public_url": "https://mcp.acme.io",
           "server_url": "https://crm.acme.io"}


@pytest.fixture
def outputs_file(tmp_path, monkeypatch):
    f = tmp_path / "outputs.json"
    f.write_text(json.dumps(OUTPUTS))
    monkeypatch.setenv("TWENTY_GCP_OUTPUTS", str(f))
    return f


def test_mcp_build_and_deploy_dry_run(outputs_file, capsys):
    mcp_tasks.build(Context(), stack="prod", dry_run=True, tag="abc123")
    out = capsys.readouterr().out
    assert "$ gcloud builds submit" in out and "--project=acme-crm" in out
    assert "_IMAGE=europe-west1-docker.pkg.dev/acme-crm/twenty/twenty-mcp:abc123" in out
    mcp_tasks.mcp_deploy(Context(), stack="prod", dry_run=True, tag="abc123")
    out = capsys.readouterr().out
    assert "$ pulumi config set twenty-gcp:mcpImage " \
           "europe-west1-docker.pkg.dev/acme-crm/twenty/twenty-mcp:abc123 --stack prod" in out
    assert "$ pulumi up --stack prod --target 'urn:pulumi:prod::twenty-gcp::twenty:infra:McpService$" in out
    # the usage-dashboard job runs the same image: rolled with the service, its schedule with it
    assert "--target 'urn:pulumi:prod::twenty-gcp::twenty:infra:UsageDashboard$gcp:cloudrunv2/job:Job" \
           "::tw-usage-dashboard' --target-dependents" in out
    assert "GET https://mcp.acme.io/healthz" in out


def test_usage_dashboard_runs_the_job_now(outputs_file, capsys):
    ops_tasks.usage_dashboard(Context(), stack="prod", dry_run=True)
    out = capsys.readouterr().out
    job = "tw-usage-dashboard"  # the usage_dashboard_job output
    assert f"$ gcloud run jobs execute {job} --project=acme-crm --region=europe-west1 --wait" in out


def test_ops_dry_runs_print_commands(outputs_file, capsys):
    ops_tasks.backup(Context(), stack="prod", dry_run=True)
    ops_tasks.restore_drill(Context(), stack="prod", dry_run=True)
    ops_tasks.worker(Context(), stack="prod", dry_run=True)
    ops_tasks.status(Context(), stack="prod", dry_run=True)
    out = capsys.readouterr().out
    for expected in ("$ gcloud sql backups create --instance=tw-pg", "gs://tw-files/backups/",
                     "$ gcloud sql backups restore", "$ gcloud sql instances delete tw-pg-drill-",
                     "$ gcloud compute ssh tw-worker --project=acme-crm --zone=europe-west1-b "
                     "--tunnel-through-iap",
                     "$ gcloud run services describe tw-server", "GET https://crm.acme.io/healthz"):
        assert expected in out, expected


def test_without_outputs_dry_run_uses_placeholders_and_says_why(monkeypatch, capsys):
    monkeypatch.delenv("TWENTY_GCP_OUTPUTS", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # no pulumi CLI
    ops_tasks.backup(Context(), stack="prod", dry_run=True)
    out = capsys.readouterr().out
    assert "precondition not met (dry-run continues with placeholders)" in out
    assert "--instance=<sql-instance>" in out


def test_real_run_without_outputs_fails_with_the_fix(monkeypatch):
    monkeypatch.delenv("TWENTY_GCP_OUTPUTS", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SystemExit) as err:
        ops_tasks.backup(Context(), stack="prod")
    assert "Pulumi CLI is not installed" in str(err.value) and "TWENTY_GCP_OUTPUTS" in str(err.value)
