"""Real properties of every resource, for each profile and both egress modes (under Pulumi mocks)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from infra.plan import PlanResult, Recorded
from tests.infra.conftest import MEMORYSTORE, REDIS_ON_VM, VARIANTS, WITH_VM, plan_of

SQL = "gcp:sql/databaseInstance:DatabaseInstance"
RUN = "gcp:cloudrunv2/service:Service"
JOB = "gcp:cloudrunv2/job:Job"
POOL = "gcp:cloudrunv2/workerPool:WorkerPool"
VM = "gcp:compute/instance:Instance"
SECRET = "gcp:secretmanager/secret:Secret"
SECRET_IAM = "gcp:secretmanager/secretIamMember:SecretIamMember"

ALL = sorted(VARIANTS)


def envs_of(r: Recorded) -> dict[str, dict[str, Any]]:
    template = r.props["template"]
    containers = template["template"]["containers"] if r.typ == JOB else template["containers"]
    return {e["name"]: e for e in containers[0]["envs"]}


def assert_sql_private_and_tls(plan: PlanResult) -> None:
    sql = plan.one(SQL)
    s = sql.props["settings"]
    ip = s["ipConfiguration"]
    assert ip["ipv4Enabled"] is False and not ip.get("authorizedNetworks")
    assert ip["privateNetwork"] and ip["allocatedIpRange"]
    assert ip["sslMode"] == "ENCRYPTED_ONLY"


@pytest.mark.parametrize("variant", ALL)
def test_cloud_sql(variant: str) -> None:
    plan = plan_of(variant)
    cfg = plan.cfg
    assert_sql_private_and_tls(plan)
    sql = plan.one(SQL)
    s = sql.props["settings"]
    assert sql.props["databaseVersion"] == "POSTGRES_16"
    assert s["edition"] == "ENTERPRISE" and s["tier"] == cfg.db_tier
    assert {f["name"]: f["value"] for f in s["databaseFlags"]} == {
        "max_connections": str(cfg.db_max_connections)
    }
    b = s["backupConfiguration"]
    assert b["enabled"] is True and b["pointInTimeRecoveryEnabled"] is True
    assert s["availabilityType"] == ("REGIONAL" if cfg.profile == "ha" else "ZONAL")
    assert sql.props["deletionProtection"] is cfg.is_prod
    assert s["deletionProtectionEnabled"] is cfg.is_prod
    user = plan.one("gcp:sql/user:User")
    assert user.props["name"] == "twenty" and "password" in user.secret_props
    assert plan.one("gcp:sql/database:Database").props["name"] == "default"


def test_prod_is_protected_and_staging_is_disposable() -> None:
    prod, staging = plan_of("prod"), plan_of("staging")
    for typ in (SQL, RUN, JOB, VM):
        for r in prod.by_type(typ):
            assert r.props["deletionProtection"] is True, (typ, r.name)
        for r in staging.by_type(typ):
            assert r.props["deletionProtection"] is False, (typ, r.name)
    assert prod.one("gcp:storage/bucket:Bucket").props["forceDestroy"] is False
    assert staging.one("gcp:storage/bucket:Bucket").props["forceDestroy"] is True
    assert (
        staging.one("gcp:servicenetworking/connection:Connection").props["deletionPolicy"] == "REMOVE_PEERING"
    )


@pytest.mark.parametrize("variant", MEMORYSTORE)
def test_memorystore_auth_tls_noeviction_private(variant: str) -> None:
    plan = plan_of(variant)
    redis = plan.one("gcp:redis/instance:Instance")
    p = redis.props
    assert p["authEnabled"] is True
    assert p["transitEncryptionMode"] == "SERVER_AUTHENTICATION"
    assert p["connectMode"] == "PRIVATE_SERVICE_ACCESS"
    assert p["redisConfigs"] == {"maxmemory-policy": "noeviction"}
    assert p["tier"] == ("STANDARD_HA" if plan.cfg.profile == "ha" else "BASIC")
    # TLS clients need the server CA: it is a secret mounted where NODE_EXTRA_CA_CERTS points.
    server = plan.one(RUN, "twenty-server")
    envs = envs_of(server)
    assert envs["NODE_EXTRA_CA_CERTS"]["value"] == "/etc/twenty/redis-ca/ca.pem"
    volumes = {v["name"]: v for v in server.props["template"]["volumes"]}
    assert volumes["redis-ca"]["secret"]["secret"] == "twenty-redis-ca"
    assert not plan.by_type("gcp:compute/address:Address")


@pytest.mark.parametrize("variant", REDIS_ON_VM)
def test_lean_redis_on_worker_vm(variant: str) -> None:
    plan = plan_of(variant)
    assert not plan.by_type("gcp:redis/instance:Instance")
    vm = plan.one(VM)
    address = plan.one("gcp:compute/address:Address")
    assert address.props["addressType"] == "INTERNAL"
    assert vm.props["networkInterfaces"][0]["networkIp"] == "10.10.0.10"
    fw = plan.one("gcp:compute/firewall:Firewall", "twenty-allow-redis")
    expected = plan.cfg.connector_cidr if plan.cfg.vpc_egress == "connector" else plan.cfg.run_subnet_cidr
    assert fw.props["sourceRanges"] == [expected]
    assert fw.props["allows"] == [{"protocol": "tcp", "ports": ["6379"]}]
    user_data = vm.props["metadata"]["user-data"]
    assert "requirepass" in user_data and "maxmemory-policy noeviction" in user_data
    assert "/run/twenty/redis-password twenty-redis-password" in user_data
    readers = {
        r.props["member"] for r in plan.by_type(SECRET_IAM) if r.name.startswith("twenty-redis-password-")
    }
    assert readers == {f"serviceAccount:twenty-worker@{plan.cfg.project}.iam.gserviceaccount.com"}


@pytest.mark.parametrize("variant", ALL)
def test_bucket_private_and_hmac_for_s3_interop(variant: str) -> None:
    plan = plan_of(variant)
    b = plan.one("gcp:storage/bucket:Bucket").props
    assert b["publicAccessPrevention"] == "enforced" and b["uniformBucketLevelAccess"] is True
    files_sa = f"serviceAccount:twenty-files@{plan.cfg.project}.iam.gserviceaccount.com"
    grants = [r.props for r in plan.by_type("gcp:storage/bucketIAMMember:BucketIAMMember")]
    assert {"role": "roles/storage.objectAdmin", "member": files_sa} in [
        {"role": g["role"], "member": g["member"]} for g in grants
    ]
    mcp_grant = next(g for g in grants if "twenty-mcp" in g["member"])
    assert 'resource.name.startsWith("projects/_/buckets/' in mcp_grant["condition"]["expression"]
    hmac = plan.one("gcp:storage/hmacKey:HmacKey")
    assert hmac.props["serviceAccountEmail"] == files_sa.removeprefix("serviceAccount:")


@pytest.mark.parametrize("variant", ALL)
def test_server_env_and_secret_refs(variant: str) -> None:
    plan = plan_of(variant)
    cfg = plan.cfg
    server = plan.one(RUN, "twenty-server")
    t = server.props["template"]
    c = t["containers"][0]
    assert c["image"] == "twentycrm/twenty:v2.21.0"
    assert c["ports"]["containerPort"] == 3000
    assert (
        c["startupProbe"]["httpGet"]["path"] == "/healthz"
        and c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    )
    assert t["serviceAccount"] == f"twenty-server@{cfg.project}.iam.gserviceaccount.com"
    assert t["scaling"]["minInstanceCount"] == cfg.server_min_instances
    assert t["scaling"]["maxInstanceCount"] == cfg.server_max_instances
    envs = envs_of(server)
    plain = {k: e.get("value") for k, e in envs.items() if "valueSource" not in e}
    refs = {k: e["valueSource"]["secretKeyRef"] for k, e in envs.items() if "valueSource" in e}
    assert plain["SERVER_URL"] == f"https://{cfg.domain}"
    assert plain["LOGIC_FUNCTION_TYPE"] == "LOCAL"
    assert plain["AUTH_GOOGLE_CALLBACK_URL"] == f"https://{cfg.domain}/auth/google/redirect"
    assert plain["AUTH_GOOGLE_APIS_CALLBACK_URL"] == f"https://{cfg.domain}/auth/google-apis/get-access-token"
    assert (
        plain["MESSAGING_PROVIDER_GMAIL_ENABLED"] == "true"
        and plain["CALENDAR_PROVIDER_GOOGLE_ENABLED"] == "true"
    )
    assert plain["STORAGE_TYPE"] == "s3" and plain["STORAGE_S3_ENDPOINT"] == "https://storage.googleapis.com"
    assert plain["STORAGE_S3_REGION"] == "us-east-1"
    assert plain["STORAGE_S3_NAME"] == f"{cfg.project}-twenty-files"
    assert plain["DISABLE_DB_MIGRATIONS"] == "true" and plain["DISABLE_CRON_JOBS_REGISTRATION"] == "true"
    expected_refs = {
        "PG_DATABASE_URL",
        "REDIS_URL",
        "APP_SECRET",
        "ENCRYPTION_KEY",
        "STORAGE_S3_ACCESS_KEY_ID",
        "STORAGE_S3_SECRET_ACCESS_KEY",
        "AUTH_GOOGLE_CLIENT_SECRET",
        "AI_PROVIDERS",  # the examples run Azure OpenAI (a custom provider: endpoint and key in one JSON)
        "EMAIL_SMTP_PASSWORD",
    }
    assert set(refs) == expected_refs
    secret_ids = {r.props["secretId"] for r in plan.by_type(SECRET)}
    for ref in refs.values():
        assert ref["version"] == "latest" and ref["secret"] in secret_ids


@pytest.mark.parametrize("variant", ALL)
def test_migration_job_runs_its_steps_explicitly(variant: str) -> None:
    plan = plan_of(variant)
    job = plan.one(JOB, "twenty-migrate")
    container = job.props["template"]["template"]["containers"][0]
    # not through the image's entrypoint.sh, which swallows a failed upgrade (test_up_fresh_project)
    assert container["commands"] == ["/bin/sh", "-c"] and container["args"][0].startswith("set -eu\n")
    envs = envs_of(job)
    assert envs["DISABLE_DB_MIGRATIONS"]["value"] == "false"
    assert job.props["runExecutionToken"]
    server = plan.one(RUN, "twenty-server")
    assert server.props["template"]["containers"][0]["image"] == container["image"]


@pytest.mark.parametrize("variant", ALL)
def test_egress_mode(variant: str) -> None:
    plan = plan_of(variant)
    workloads = [plan.one(RUN, "twenty-server"), plan.one(JOB, "twenty-migrate"), *plan.by_type(POOL)]
    connectors = plan.by_type("gcp:vpcaccess/connector:Connector")
    for w in workloads:
        vpc = w.props["template"].get("vpcAccess") or w.props["template"]["template"]["vpcAccess"]
        assert vpc["egress"] == "PRIVATE_RANGES_ONLY"
        if plan.cfg.vpc_egress == "connector":
            assert vpc["connector"] == "twenty-connector-id" and "networkInterfaces" not in vpc
        else:
            assert vpc["networkInterfaces"][0]["subnetwork"] == "twenty-run-id" and "connector" not in vpc
    assert len(connectors) == (1 if plan.cfg.vpc_egress == "connector" else 0)
    if connectors:
        assert connectors[0].props["ipCidrRange"] == plan.cfg.connector_cidr


@pytest.mark.parametrize("variant", WITH_VM)
def test_worker_vm(variant: str) -> None:
    plan = plan_of(variant)
    vm = plan.one(VM).props
    cfg = plan.cfg
    assert vm["machineType"] == "e2-small"
    assert vm["bootDisk"]["initializeParams"]["image"] == "projects/cos-cloud/global/images/family/cos-stable"
    assert vm["networkInterfaces"][0]["accessConfigs"] == []
    assert vm["networkInterfaces"][0]["subnetwork"] == "twenty-workloads-id"
    assert vm["serviceAccount"]["email"] == f"twenty-worker@{cfg.project}.iam.gserviceaccount.com"
    assert vm["shieldedInstanceConfig"]["enableSecureBoot"] is True
    assert vm["metadata"]["enable-oslogin"] == "TRUE"
    assert "gce-container-declaration" not in vm["metadata"]
    ud = vm["metadata"]["user-data"]
    assert ud.startswith("#cloud-config\n")
    doc = yaml.safe_load(ud.removeprefix("#cloud-config\n"))
    boot = {f["path"]: f["content"] for f in doc["write_files"]}
    worker = "twentycrm/twenty:v2.21.0 sh -c 'yarn command:prod cron:register:all && exec yarn worker:prod'"
    assert worker in boot["/etc/twenty/run-worker.sh"]
    assert f"PG_POOL_MAX_CONNECTIONS={cfg.worker_pg_connections}" in ud
    assert "DISABLE_DB_MIGRATIONS=true" in ud and "DISABLE_CRON_JOBS_REGISTRATION=true" in ud
    assert "PG_DATABASE_URL twenty-pg-url" in ud and "REDIS_URL twenty-redis-url" in ud
    nat = plan.one("gcp:compute/routerNat:RouterNat").props
    assert nat["sourceSubnetworkIpRangesToNat"] == "LIST_OF_SUBNETWORKS"
    assert [s["name"] for s in nat["subnetworks"]] == ["twenty-workloads-id"]
    roles = {r.props["role"] for r in plan.by_type("gcp:projects/iAMMember:IAMMember")}
    # logs/metrics for the OS agents; cloudsql.client for the ops runbook's Auth Proxy over IAP
    assert roles == {"roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudsql.client"}


def test_cloud_run_worker_pool_alternative() -> None:
    plan = plan_of("standard-workerpool")
    assert not plan.by_type(VM)
    pool = plan.one(POOL).props
    assert pool["scaling"] == {"scalingMode": "MANUAL", "manualInstanceCount": 1}
    c = pool["template"]["containers"][0]
    assert c["args"] == ["sh", "-c", "yarn command:prod cron:register:all && exec yarn worker:prod"]
    envs = {e["name"]: e for e in c["envs"]}
    assert envs["PG_DATABASE_URL"]["valueSource"]["secretKeyRef"]["secret"] == "twenty-pg-url"
    assert envs["DISABLE_DB_MIGRATIONS"]["value"] == "true"
    assert not plan.by_type("gcp:projects/iAMMember:IAMMember")  # no VM agents, no project roles


@pytest.mark.parametrize("variant", ALL)
def test_least_privilege_iam(variant: str) -> None:
    plan = plan_of(variant)
    p = plan.cfg.project
    for r in plan.resources:
        role = r.props.get("role")
        if role:
            assert role not in ("roles/owner", "roles/editor", "roles/viewer"), r.name
    accounts = {r.props["accountId"] for r in plan.by_type("gcp:serviceaccount/account:Account")}
    accounts_usage = {"twenty-usage-job", "twenty-usage-invoker"}  # the monthly usage-dashboard job
    assert accounts == {"twenty-server", "twenty-worker", "twenty-mcp", "twenty-files", *accounts_usage}
    readers: dict[str, set[str]] = {}
    for g in plan.by_type(SECRET_IAM):
        assert g.props["role"] == "roles/secretmanager.secretAccessor"
        secret = g.name.rsplit("-", 1)[0]
        readers.setdefault(secret, set()).add(g.props["member"].split("@")[0].removeprefix("serviceAccount:"))
    assert readers["twenty-mcp-sealing-key"] == {"twenty-mcp"}
    assert readers["twenty-pg-url"] == {"twenty-server", "twenty-worker"}
    # the deploy key: read by the usage-dashboard job alone (tests/infra/test_usage_dashboard_job.py)
    assert readers["twenty-twenty-api-key"] == {"twenty-usage-job"}
    secret_ids = {r.props["secretId"] for r in plan.by_type(SECRET)}
    assert "twenty-twenty-api-key" in secret_ids
    public = [r for r in plan.by_type("gcp:cloudrunv2/serviceIamMember:ServiceIamMember")]
    # the server turns public only once the first workspace exists (workspaceBootstrapped)
    assert {r.name for r in public} == {"twenty-mcp-public"} | (
        {"twenty-server-public"} if plan.cfg.workspace_bootstrapped else set()
    )
    assert all(f"@{p}." in r.props["member"] for r in plan.by_type(SECRET_IAM))


@pytest.mark.parametrize("variant", ALL)
def test_domain_mapping_and_outputs(variant: str) -> None:
    plan = plan_of(variant)
    dm = plan.one("gcp:cloudrun/domainMapping:DomainMapping").props
    assert dm["name"] == plan.cfg.domain
    assert dm["spec"] == {"routeName": "twenty-server", "certificateMode": "AUTOMATIC"}
    assert dm["metadata"]["namespace"] == plan.cfg.project
    out = plan.outputs
    assert out["server_url"] == f"https://{plan.cfg.domain}"
    assert out["dns_records"] and out["dns_records"][0]["rrdata"]
    assert out["mcp_image_repository"] == f"{plan.cfg.region}-docker.pkg.dev/{plan.cfg.project}/twenty-images"
    assert out["twenty_api_key_secret"] == "twenty-twenty-api-key"
    assert out["sql_connection_name"].startswith(plan.cfg.project + ":")
    assert out["artifact_repo"] == out["mcp_image_repository"]
    assert (out["db_name"], out["db_user"], out["db_url_secret"]) == ("default", "twenty", "twenty-pg-url")
    if plan.cfg.redis_mode == "vm":
        assert (out["redis_host"], out["redis_port"]) == ("10.10.0.10", 6379)
        assert out["redis_auth_secret"] == "twenty-redis-password"
    else:
        assert (out["redis_host"], out["redis_port"]) == ("10.20.1.4", 6378)
        assert "redis_auth_secret" not in out
    if plan.cfg.worker_mode == "vm":
        assert out["worker_vm"] == "twenty-worker" and out["zone"] == plan.cfg.worker_zone


@pytest.mark.parametrize("variant", ALL)
def test_mcp_service(variant: str) -> None:
    plan = plan_of(variant)
    repo = plan.one("gcp:artifactregistry/repository:Repository").props
    assert repo["format"] == "DOCKER" and repo["repositoryId"] == "twenty-images"
    mcp = plan.one(RUN, "twenty-mcp")
    envs = envs_of(mcp)
    # the server's own Cloud Run URL: it answers before the custom domain's DNS exists
    assert envs["TWENTY_API_URL"]["value"] == "https://twenty-server-mock-uc.a.run.app"
    assert envs["MCP_SEALING_KEY"]["valueSource"]["secretKeyRef"]["secret"] == "twenty-mcp-sealing-key"
    assert envs["MCP_ADMIN_TOKEN"]["valueSource"]["secretKeyRef"]["secret"] == "twenty-mcp-admin-token"
    assert envs["MCP_PUBLIC_URL"]["value"] == f"https://twenty-mcp-123456789012.{plan.cfg.region}.run.app"
    assert envs["MCP_STATE_BUCKET"]["value"] == f"{plan.cfg.project}-twenty-files"
    assert envs["MCP_FORWARDED_FOR"]["value"] == "true"  # per-client limits see the real client
    assert plan.outputs["mcp_public_url"] == envs["MCP_PUBLIC_URL"]["value"]
    assert mcp.props["template"]["serviceAccount"].startswith("twenty-mcp@")


@pytest.mark.parametrize("variant", ALL)
def test_every_required_api_enabled_and_kept_on_destroy(variant: str) -> None:
    apis = {r.props["service"]: r.props for r in plan_of(variant).by_type("gcp:projects/service:Service")}
    for api in (
        "run.googleapis.com",
        "sqladmin.googleapis.com",
        "secretmanager.googleapis.com",
        "servicenetworking.googleapis.com",
        "compute.googleapis.com",
        "redis.googleapis.com",
    ):
        assert apis[api]["disableOnDestroy"] is False


@pytest.mark.parametrize("variant", ALL)
def test_every_variant_passes_every_policy(variant: str) -> None:
    report = plan_of(variant).policy_report()
    assert report.violations == []
    assert sum(report.checked.values()) > 50


@pytest.mark.parametrize("variant", ["prod", "prod-standard"])
def test_ordering_apis_first_private_access_before_data_secrets_before_workloads(variant: str) -> None:
    plan = plan_of(variant)

    def waits_for(r: Recorded, typ: str, name_part: str = "") -> bool:
        return any(
            f"::{typ}::" in u or f"${typ}::" in u for u in r.depends_on if name_part in u.rsplit("::", 1)[-1]
        )

    for r in plan.custom_resources:
        if r.concern in ("Identity", "Stack"):
            continue
        assert waits_for(r, "gcp:projects/service:Service"), f"{r.typ} {r.name} does not wait for the APIs"
    for typ in (SQL, "gcp:redis/instance:Instance"):
        for r in plan.by_type(typ):
            assert waits_for(r, "gcp:servicenetworking/connection:Connection"), r.name
    server = plan.one(RUN, "twenty-server")
    assert waits_for(server, JOB, "twenty-migrate")
    assert waits_for(server, SECRET_IAM, "twenty-pg-url-server")
    assert waits_for(server, "gcp:secretmanager/secretVersion:SecretVersion", "twenty-pg-url-v")
    for vm in plan.by_type(VM):
        assert waits_for(vm, SECRET_IAM, "twenty-pg-url-worker")
        assert waits_for(vm, "gcp:compute/routerNat:RouterNat")


@pytest.mark.parametrize("variant", ALL)
def test_network_and_private_service_access(variant: str) -> None:
    plan = plan_of(variant)
    cfg = plan.cfg
    vpc = plan.one("gcp:compute/network:Network").props
    assert vpc["autoCreateSubnetworks"] is False
    subnets = {r.name: r.props for r in plan.by_type("gcp:compute/subnetwork:Subnetwork")}
    assert subnets["twenty-workloads"]["ipCidrRange"] == cfg.subnet_cidr
    assert subnets["twenty-run"]["ipCidrRange"] == cfg.run_subnet_cidr
    assert all(s["privateIpGoogleAccess"] is True and s["region"] == cfg.region for s in subnets.values())
    psa_range = plan.one("gcp:compute/globalAddress:GlobalAddress").props
    assert (psa_range["purpose"], psa_range["addressType"]) == ("VPC_PEERING", "INTERNAL")
    assert psa_range["prefixLength"] == cfg.psa_prefix_length
    psa = plan.one("gcp:servicenetworking/connection:Connection").props
    assert psa["service"] == "servicenetworking.googleapis.com"
    assert psa["reservedPeeringRanges"] == ["twenty-psa-range"]
    assert psa["deletionPolicy"] == ("ABANDON" if cfg.is_prod else "REMOVE_PEERING")
    ssh = plan.one("gcp:compute/firewall:Firewall", "twenty-allow-iap-ssh").props
    assert ssh["sourceRanges"] == ["35.235.240.0/20"] and ssh["targetTags"] == ["twenty-worker"]
    assert plan.one("gcp:compute/router:Router").props["region"] == cfg.region


@pytest.mark.parametrize("variant", ALL)
def test_generated_secrets_are_strong_and_url_safe(variant: str) -> None:
    plan = plan_of(variant)
    for r in plan.by_type("random:index/randomPassword:RandomPassword"):
        assert r.props["length"] >= 32 and r.props["special"] is False, r.name  # safe inside URLs
    ids = plan.by_type("random:index/randomId:RandomId")
    assert {r.name for r in ids} >= {
        "twenty-app-secret-value",
        "twenty-encryption-key-value",
        "twenty-mcp-sealing-key-value",
    }
    assert all(r.props["byteLength"] == 32 for r in ids)  # the MCP sealing key must decode to 32 bytes


def test_every_resource_type_is_covered_by_a_test() -> None:
    """A new kind of resource needs its own assertions here before it ships."""
    covered = {
        SQL,
        RUN,
        JOB,
        POOL,
        VM,
        SECRET,
        SECRET_IAM,
        "gcp:sql/database:Database",
        "gcp:sql/user:User",
        "gcp:redis/instance:Instance",
        "gcp:compute/address:Address",
        "gcp:compute/firewall:Firewall",
        "gcp:storage/bucket:Bucket",
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "gcp:storage/hmacKey:HmacKey",
        "gcp:vpcaccess/connector:Connector",
        "gcp:compute/routerNat:RouterNat",
        "gcp:projects/iAMMember:IAMMember",
        "gcp:serviceaccount/account:Account",
        "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
        "gcp:cloudrun/domainMapping:DomainMapping",
        "gcp:artifactregistry/repository:Repository",
        "gcp:projects/service:Service",
        "gcp:compute/network:Network",
        "gcp:compute/subnetwork:Subnetwork",
        "gcp:compute/globalAddress:GlobalAddress",
        "gcp:servicenetworking/connection:Connection",
        "gcp:compute/router:Router",
        "gcp:secretmanager/secretVersion:SecretVersion",
        "random:index/randomPassword:RandomPassword",
        "random:index/randomId:RandomId",
        # the usage-dashboard job's schedule and its one grant: tests/infra/test_usage_dashboard_job.py
        "gcp:cloudscheduler/job:Job",
        "gcp:cloudrunv2/jobIamMember:JobIamMember",
    }
    declared = {r.typ for v in ALL for r in plan_of(v).custom_resources}
    assert declared - covered == set()


@pytest.mark.parametrize("variant", ALL)
def test_outputs_the_deploy_and_ops_tasks_read(variant: str) -> None:
    plan = plan_of(variant)
    out = plan.outputs
    assert out["deploy_user_secret"] == "twenty-deploy-user"
    assert out["network"], "restore-drill needs the VPC to attach its scratch instance"
    assert ("redis_instance" in out) == (plan.cfg.redis_mode == "memorystore")
    secrets = plan.by_type("gcp:secretmanager/secret:Secret")
    assert [r for r in secrets if r.name == "twenty-deploy-user"], "deploy user's credentials: Secret Manager"


def test_bucket_expires_mcp_oauth_state_after_the_longest_token() -> None:
    from mcp_server.auth.provider import REFRESH_TTL

    bucket = plan_of("prod").one("gcp:storage/bucket:Bucket").props
    rules = [r["condition"] for r in bucket["lifecycleRules"] if r["condition"].get("matchesPrefixes")]
    assert rules == [{"age": 31, "matchesPrefixes": ["mcp/oauth/"]}]
    assert rules[0]["age"] * 24 * 3600 > REFRESH_TTL
