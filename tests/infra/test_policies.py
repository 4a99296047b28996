"""Every policy rule, called directly (no Pulumi CLI): one passing and one failing resource each."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra import policies as P
from infra.policies import PolicyContext, PolicyResource

GOOD_SQL: dict[str, Any] = {
    "databaseVersion": "POSTGRES_16",
    "deletionProtection": True,
    "settings": {
        "tier": "db-g1-small",
        "edition": "ENTERPRISE",
        "deletionProtectionEnabled": True,
        "ipConfiguration": {"ipv4Enabled": False, "privateNetwork": "vpc-id", "sslMode": "ENCRYPTED_ONLY"},
        "backupConfiguration": {"enabled": True, "pointInTimeRecoveryEnabled": True},
        "databaseFlags": [{"name": "max_connections", "value": "100"}],
    },
}
GOOD_REDIS = {
    "authEnabled": True,
    "transitEncryptionMode": "SERVER_AUTHENTICATION",
    "connectMode": "PRIVATE_SERVICE_ACCESS",
    "redisConfigs": {"maxmemory-policy": "noeviction"},
}
GOOD_VM = {
    "machineType": "e2-small",
    "networkInterfaces": [{"subnetwork": "s", "accessConfigs": []}],
    "shieldedInstanceConfig": {"enableSecureBoot": True},
    "serviceAccount": {"email": "twenty-worker@p.iam.gserviceaccount.com"},
    "metadata": {
        "enable-oslogin": "TRUE",
        "user-data": "#cloud-config\nAUTH_GOOGLE_CLIENT_ID=abc\nTOKEN=$(curl metadata)\n"
        "PG_DATABASE_URL twenty-pg-url\nPG_POOL_MAX_CONNECTIONS=10\n"
        "redis-server /etc/redis.conf requirepass %s",
    },
}
GOOD_RUN = {
    "deletionProtection": True,
    "template": {
        "serviceAccount": "twenty-server@p.iam.gserviceaccount.com",
        "scaling": {"maxInstanceCount": 3},
        "containers": [
            {
                "envs": [
                    {"name": "SERVER_URL", "value": "https://crm.example.com"},
                    {"name": "PG_POOL_MAX_CONNECTIONS", "value": "10"},
                    {
                        "name": "PG_DATABASE_URL",
                        "valueSource": {"secretKeyRef": {"secret": "pg", "version": "latest"}},
                    },
                ],
                "startupProbe": {"httpGet": {"path": "/healthz", "port": 3000}},
            }
        ],
    },
}


def mutate(props: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(props)
    cur: Any = out
    for key in path[:-1]:
        cur = cur[key]
    cur[path[-1]] = value
    return out


# rule → (type, name, passing props, failing props, is_prod, extra resources in the stack)
INVOKER = "usage-invoker@p.iam.gserviceaccount.com"
GOOD_SCHEDULE = {
    "httpTarget": {
        "uri": "https://run.googleapis.com/v2/projects/p/locations/us-central1/jobs/usage:run",
        "httpMethod": "POST",
        "oauthToken": {"serviceAccountEmail": INVOKER},
    }
}

CASES: dict[str, tuple[str, str, dict[str, Any], dict[str, Any], bool, list[PolicyResource]]] = {
    "sql-no-public-ip": (
        P.SQL,
        "pg",
        GOOD_SQL,
        mutate(GOOD_SQL, ("settings", "ipConfiguration", "ipv4Enabled"), True),
        False,
        [],
    ),
    "sql-tls-required": (
        P.SQL,
        "pg",
        GOOD_SQL,
        mutate(GOOD_SQL, ("settings", "ipConfiguration", "sslMode"), "ALLOW_UNENCRYPTED_AND_ENCRYPTED"),
        False,
        [],
    ),
    "sql-backups-pitr": (
        P.SQL,
        "pg",
        GOOD_SQL,
        mutate(GOOD_SQL, ("settings", "backupConfiguration", "pointInTimeRecoveryEnabled"), False),
        False,
        [],
    ),
    "sql-deletion-protection-prod": (
        P.SQL,
        "pg",
        GOOD_SQL,
        mutate(GOOD_SQL, ("deletionProtection",), False),
        True,
        [],
    ),
    "sql-edition-tier": (
        P.SQL,
        "pg",
        GOOD_SQL,
        mutate(GOOD_SQL, ("settings", "edition"), "ENTERPRISE_PLUS"),
        False,
        [],
    ),
    "sql-connection-budget": (P.SQL, "pg", GOOD_SQL, GOOD_SQL, False, []),  # the stack varies, see below
    "redis-auth-tls": (P.REDIS, "r", GOOD_REDIS, mutate(GOOD_REDIS, ("authEnabled",), False), False, []),
    "redis-noeviction": (
        P.REDIS,
        "r",
        GOOD_REDIS,
        mutate(GOOD_REDIS, ("redisConfigs",), {"maxmemory-policy": "allkeys-lru"}),
        False,
        [],
    ),
    "redis-private-access": (
        P.REDIS,
        "r",
        GOOD_REDIS,
        mutate(GOOD_REDIS, ("connectMode",), "DIRECT_PEERING"),
        False,
        [],
    ),
    "vm-redis-password": (
        P.VM,
        "w",
        GOOD_VM,
        mutate(GOOD_VM, ("metadata", "user-data"), "redis-server --maxmemory-policy noeviction"),
        False,
        [],
    ),
    "bucket-not-public": (
        P.BUCKET,
        "b",
        {"publicAccessPrevention": "enforced", "uniformBucketLevelAccess": True},
        {"publicAccessPrevention": "inherited", "uniformBucketLevelAccess": True},
        False,
        [],
    ),
    "bucket-iam-not-public": (
        P.BUCKET_IAM,
        "g",
        {"member": "serviceAccount:x@p.iam.gserviceaccount.com"},
        {"member": "allUsers"},
        False,
        [],
    ),
    "bucket-no-force-destroy-prod": (
        P.BUCKET,
        "b",
        {"forceDestroy": False},
        {"forceDestroy": True},
        True,
        [],
    ),
    "run-secrets-by-reference": (
        P.RUN_SERVICE,
        "twenty-server",
        GOOD_RUN,
        mutate(
            GOOD_RUN,
            ("template", "containers", 0, "envs", 2),
            {"name": "PG_DATABASE_URL", "value": "postgres://twenty:hunter2@10.0.0.3/db"},
        ),
        False,
        [],
    ),
    "vm-metadata-no-secrets": (
        P.VM,
        "w",
        GOOD_VM,
        mutate(GOOD_VM, ("metadata", "startup-script"), "export REDIS_PASSWORD=hunter2"),
        False,
        [],
    ),
    "vm-no-public-ip": (
        P.VM,
        "w",
        GOOD_VM,
        mutate(GOOD_VM, ("networkInterfaces", 0, "accessConfigs"), [{}]),
        False,
        [],
    ),
    "vm-hardened": (P.VM, "w", GOOD_VM, mutate(GOOD_VM, ("metadata", "enable-oslogin"), "FALSE"), False, []),
    "vm-worker-memory": (P.VM, "w", GOOD_VM, mutate(GOOD_VM, ("machineType",), "e2-micro"), False, []),
    "firewall-not-world-open": (
        P.FIREWALL,
        "fw",
        {"direction": "INGRESS", "sourceRanges": ["35.235.240.0/20"]},
        {"direction": "INGRESS", "sourceRanges": ["0.0.0.0/0"]},
        False,
        [],
    ),
    "no-primitive-roles": (
        "gcp:projects/iAMMember:IAMMember",
        "m",
        {"role": "roles/logging.logWriter"},
        {"role": "roles/editor"},
        False,
        [],
    ),
    "secret-access-service-accounts": (
        P.SECRET_IAM,
        "s",
        {
            "role": "roles/secretmanager.secretAccessor",
            "member": "serviceAccount:w@p.iam.gserviceaccount.com",
        },
        {"role": "roles/secretmanager.secretAccessor", "member": "user:me@example.com"},
        False,
        [],
    ),
    "run-public-allowlist": (
        P.RUN_IAM,
        "twenty-server-public",
        {"member": "allUsers"},
        {"member": "allUsers"},
        False,
        [],
    ),  # failing case renamed below
    "run-deletion-protection-prod": (
        P.RUN_SERVICE,
        "twenty-server",
        GOOD_RUN,
        mutate(GOOD_RUN, ("deletionProtection",), False),
        True,
        [],
    ),
    "run-own-service-account": (
        P.RUN_SERVICE,
        "twenty-server",
        GOOD_RUN,
        mutate(GOOD_RUN, ("template", "serviceAccount"), "123-compute@developer.gserviceaccount.com"),
        False,
        [],
    ),
    "run-server-health-probes": (
        P.RUN_SERVICE,
        "twenty-server",
        GOOD_RUN,
        mutate(GOOD_RUN, ("template", "containers", 0, "startupProbe"), None),
        False,
        [],
    ),
    "run-probe-limits": (
        P.RUN_SERVICE,
        "twenty-server",
        mutate(
            GOOD_RUN,
            ("template", "containers", 0, "startupProbe"),
            {"httpGet": {"path": "/healthz"}, "periodSeconds": 10, "failureThreshold": 24},
        ),
        mutate(  # the seed's probe: 30 × 10 s = 300 s, which Cloud Run rejects
            GOOD_RUN,
            ("template", "containers", 0, "startupProbe"),
            {"httpGet": {"path": "/healthz"}, "periodSeconds": 10, "failureThreshold": 30},
        ),
        False,
        [],
    ),
    "twenty-sends-email": (
        P.RUN_SERVICE,
        "twenty-server",
        mutate(GOOD_RUN, ("template", "containers", 0, "envs", 0), {"name": "EMAIL_DRIVER", "value": "SMTP"}),
        GOOD_RUN,  # no EMAIL_DRIVER: 2.21's LOGGER
        False,
        [],
    ),
    "secret-replication": (P.SECRET, "s", {"replication": {"auto": {}}}, {"secretId": "s"}, False, []),
    "scheduler-least-privilege": (
        P.SCHEDULER,
        "usage-monthly",
        GOOD_SCHEDULE,
        mutate(GOOD_SCHEDULE, ("httpTarget", "oidcToken"), {"serviceAccountEmail": INVOKER}),  # not OAuth
        False,
        [
            PolicyResource(P.RUN_JOB, "usage", {"name": "usage"}),
            PolicyResource(
                P.RUN_JOB_IAM,
                "usage-invoker",
                {"name": "usage", "role": "roles/run.invoker", "member": f"serviceAccount:{INVOKER}"},
            ),
        ],
    ),
}

FAIL_NAMES = {"run-public-allowlist": "twenty-internal-public"}


def test_every_rule_has_a_case() -> None:
    assert len(P.RULES) >= 15
    assert set(CASES) == {r.name for r in P.RULES}


def _run(
    rule_name: str, typ: str, name: str, props: dict[str, Any], is_prod: bool, others: list[PolicyResource]
) -> str | None:
    r = PolicyResource(typ, name, props)
    return P.rule(rule_name).check(r, PolicyContext(is_prod=is_prod, resources=(r, *others)))


@pytest.mark.parametrize("rule_name", sorted(CASES))
def test_rule_passes_good_resource(rule_name: str) -> None:
    typ, name, good, _bad, is_prod, others = CASES[rule_name]
    if rule_name == "sql-connection-budget":
        others = [PolicyResource(P.RUN_SERVICE, "twenty-server", GOOD_RUN)]
    assert _run(rule_name, typ, name, good, is_prod, others) is None


@pytest.mark.parametrize("rule_name", sorted(CASES))
def test_rule_fails_bad_resource(rule_name: str) -> None:
    typ, name, _good, bad, is_prod, others = CASES[rule_name]
    if rule_name == "sql-connection-budget":
        others = [
            PolicyResource(
                P.RUN_SERVICE,
                "twenty-server",
                mutate(GOOD_RUN, ("template", "scaling", "maxInstanceCount"), 10),
            )
        ]
    message = _run(rule_name, typ, FAIL_NAMES.get(rule_name, name), bad, is_prod, others)
    assert message, f"{rule_name} let a bad resource through"


def test_secret_flagged_template_fails_even_with_innocent_names() -> None:
    r = PolicyResource(P.RUN_SERVICE, "twenty-server", GOOD_RUN, frozenset({"template"}))
    assert P.run_secrets_by_reference(r, PolicyContext(False)) is not None
    vm = PolicyResource(P.VM, "w", GOOD_VM, frozenset({"metadata"}))
    assert P.vm_metadata_without_secrets(vm, PolicyContext(False)) is not None


def test_prod_only_rules_ignore_staging() -> None:
    bad = mutate(GOOD_SQL, ("deletionProtection",), False)
    assert _run("sql-deletion-protection-prod", P.SQL, "pg", bad, False, []) is None


def test_evaluate_reports_violations_and_advisories() -> None:
    resources = [
        PolicyResource(P.SQL, "pg", CASES["sql-no-public-ip"][3]),
        PolicyResource(P.VM, "w", mutate(GOOD_VM, ("machineType",), "e2-micro")),
    ]
    report = P.evaluate(resources, is_prod=False)
    rules = {v.rule for v in report.violations}
    assert "sql-no-public-ip" in rules and "vm-worker-memory" in rules
    assert not report.passed
    only_advisory = P.evaluate([resources[1]], is_prod=False)
    assert [v.rule for v in only_advisory.violations] == ["vm-worker-memory"] and only_advisory.passed


def test_policies_module_does_not_need_pulumi() -> None:
    import subprocess
    import sys

    code = "import sys, infra.policies; assert 'pulumi' not in sys.modules, sorted(sys.modules)"
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[2])
    )
