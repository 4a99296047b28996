"""Cloud SQL for PostgreSQL: private IP only, TLS required, backups + PITR, Twenty's database and user."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from infra.base import child_opts, inherited_deps
from infra.config import StackConfig
from infra.network import Network

DB_NAME = "default"
DB_USER = "twenty"


class Database(pulumi.ComponentResource):
    def __init__(
        self, name: str, cfg: StackConfig, network: Network, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("twenty:infra:Database", name, {}, opts)
        self._after = inherited_deps(opts)
        p = cfg.name_prefix
        # Alphanumeric only: Twenty's entrypoint splits PG_DATABASE_URL with awk.
        self.password = random.RandomPassword(
            f"{p}-db-password", length=32, special=False, opts=child_opts(self)
        )
        self.instance = gcp.sql.DatabaseInstance(
            f"{p}-pg",
            name=f"{p}-pg-{cfg.environment}",
            region=cfg.region,
            database_version=cfg.db_version,
            deletion_protection=cfg.deletion_protection,
            settings=gcp.sql.DatabaseInstanceSettingsArgs(
                tier=cfg.db_tier,
                # PostgreSQL 16 defaults to ENTERPRISE_PLUS, which rejects shared-core tiers.
                edition=cfg.db_edition,
                availability_type=cfg.db_availability,
                disk_type=cfg.db_disk_type,
                disk_size=cfg.db_disk_gb,
                disk_autoresize=True,
                deletion_protection_enabled=cfg.deletion_protection,
                ip_configuration=gcp.sql.DatabaseInstanceSettingsIpConfigurationArgs(
                    ipv4_enabled=False,
                    private_network=network.vpc.id,
                    allocated_ip_range=network.psa_range.name,
                    ssl_mode="ENCRYPTED_ONLY",
                ),
                database_flags=[
                    gcp.sql.DatabaseInstanceSettingsDatabaseFlagArgs(
                        name="max_connections", value=str(cfg.db_max_connections)
                    )
                ],
                backup_configuration=gcp.sql.DatabaseInstanceSettingsBackupConfigurationArgs(
                    enabled=True,
                    start_time="03:00",
                    point_in_time_recovery_enabled=True,
                    transaction_log_retention_days=cfg.db_pitr_days,
                    backup_retention_settings=gcp.sql.DatabaseInstanceSettingsBackupConfigurationBackupRetentionSettingsArgs(
                        retained_backups=cfg.db_backup_retention, retention_unit="COUNT"
                    ),
                ),
                maintenance_window=gcp.sql.DatabaseInstanceSettingsMaintenanceWindowArgs(day=7, hour=4),
                insights_config=gcp.sql.DatabaseInstanceSettingsInsightsConfigArgs(
                    query_insights_enabled=True
                ),
                user_labels={"app": "twenty", "env": cfg.environment},
            ),
            opts=child_opts(self, network.psa),
        )
        self.database = gcp.sql.Database(
            f"{p}-db", name=DB_NAME, instance=self.instance.name, opts=child_opts(self)
        )
        self.user = gcp.sql.User(
            f"{p}-db-user",
            name=DB_USER,
            instance=self.instance.name,
            password=self.password.result,
            deletion_policy="ABANDON",  # PostgreSQL refuses to drop a user that owns objects
            opts=child_opts(self),
        )
        # TLS is enforced by the server (ENCRYPTED_ONLY); Twenty accepts Cloud SQL's own CA with
        # PG_SSL_ALLOW_SELF_SIGNED=true, and libpq (the entrypoint's psql) negotiates TLS by default.
        self.url = pulumi.Output.secret(
            pulumi.Output.format(
                "postgres://{0}:{1}@{2}:5432/{3}",
                self.user.name,
                self.password.result,
                self.instance.private_ip_address,
                self.database.name,
            )
        )
        self.register_outputs({"connection_name": self.instance.connection_name})
