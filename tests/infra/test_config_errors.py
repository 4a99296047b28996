"""Every mistake in a stack file answered in one short message naming the file or key and the fix
(issue 17): YAML syntax, sizes in Google's formats, "did you mean" by closeness, and `inv plan`
printing its verdict first and last at the terminal's width."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from infra import policies, pricing
from infra.config import ConfigError, parse_stack_config, read_stack_file
from infra.config_checks import closest, cpu_count, memory_mib
from infra.plan import main, plan_console, verdict

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = {
    "gcp:project": "my-twenty-staging",
    "twenty-gcp:domain": "crm.example.com",
    "twenty-gcp:googleClientId": "1-x.apps.googleusercontent.com",
    "twenty-gcp:smtpHost": "smtp.example.com",
    "twenty-gcp:emailFromAddress": "crm@example.com",
}


def _error(**raw: object) -> str:
    with pytest.raises(ConfigError) as err:
        parse_stack_config({**MINIMAL, **{f"twenty-gcp:{k}": v for k, v in raw.items()}}, "staging")
    return str(err.value)


def _plan_output(root: Path, stack: str = "staging") -> tuple[int, str]:
    buf = io.StringIO()
    code = main(stack, root=root, console=Console(file=buf, width=100, color_system=None))
    return code, buf.getvalue()


def test_yaml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    lines = (ROOT / "Pulumi.staging.yaml").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if "serverMemory" in line)
    lines[at] = "  twenty-gcp:serverMemory: 1Gi: oops"
    (tmp_path / "Pulumi.staging.yaml").write_text("\n".join(lines) + "\n")
    code, out = _plan_output(tmp_path)
    assert code == 2
    assert f"Pulumi.staging.yaml:{at + 1}:31: YAML syntax error: mapping values are not allowed here" in out
    assert "Traceback" not in out and "ScannerError" not in out and "<unicode string>" not in out
    assert "1Gi: oops" in out and "Fix:" in out
    assert len(out.splitlines()) <= 6, out


def test_yaml_tab_and_unclosed_list_say_where(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.tab.yaml").write_text("config:\n\tgcp:project: x\n")
    (tmp_path / "Pulumi.list.yaml").write_text("config:\n  a: [1, 2\n  b: 3\n")
    with pytest.raises(ConfigError, match=r"^Pulumi\.tab\.yaml:2:1: YAML syntax error: .*'\\t'"):
        read_stack_file(str(tmp_path / "Pulumi.tab.yaml"))
    with pytest.raises(ConfigError, match=r"^Pulumi\.list\.yaml:3:4: YAML syntax error: expected ','"):
        read_stack_file(str(tmp_path / "Pulumi.list.yaml"))


def test_a_stack_file_that_is_not_a_mapping_is_named(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.x.yaml").write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match=r"^Pulumi\.x\.yaml: expected a mapping with a `config:` block"):
        read_stack_file(str(tmp_path / "Pulumi.x.yaml"))


def test_server_memory_in_gb_fails_validation_with_the_allowed_format(tmp_path: Path) -> None:
    message = _error(serverMemory="1GB")
    assert message.startswith("twenty-gcp:serverMemory: `1GB` is not a memory size. Fix: use a whole number")
    assert "512Mi, 1Gi, 2Gi" in message
    text = (ROOT / "Pulumi.staging.yaml").read_text()
    (tmp_path / "Pulumi.staging.yaml").write_text(text.replace("serverMemory: 1Gi", "serverMemory: 1GB"))
    code, out = _plan_output(tmp_path)
    assert code == 2 and "twenty-gcp:serverMemory: `1GB`" in out
    assert "ValueError" not in out and "Policies" not in out  # stopped before any plan was printed


@pytest.mark.parametrize(
    ("raw", "start", "fix"),
    [
        ({"serverMemory": "2048"}, "twenty-gcp:serverMemory: `2048` is not a memory size", "Mi or Gi"),
        ({"serverMemory": "64Gi"}, "twenty-gcp:serverMemory: `64Gi` is outside", "512Mi to 32Gi"),
        ({"serverCpu": "3"}, "twenty-gcp:serverCpu: `3` is not a Cloud Run CPU value", "1, 2, 4, 6 or 8"),
        ({"serverCpu": "1 vCPU"}, "twenty-gcp:serverCpu:", "fraction below 1"),
        ({"serverCpu": "0.5", "serverMemory": "2Gi"}, "twenty-gcp:serverMemory: Cloud Run allows", "1Gi"),
        (
            {"workerDiskGb": "20GB"},
            "twenty-gcp:workerDiskGb: `20GB` is not valid",
            "from 10 to 200 with no unit",
        ),
        ({"workerDiskGb": 5}, "twenty-gcp:workerDiskGb: `5` is not valid", "from 10 to 200"),
        ({"dbDiskGb": "10 GB"}, "twenty-gcp:dbDiskGb: `10 GB` is not valid", "whole number"),
        ({"redisMemoryGb": "1.5"}, "twenty-gcp:redisMemoryGb: `1.5` is not valid", "whole number"),
        ({"redisVmMaxMemoryMb": "256MB"}, "twenty-gcp:redisVmMaxMemoryMb: `256MB`", "from 32 to 4096"),
        ({"serverActiveHoursPerDay": "2h"}, "twenty-gcp:serverActiveHoursPerDay: `2h`", "from 0 to 24"),
        ({"dbMaxConnections": "lots"}, "twenty-gcp:dbMaxConnections: `lots` is not valid", "from 25 to 1000"),
        ({"smtpPort": 70000}, "twenty-gcp:smtpPort: `70000` is not valid", "from 1 to 65535"),
        ({"psaPrefixLength": 28}, "twenty-gcp:psaPrefixLength: `28` is not valid", "from 16 to 24"),
        (
            {"subnetCidr": "10.10.0.1/24"},
            "twenty-gcp:subnetCidr: `10.10.0.1/24` is not an IPv4 range",
            "host bits",
        ),
        ({"runSubnetCidr": "10.10.16.0"}, "twenty-gcp:runSubnetCidr:", "CIDR notation"),
        (
            {"connectorCidr": "8.8.8.0/28"},
            "twenty-gcp:connectorCidr: `8.8.8.0/28` is not a private",
            "10.0.0.0/8",
        ),
        (
            {"dbVersion": "16"},
            "twenty-gcp:dbVersion: `16` is not a Cloud SQL PostgreSQL version",
            "POSTGRES_16",
        ),
        ({"deletionProtection": "maybe"}, "twenty-gcp:deletionProtection: `maybe`", "true or false"),
        ({"workerMachineType": "e2-smal"}, "twenty-gcp:workerMachineType: `e2-smal` is not", "`e2-small`?"),
        ({"workerMachineType": "E2 small"}, "twenty-gcp:workerMachineType: `E2 small` is not", "e2-small"),
        ({"workerMode": "vms"}, "twenty-gcp:workerMode: `vms` is not allowed", "did you mean `vm`?"),
    ],
)
def test_every_numeric_and_size_setting_names_the_allowed_format(
    raw: dict[str, object], start: str, fix: str
) -> None:
    message = _error(**raw)
    assert message.startswith(start), message
    assert "Fix:" in message and fix in message, message


def test_the_example_sizes_are_accepted() -> None:
    assert memory_mib("512Mi") == 512 and memory_mib("2Gi") == 2048 and memory_mib("1GB") is None
    assert cpu_count("1") == 1 and cpu_count("500m") == 0.5 and cpu_count("0.5") == 0.5
    assert cpu_count("3") is None and cpu_count("16") is None and cpu_count("0.01") is None
    parse_stack_config({**MINIMAL, "twenty-gcp:serverCpu": "2", "twenty-gcp:serverMemory": "4Gi"}, "staging")


def test_db_tier_typo_suggests_the_closest_tier() -> None:
    message = _error(dbTier="db-f1-mikro")
    assert message == (
        "twenty-gcp:dbTier: `db-f1-mikro` is not a Cloud SQL PostgreSQL tier. "
        "Fix: did you mean `db-f1-micro`?"
    )
    assert "did you mean `db-g1-small`?" in _error(dbTier="db-g1-smal")
    assert "did you mean `db-custom-1-3840`?" in _error(dbTier="db-custon-1-3840")
    assert "use db-f1-micro, db-g1-small or db-custom-1-3840" in _error(dbTier="huge")


def test_closest_ranks_by_closeness_not_by_order() -> None:
    assert closest("db-f1-mikro", ["db-g1-small", "db-custom-1-3840", "db-f1-micro"]) == "db-f1-micro"
    assert closest("LEAN", ["standard", "lean", "ha"]) == "lean"
    assert closest("zzz", ["lean", "ha"]) is None


def test_plan_prints_the_verdict_first_and_last() -> None:
    code, out = _plan_output(ROOT)
    assert code == 0
    lines = [line for line in out.splitlines() if line.strip()]
    verdicts = [i for i, line in enumerate(lines) if line.startswith("verdict: ")]
    assert verdicts[0] <= 2 and verdicts[-1] == len(lines) - 1, verdicts
    assert lines[verdicts[0]] == lines[-1]
    assert "all mandatory policies pass, total $" in lines[-1] and "/month" in lines[-1]
    assert max(len(line) for line in out.splitlines()) <= 100


def test_plan_uses_the_terminal_width_or_100(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert plan_console().width == 100  # pytest's stdout is not a terminal
    monkeypatch.setenv("COLUMNS", "132")
    assert plan_console().width == 132


def test_a_policy_failure_is_the_verdict() -> None:
    report = policies.PolicyReport(
        checked={"sql-no-public-ip": 1},
        violations=[policies.Violation("sql-no-public-ip", "twenty-pg", "public")],
    )
    line = verdict(report, [pricing.CostLine("t", "n", 12.5, "b", ())])
    assert "policy violations (sql-no-public-ip): plan refused" in line and "total $12.50/month" in line
