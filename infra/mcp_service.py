"""Our MCP server: its Artifact Registry repository and its Cloud Run service.

The image is built and rolled out by `inv mcp.build` / `inv mcp.deploy`. Until a `mcpImage` is set
in the stack, the service starts from Google's hello image and Pulumi leaves the image field to
those tasks (ignore_changes), so an `up` never rolls the MCP server back.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.base import child_opts, inherited_deps, labels
from infra.config import StackConfig
from infra.identity import Identity
from infra.secrets import Secrets
from infra.storage import Storage
from infra.twenty_env import cloud_run_envs

PLACEHOLDER_IMAGE = "us-docker.pkg.dev/cloudrun/container/hello"
MCP_PORT = 8080
MCP_OBJECT_PREFIX = "mcp/"


class McpService(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        identity: Identity,
        storage: Storage,
        secrets: Secrets,
        twenty_url: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("twenty:infra:McpService", name, {}, opts)
        self._after = inherited_deps(opts)
        p = cfg.name_prefix
        self.repository = gcp.artifactregistry.Repository(
            f"{p}-images",
            repository_id=f"{p}-images",
            location=cfg.region,
            format="DOCKER",
            mode="STANDARD_REPOSITORY",
            description="Images we build (the MCP server)",
            # A KEEP policy alone deletes nothing; DELETE removes versions older than 30 days, and
            # KEEP wins where both match ("Configure cleanup policies", Artifact Registry docs), so
            # the 10 newest versions (rollback targets) always stay.
            cleanup_policy_dry_run=False,
            cleanup_policies=[
                gcp.artifactregistry.RepositoryCleanupPolicyArgs(
                    id="keep-recent",
                    action="KEEP",
                    most_recent_versions=gcp.artifactregistry.RepositoryCleanupPolicyMostRecentVersionsArgs(
                        keep_count=10
                    ),
                ),
                gcp.artifactregistry.RepositoryCleanupPolicyArgs(
                    id="delete-old",
                    action="DELETE",
                    condition=gcp.artifactregistry.RepositoryCleanupPolicyConditionArgs(
                        tag_state="ANY", older_than="2592000s"
                    ),
                ),
            ],
            labels=labels(cfg, "images"),
            opts=child_opts(self),
        )
        self.image_repository = pulumi.Output.format(
            "{0}-docker.pkg.dev/{1}/{2}", cfg.region, cfg.project, self.repository.repository_id
        )
        # The MCP server keeps its primer under mcp/ in the environment's bucket, and nothing else.
        bucket_prefix = storage.bucket.name.apply(
            lambda b: f"projects/_/buckets/{b}/objects/{MCP_OBJECT_PREFIX}"
        )
        self.bucket_grant = gcp.storage.BucketIAMMember(
            f"{p}-mcp-objects",
            bucket=storage.bucket.name,
            role="roles/storage.objectAdmin",
            member=identity.mcp_sa.member,
            condition=gcp.storage.BucketIAMMemberConditionArgs(
                title="mcp-prefix-only",
                expression=bucket_prefix.apply(lambda pre: f'resource.name.startsWith("{pre}")'),
            ),
            opts=child_opts(self),
        )
        # Cloud Run's deterministic URL (https://SERVICE-PROJECT_NUMBER.REGION.run.app), known before
        # the service exists; the OAuth metadata the MCP server publishes must name it.
        number = gcp.organizations.get_project_output(project_id=cfg.project).number
        self.public_url = pulumi.Output.format("https://{0}-mcp-{1}.{2}.run.app", p, number, cfg.region)
        # Twenty's own Cloud Run URL, not the custom domain: it answers before DNS and the managed
        # certificate exist (a throwaway stage stack never gets either).
        plain = {
            "TWENTY_API_URL": twenty_url,
            "MCP_PUBLIC_URL": self.public_url,
            "MCP_STATE_BUCKET": storage.bucket.name,
            # Cloud Run's front end is every request's peer: the per-address limits on unknown
            # keys and junk tokens (mcp_server/auth/client_address.py) need X-Forwarded-For's last hop
            "MCP_FORWARDED_FOR": "true",
        }
        env_secrets = {"MCP_SEALING_KEY": "mcp-sealing-key", "MCP_ADMIN_TOKEN": "mcp-admin-token"}
        self.service = gcp.cloudrunv2.Service(
            f"{p}-mcp",
            name=f"{p}-mcp",
            location=cfg.region,
            ingress="INGRESS_TRAFFIC_ALL",
            deletion_protection=cfg.deletion_protection,
            labels=labels(cfg, "mcp"),
            template=gcp.cloudrunv2.ServiceTemplateArgs(
                service_account=identity.mcp_sa.email,
                scaling=gcp.cloudrunv2.ServiceTemplateScalingArgs(min_instance_count=0, max_instance_count=3),
                containers=[
                    {
                        "image": cfg.mcp_image or PLACEHOLDER_IMAGE,
                        "ports": {"container_port": MCP_PORT},
                        "envs": cloud_run_envs(plain, env_secrets, secrets.secret_id),
                        "resources": {"limits": {"cpu": "1", "memory": "512Mi"}, "cpu_idle": True},
                    }
                ],
            ),
            # Pulumi owns the image: `mcpImage` is its one source of truth, and `inv mcp.deploy`
            # writes it there and updates this service through Pulumi (infra.automation.roll_mcp_image).
            # An ignore_changes here would still send the last image Pulumi knew with any other
            # template change, rolling back whatever was set behind its back.
            opts=child_opts(self, *secrets.depends_for("mcp")),
        )
        # Reachable by remote agents; the MCP server authenticates every call itself (OAuth / bearer key).
        self.public = gcp.cloudrunv2.ServiceIamMember(
            f"{p}-mcp-public",
            name=self.service.name,
            location=cfg.region,
            role="roles/run.invoker",
            member="allUsers",
            opts=child_opts(self),
        )
        self.register_outputs({"uri": self.service.uri})
