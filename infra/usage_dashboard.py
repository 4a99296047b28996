"""The monthly usage-dashboard refresh (issue 16): a Cloud Run job and the Cloud Scheduler job that starts it.

The job runs `python -m mcp_server.usage_job --workspace` from the MCP server's image (the same
`mcpImage` the MCP service runs, so it never refreshes with an older server; `inv mcp.deploy` rolls
both, infra.automation.roll_mcp_image). The image (mcp_server/Dockerfile) has no ENTRYPOINT, its
WORKDIR /app holds mcp_server/ and twenty_api/, and /opt/venv/bin is first on PATH: `python -m
mcp_server.usage_job` runs there as the CMD's `python -m mcp_server` does.

Cloud Scheduler calls the Cloud Run Admin API's jobs.run (POST https://run.googleapis.com/v2/
projects/P/locations/R/jobs/J:run) with an OAuth access token of its own service account, which
holds roles/run.invoker on this one job and nothing else ("Execute jobs on a schedule",
https://cloud.google.com/run/docs/execute/jobs-on-schedule; facts in docs/infra.md).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.base import child_opts, inherited_deps, labels
from infra.config import StackConfig
from infra.identity import Identity
from infra.mcp_service import PLACEHOLDER_IMAGE
from infra.secrets import Secrets
from infra.twenty_env import cloud_run_envs

# The container's argv: command + args (Cloud Run's `command` replaces the image's ENTRYPOINT, none here).
USAGE_JOB_ARGV = ("python", "-m", "mcp_server.usage_job", "--workspace")
USAGE_JOB_READER = "usage"  # its name among the readers of the Twenty API key (infra/environment.py)
RUN_API = "https://run.googleapis.com/v2"
# Cloud Run's jobs.run accepts this scope only (REST reference, projects.locations.jobs.run).
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
INVOKER_ROLE = "roles/run.invoker"  # holds run.jobs.run, which jobs.run requires
TASK_TIMEOUT = "900s"  # a few dozen Twenty API calls; Cloud Run allows up to 168 h
MAX_RETRIES = 1  # a failed refresh is tried once more; every refresh is idempotent (0 writes if unchanged)


def run_uri(project: str, region: str, job: str) -> str:
    """The Cloud Run Admin API (v2) URL that starts one execution of `job`."""
    return f"{RUN_API}/projects/{project}/locations/{region}/jobs/{job}:run"


class UsageDashboard(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        identity: Identity,
        secrets: Secrets,
        twenty_url: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("twenty:infra:UsageDashboard", name, {}, opts)
        self._after = inherited_deps(opts)
        p = cfg.name_prefix
        # The MCP server's own settings: Twenty's run.app URL (answers before DNS exists) and the API
        # key by Secret Manager reference. The tool keeps nothing in the bucket, so no MCP_STATE_BUCKET.
        plain = {"TWENTY_API_URL": twenty_url}
        env_secrets = {"TWENTY_API_KEY": "twenty-api-key"}
        self.job = gcp.cloudrunv2.Job(
            f"{p}-usage-dashboard",
            name=f"{p}-usage-dashboard",
            location=cfg.region,
            deletion_protection=cfg.deletion_protection,
            labels=labels(cfg, "usage-dashboard"),
            template=gcp.cloudrunv2.JobTemplateArgs(
                task_count=1,
                template=gcp.cloudrunv2.JobTemplateTemplateArgs(
                    service_account=identity.usage_sa.email,
                    max_retries=MAX_RETRIES,
                    timeout=TASK_TIMEOUT,
                    containers=[
                        {
                            "image": cfg.mcp_image or PLACEHOLDER_IMAGE,
                            "commands": list(USAGE_JOB_ARGV[:1]),
                            "args": list(USAGE_JOB_ARGV[1:]),
                            "envs": cloud_run_envs(plain, env_secrets, secrets.secret_id),
                            "resources": {"limits": {"cpu": "1", "memory": "512Mi"}},
                        }
                    ],
                ),
            ),
            # Cloud Run checks at creation that the job's account may read every secret it names.
            opts=child_opts(self, *secrets.depends_for(USAGE_JOB_READER)),
        )
        self.invoker_sa: gcp.serviceaccount.Account | None = None
        self.invoker: gcp.cloudrunv2.JobIamMember | None = None
        self.scheduler: gcp.cloudscheduler.Job | None = None
        if cfg.usage_dashboard_scheduled:
            self._schedule(cfg)
        self.register_outputs({"job": self.job.name})

    def _schedule(self, cfg: StackConfig) -> None:
        p = cfg.name_prefix
        # Not the Cloud Scheduler service agent (Google: it cannot be used for this): an account of
        # our own whose only grant is run.invoker on this job.
        self.invoker_sa = gcp.serviceaccount.Account(
            f"{p}-usage-invoker",
            account_id=f"{p}-usage-invoker",
            display_name="Cloud Scheduler: starts the usage-dashboard job",
            opts=child_opts(self),
        )
        self.invoker = gcp.cloudrunv2.JobIamMember(
            f"{p}-usage-dashboard-invoker",
            name=self.job.name,
            location=cfg.region,
            role=INVOKER_ROLE,
            member=self.invoker_sa.member,
            opts=child_opts(self),
        )
        self.scheduler = gcp.cloudscheduler.Job(
            f"{p}-usage-dashboard-monthly",
            name=f"{p}-usage-dashboard-monthly",
            region=cfg.region,
            description="Monthly usage-dashboard refresh: runs the Cloud Run job "
            f"{p}-usage-dashboard (python -m mcp_server.usage_job --workspace)",
            schedule=cfg.usage_dashboard_schedule.strip(),
            time_zone=cfg.usage_dashboard_time_zone,
            # Until `inv mcp.deploy` sets mcpImage the job would start Google's hello image; paused
            # jobs are still billed like any other (Cloud Scheduler pricing), but start nothing.
            paused=not cfg.mcp_image,
            attempt_deadline="180s",  # jobs.run answers at once with an operation; the job runs on
            retry_config=gcp.cloudscheduler.JobRetryConfigArgs(
                retry_count=3, min_backoff_duration="60s", max_backoff_duration="600s"
            ),
            http_target=gcp.cloudscheduler.JobHttpTargetArgs(
                uri=self.job.name.apply(lambda job: run_uri(cfg.project, cfg.region, job)),
                http_method="POST",
                oauth_token=gcp.cloudscheduler.JobHttpTargetOauthTokenArgs(
                    service_account_email=self.invoker_sa.email, scope=CLOUD_PLATFORM_SCOPE
                ),
            ),
            opts=child_opts(self, self.invoker),
        )
