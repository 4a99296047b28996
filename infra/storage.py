"""The GCS bucket Twenty stores files in, reached through the S3 interoperability endpoint."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.base import child_opts, inherited_deps, labels
from infra.config import StackConfig
from infra.identity import Identity

S3_ENDPOINT = "https://storage.googleapis.com"


class Storage(pulumi.ComponentResource):
    def __init__(
        self, name: str, cfg: StackConfig, identity: Identity, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("twenty:infra:Storage", name, {}, opts)
        self._after = inherited_deps(opts)
        p = cfg.name_prefix
        self.bucket = gcp.storage.Bucket(
            f"{p}-files",
            name=f"{cfg.project}-{p}-files",
            location=cfg.region.upper(),
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning=gcp.storage.BucketVersioningArgs(enabled=cfg.is_prod),
            force_destroy=not cfg.is_prod,
            lifecycle_rules=[
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        days_since_noncurrent_time=30, with_state="ARCHIVED"
                    ),
                ),
                # The MCP server's OAuth codes and revocations outlive no token (30-day refresh).
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        age=31, matches_prefixes=["mcp/oauth/"]
                    ),
                ),
            ],
            labels=labels(cfg, "files"),
            opts=child_opts(self),
        )
        # The HMAC key belongs to a service account whose only grant is this bucket, so a leaked
        # key reaches nothing else.
        self.object_admin = gcp.storage.BucketIAMMember(
            f"{p}-files-object-admin",
            bucket=self.bucket.name,
            role="roles/storage.objectAdmin",
            member=identity.files_sa.member,
            opts=child_opts(self),
        )
        self.hmac = gcp.storage.HmacKey(
            f"{p}-files-hmac", service_account_email=identity.files_sa.email, opts=child_opts(self)
        )
        self.access_id = pulumi.Output.secret(self.hmac.access_id)
        self.secret = pulumi.Output.secret(self.hmac.secret)
        self.register_outputs({"bucket": self.bucket.name})
