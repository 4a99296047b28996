"""gcloud / Cloud Build paths: the exact commands under --dry-run, and precondition errors."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest

from deploy import gcloud
from deploy.context import Ops
from deploy.mcp_image import build as mcp
from deploy.ops import runbook as ops
from deploy.preconditions import PreconditionError
from deploy.runner import CommandResult, RecordingRunner
from deploy.secrets import DictSecretSource
from deploy.stack import StackOutputs, load_outputs

# the infra program's output names (infra/outputs.py), as `pulumi stack output --json` prints them
OUT = StackOutputs.from_mapping(
    "prod",
    {
        "project": "acme-crm",
        "region": "europe-west1",
        "server_url": "https://crm.acme.io",
        "artifact_repo": "europe-west1-docker.pkg.dev/acme-crm/twenty",
        "sql_instance": "twenty-pg",
        "sql_connection_name": "acme-crm:europe-west1:twenty-pg",
        "redis_host": "10.1.2.3",
        "redis_port": 6378,
        "bucket": "acme-twenty-files",
        "mcp_public_url": "https://mcp.acme.io",
        "zone": "europe-west1-b",
        "worker_vm": "twenty-worker",
        "db_name": "default",
        "db_user": "twenty",
        "mcp_service": "twenty-mcp",
        "server_service": "twenty-server",
        "db_url_secret": "twenty-pg-url",
        "redis_url_secret": "twenty-redis-url",
    },
)
SECRETS = DictSecretSource(
    {
        "twenty-pg-url": "postgres://twenty:pw-db@10.1.0.3:5432/default",
        "twenty-redis-url": "rediss://:pw%2Fredis@10.1.2.3:6378",
    }
)


def have_all(_: str) -> str:
    return "/usr/bin/x"


def have_none(_: str) -> None:
    return None


def make(runner: RecordingRunner | None = None, which=have_all, out: StackOutputs = OUT) -> Ops:
    return Ops(out, runner or RecordingRunner(), which=which, secrets=SECRETS, echo=lambda _: None)


def test_outputs_are_the_infra_programs_names_only():
    assert (OUT.project, OUT.sql_instance, OUT.zone) == ("acme-crm", "twenty-pg", "europe-west1-b")
    assert OUT.connection_name == "acme-crm:europe-west1:twenty-pg"
    with pytest.raises(PreconditionError, match="did you mean `project`"):
        StackOutputs.from_mapping("prod", {"project_id": "acme-crm"})


def test_outputs_from_file(tmp_path):
    f = tmp_path / "o.json"
    f.write_text(json.dumps({"project": "p", "region": "r", "sql_connection_name": "p:r:i"}))
    out = load_outputs("s", env={"TWENTY_GCP_OUTPUTS": str(f)})
    assert out.connection_name == "p:r:i"
    with pytest.raises(PreconditionError, match="not a file"):
        load_outputs("s", env={"TWENTY_GCP_OUTPUTS": str(tmp_path / "missing.json")})


def test_missing_gcloud_and_outputs_are_named_with_fixes():
    runner = RecordingRunner(dry_run=False)
    bare = StackOutputs(stack="prod")
    with pytest.raises(PreconditionError) as err:
        ops.backup(make(runner, which=have_none, out=bare))
    text = str(err.value)
    assert "`gcloud` is not on PATH" in text and "install the Google Cloud CLI" in text
    assert "stack `prod` has no output `project`" in text and "inv infra.up --stack prod" in text
    assert "no output `sql_instance`" in text and "no output `bucket`" in text
    assert runner.commands == []  # nothing ran


def test_no_active_gcloud_account_refused():
    runner = RecordingRunner(dry_run=False)  # `gcloud auth list` answers nothing
    with pytest.raises(PreconditionError, match="gcloud auth login"):
        ops.logs(make(runner), "server")
    assert runner.lines == ["gcloud auth list --filter=status:ACTIVE '--format=value(account)'"]


def test_dry_run_warns_instead_of_failing():
    runner = RecordingRunner()
    ops.logs(make(runner, which=have_none), "worker", limit=20, freshness="30m")
    assert any("`gcloud` is not on PATH" in n for n in runner.notes)
    assert runner.commands == [
        [
            "gcloud",
            "logging",
            "read",
            'resource.type="gce_instance" AND labels."compute.googleapis.com/resource_name"="twenty-worker"',
            "--project=acme-crm",
            "--limit=20",
            "--freshness=30m",
            "--order=desc",
            "--format=value(timestamp,severity,textPayload,jsonPayload.message)",
        ]
    ]


def test_logs_targets():
    runner = RecordingRunner()
    ops.logs(make(runner), "mcp")
    assert 'resource.labels.service_name="twenty-mcp"' in runner.commands[0][3]
    with pytest.raises(ValueError, match="server, worker, mcp"):
        ops.logs(make(runner), "db")


def test_worker_uses_iap_ssh():
    runner = RecordingRunner()
    ops.worker(make(runner), tail=10)
    cmd = runner.commands[0]
    assert cmd[:8] == [
        "gcloud",
        "compute",
        "ssh",
        "twenty-worker",
        "--project=acme-crm",
        "--zone=europe-west1-b",
        "--tunnel-through-iap",
        cmd[7],
    ]
    assert "docker logs --tail 10" in cmd[7]


def test_db_shell_goes_through_auth_proxy_on_private_ip_never_public():
    runner = RecordingRunner()
    ops.db_shell(make(runner))
    tunnel, psql = runner.commands
    assert tunnel[-1] == "&" and "--tunnel-through-iap" in tunnel
    assert "-L" in tunnel and "127.0.0.1:15432:127.0.0.1:5433" in tunnel
    remote = shlex.split(tunnel[-2])
    assert remote[5] == gcloud.CLOUD_SQL_PROXY_IMAGE
    assert "--private-ip" in remote and remote[-1] == "acme-crm:europe-west1:twenty-pg"
    assert psql == ["psql", "host=127.0.0.1 port=15432 user=twenty dbname=default"]
    assert not any("pw-db" in " ".join(c) for c in runner.commands)  # password only via env
    assert not any("sql connect" in " ".join(c) for c in runner.commands)  # the public-IP path


def test_db_shell_local_proxy_needs_the_binary():
    runner = RecordingRunner(dry_run=False, responses={("gcloud", "auth"): CommandResult(0, "me@acme.io\n")})
    with pytest.raises(PreconditionError, match="cloud-sql-proxy"):
        ops.db_shell(make(runner, which=lambda t: None if t == "cloud-sql-proxy" else "/x"), via="local")


def test_backup_creates_backup_and_exports_to_bucket():
    runner = RecordingRunner()
    ops.backup(make(runner))
    create, export = runner.commands
    assert create[:5] == ["gcloud", "sql", "backups", "create", "--instance=twenty-pg"]
    assert export[:5] == ["gcloud", "sql", "export", "sql", "twenty-pg"]
    assert export[5].startswith("gs://acme-twenty-files/backups/default-") and export[5].endswith(".sql.gz")
    assert "--offload" in export


def test_restore_drill_cloud_commands_and_cleanup():
    runner = RecordingRunner(responses={("gcloud", "sql", "backups", "list"): CommandResult(0, "1712\n")})
    report = ops.restore_drill_cloud(make(runner), network="projects/acme-crm/global/networks/twenty")
    lines = runner.lines
    assert lines[0].startswith("gcloud sql backups list --instance=twenty-pg")
    assert "--sort-by=~windowStartTime" in lines[0] and "--limit=1" in lines[0]
    create = runner.commands[1]
    assert create[:5] == ["gcloud", "sql", "instances", "create", report.scratch]
    assert "--no-assign-ip" in create and "--network=projects/acme-crm/global/networks/twenty" in create
    assert runner.commands[2] == [
        "gcloud",
        "sql",
        "backups",
        "restore",
        "1712",
        f"--restore-instance={report.scratch}",
        "--backup-instance=twenty-pg",
        "--project=acme-crm",
        "--quiet",
    ]
    assert runner.commands[-1] == [
        "gcloud",
        "sql",
        "instances",
        "delete",
        report.scratch,
        "--project=acme-crm",
        "--quiet",
    ]
    assert report.backup == "1712"


def test_flags_cloud_dry_run_tunnels_pg_and_redis_and_shows_statements():
    runner = RecordingRunner()
    ops.flags_cloud(make(runner), workspace="ws-1", assignment="IS_JSON_FILTER_ENABLED=on")
    assert "127.0.0.1:16379:10.1.2.3:6378" in runner.commands[0]
    assert any("ON CONFLICT" in n and "'IS_JSON_FILTER_ENABLED', 'ws-1', true" in n for n in runner.notes)
    assert (
        "redis DEL engine:workspace:feature-flag:feature-flags-map:ws-1:data "
        "engine:workspace:feature-flag:feature-flags-map:ws-1:hash"
    ) in runner.notes


def test_flags_refuses_unknown_before_any_command():
    runner = RecordingRunner()
    with pytest.raises(ValueError, match="no IS_AI_ENABLED flag"):
        ops.flags_cloud(make(runner), assignment="IS_AI_ENABLED=true")
    assert runner.commands == []


def test_redis_url_quotes_auth_and_uses_tls():
    assert ops.redis_url(make(), 16379) == "rediss://:pw%2Fredis@127.0.0.1:16379/0?ssl_cert_reqs=none"


def test_status_reads_services_and_health():
    describe = json.dumps(
        {
            "status": {
                "url": "https://x.run.app",
                "latestReadyRevisionName": "r-2",
                "conditions": [{"type": "Ready", "status": "True"}],
            }
        }
    )
    runner = RecordingRunner(
        dry_run=False,
        responses={
            ("gcloud", "auth"): CommandResult(0, "me@acme.io\n"),
            ("gcloud", "run", "services", "describe"): CommandResult(0, describe),
            ("gcloud", "compute", "instances", "describe"): CommandResult(0, "RUNNING\n"),
        },
    )
    o = make(runner)
    o.http_get = lambda url: 200
    report = dict(ops.status(o).lines)
    assert report["cloud run server (twenty-server)"] == "ready=True revision=r-2 url=https://x.run.app"
    assert report["server /healthz"] == "200" and report["worker vm (twenty-worker)"] == "RUNNING"


# ------------------------------------------------------------------------------------------ mcp


def test_mcp_build_is_cloud_build_from_source_tagged_with_commit(tmp_path):
    (tmp_path / "mcp_server").mkdir()
    (tmp_path / "mcp_server" / "Dockerfile").write_text("FROM scratch\n")
    runner = RecordingRunner()
    image = mcp.build(make(runner), "0123abcd4567", source=tmp_path)
    assert image == "europe-west1-docker.pkg.dev/acme-crm/twenty/twenty-mcp:0123abcd4567"
    assert runner.commands == [
        [
            "gcloud",
            "builds",
            "submit",
            str(tmp_path),
            "--project=acme-crm",
            "--region=europe-west1",
            f"--config={tmp_path}/deploy/mcp_image/cloudbuild.yaml",
            f"--substitutions=_IMAGE={image},_DOCKERFILE=mcp_server/Dockerfile",
            "--format=json",
        ]
    ]
    assert not any(c[0] == "docker" for c in runner.commands)


def test_mcp_build_without_dockerfile_fails_for_real(tmp_path):
    with pytest.raises(PreconditionError, match="mcp_server/Dockerfile is missing"):
        mcp.build(make(RecordingRunner(dry_run=False)), "abc", source=tmp_path)


def test_cloudbuild_config_builds_the_dockerfile_and_pushes():
    import yaml

    cfg = yaml.safe_load((Path(mcp.REPO_ROOT) / gcloud.CLOUDBUILD_CONFIG).read_text())
    assert cfg["steps"][0]["args"] == ["build", "-f", "${_DOCKERFILE}", "-t", "${_IMAGE}", "."]
    assert cfg["images"] == ["${_IMAGE}"]


def test_image_repo_forms():
    base = {"project": "p", "region": "us-central1"}
    assert (
        gcloud.image_repo(StackOutputs.from_mapping("s", {**base, "artifact_repo": "twenty"}))
        == "us-central1-docker.pkg.dev/p/twenty"
    )
    full = "projects/p/locations/us-central1/repositories/twenty"
    assert (
        gcloud.image_repo(StackOutputs.from_mapping("s", {**base, "artifact_repo": full}))
        == "us-central1-docker.pkg.dev/p/twenty"
    )


def test_git_tag_clean_and_dirty(tmp_path):
    def git(*a: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *a], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "f").write_text("1")
    git("add", "f")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x")
    sha = mcp.git_tag(tmp_path)
    assert len(sha) == 12
    (tmp_path / "f").write_text("2")
    with pytest.raises(PreconditionError, match="uncommitted changes"):
        mcp.git_tag(tmp_path)
    assert mcp.git_tag(tmp_path, allow_dirty=True) == f"{sha}-dirty"


def test_mcp_deploy_rolls_image_waits_ready_and_checks_health():
    image = "europe-west1-docker.pkg.dev/acme-crm/twenty/twenty-mcp:abc"
    describe = {
        "spec": {"template": {"spec": {"containers": [{"image": image}]}}},
        "status": {
            "url": "https://tw-mcp-x.a.run.app",
            "latestReadyRevisionName": "m-3",
            "latestCreatedRevisionName": "m-3",
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }
    runner = RecordingRunner(
        dry_run=False,
        responses={
            ("gcloud", "auth"): CommandResult(0, "me@acme.io\n"),
            ("gcloud", "run", "services", "describe"): CommandResult(0, json.dumps(describe)),
        },
    )
    seen: list[str] = []
    o = make(runner)
    o.http_get = lambda url: seen.append(url) or 200
    rolled: list[str] = []
    mcp.deploy(o, image, poll=0, roll=lambda _ops, img: rolled.append(img))
    assert rolled == [image]  # through Pulumi (mcpImage), not `gcloud run services update`
    assert not any(c[:4] == ["gcloud", "run", "services", "update"] for c in runner.commands)
    assert seen == ["https://tw-mcp-x.a.run.app/healthz"]
    o.http_get = lambda url: 503
    with pytest.raises(RuntimeError, match="update-traffic"):
        mcp.deploy(o, image, poll=0, roll=lambda _ops, img: None)


def test_mcp_deploy_times_out_when_revision_never_ready():
    runner = RecordingRunner(
        dry_run=False,
        responses={
            ("gcloud", "auth"): CommandResult(0, "me@acme.io\n"),
            ("gcloud", "run", "services", "describe"): CommandResult(0, json.dumps({"status": {}})),
        },
    )
    with pytest.raises(TimeoutError, match=r"inv ops\.logs mcp"):
        mcp.deploy(make(runner), "img", timeout=0, poll=0, roll=lambda _ops, img: None)


def test_credentials_from_the_url_secrets_twenty_uses():
    out = StackOutputs.from_mapping(
        "prod",
        {
            "project": "p",
            "region": "r",
            "sql_connection_name": "p:r:i",
            "redis_host": "10.0.0.5",
            "db_url_secret": "tw-pg-url",
            "redis_url_secret": "tw-redis-url",
            "zone": "r-b",
            "worker_vm": "tw-worker",
        },
    )
    secrets = DictSecretSource(
        {
            "tw-pg-url": "postgres://twenty:p%40ss@10.1.0.3:5432/twentydb?sslmode=require",
            "tw-redis-url": "rediss://:r%2Fauth@10.0.0.5:6378",
        }
    )
    o = Ops(out, RecordingRunner(), which=have_all, secrets=secrets, echo=lambda _: None)
    assert ops.db_credentials(o) == ("twenty", "p@ss", "twentydb")
    dsn = ops.db_dsn(o, 15432)
    assert "host=127.0.0.1" in dsn and "port=15432" in dsn and "dbname=twentydb" in dsn
    assert ops.redis_url(o, 16379) == "rediss://:r%2Fauth@127.0.0.1:16379/0?ssl_cert_reqs=none"
    runner = RecordingRunner()
    ops.db_shell(Ops(out, runner, which=have_all, secrets=secrets, echo=lambda _: None))
    assert runner.commands[-1] == ["psql", "host=127.0.0.1 port=15432 user=twenty dbname=twentydb"]
    assert not any("p@ss" in " ".join(c) for c in runner.commands)


def test_restore_drill_needs_the_vpc_for_its_scratch_instance():
    runner = RecordingRunner(
        dry_run=False,
        responses={
            ("gcloud", "auth"): CommandResult(0, "me@acme.io\n"),
            ("gcloud", "sql", "backups", "list"): CommandResult(0, "1712\n"),
        },
    )
    with pytest.raises(PreconditionError, match="--network projects/PROJECT/global/networks/NAME"):
        ops.restore_drill_cloud(make(runner))
    assert not any(c[:4] == ["gcloud", "sql", "instances", "create"] for c in runner.commands)
