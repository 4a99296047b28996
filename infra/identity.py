"""Project APIs and one service account per workload, each with the fewest roles.

Project-level roles are limited to log/metric writing for the VM. Everything else is granted on
the one resource that needs it (a secret, the bucket), next to that resource.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.base import child_opts, inherited_deps
from infra.config import StackConfig

REQUIRED_APIS = (
    "compute.googleapis.com",
    "run.googleapis.com",
    "sqladmin.googleapis.com",
    "redis.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "vpcaccess.googleapis.com",
    "artifactregistry.googleapis.com",
    "iam.googleapis.com",
    "gmail.googleapis.com",
    "calendar-json.googleapis.com",
    "people.googleapis.com",
    # what the tasks use (tests/infra/test_up_fresh_project.py checks this list against their gcloud calls)
    "cloudbuild.googleapis.com",  # inv mcp.build (gcloud builds submit)
    "iap.googleapis.com",  # inv ops.worker / ops.db-shell (gcloud compute ssh --tunnel-through-iap)
    "logging.googleapis.com",  # inv ops.logs, and the worker VM's logging agent
    "monitoring.googleapis.com",  # the worker VM's metrics agent
    "storage.googleapis.com",  # the files bucket, Cloud Build's source upload, ops.backup exports
    "cloudscheduler.googleapis.com",  # starts the monthly usage-dashboard job (infra/usage_dashboard.py)
)

# Roles the worker VM needs on the project: its OS agents ship logs and metrics, and the ops
# runbook (inv ops.db-shell / ops.flags) runs the Cloud SQL Auth Proxy on it over IAP, because the
# database has no public IP (cloudsql.client can connect, not administer).
VM_PROJECT_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudsql.client")


class Identity(pulumi.ComponentResource):
    def __init__(self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("twenty:infra:Identity", name, {}, opts)
        self._after = inherited_deps(opts)
        p = cfg.name_prefix
        self.apis = [
            gcp.projects.Service(
                f"api-{api.split('.')[0]}",
                project=cfg.project,
                service=api,
                disable_on_destroy=False,  # other things in the project may use it
                opts=child_opts(self),
            )
            for api in REQUIRED_APIS
        ]
        opts_after_apis = child_opts(self, *self.apis)
        self.server_sa = self._account(
            f"{p}-server", "Twenty server (Cloud Run) and its migration job", opts_after_apis
        )
        self.worker_sa = self._account(
            f"{p}-worker", "Twenty worker (VM or Cloud Run worker pool)", opts_after_apis
        )
        self.mcp_sa = self._account(f"{p}-mcp", "MCP server (Cloud Run)", opts_after_apis)
        # Its own account rather than the MCP server's: the job reads only the Twenty API key, while
        # the MCP service holds the sealing key, the admin token and the bucket's mcp/ prefix.
        self.usage_sa = self._account(
            f"{p}-usage-job", "Monthly usage-dashboard refresh (Cloud Run job)", opts_after_apis
        )
        self.files_sa = self._account(
            f"{p}-files", "Owner of the HMAC key Twenty uses for GCS", opts_after_apis
        )
        self.project_roles = []
        if cfg.worker_mode == "vm":
            self.project_roles = [
                gcp.projects.IAMMember(
                    f"{p}-worker-{role.split('/')[1].replace('.', '-')}",
                    project=cfg.project,
                    role=role,
                    member=self.worker_sa.member,
                    opts=child_opts(self),
                )
                for role in VM_PROJECT_ROLES
            ]
        self.register_outputs({"server": self.server_sa.email, "worker": self.worker_sa.email})

    def _account(
        self, account_id: str, display: str, opts: pulumi.ResourceOptions
    ) -> gcp.serviceaccount.Account:
        return gcp.serviceaccount.Account(account_id, account_id=account_id, display_name=display, opts=opts)
