"""VPC, subnets, private service access, egress for the worker, and Cloud Run's VPC egress."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.base import child_opts, inherited_deps
from infra.config import StackConfig

IAP_SSH_RANGE = "35.235.240.0/20"  # Google's IAP TCP-forwarding range (ssh without a public IP)
WORKER_TAG = "twenty-worker"


class Network(pulumi.ComponentResource):
    """The VPC everything private lives in.

    - `workloads` subnet: the worker VM (Private Google Access on, Cloud NAT for Docker Hub,
      Gmail/Calendar sync and webhooks; no external IP on the VM).
    - `run` subnet: Direct VPC egress of the Cloud Run services (no NAT on it, as Google advises
      for private-ranges-only egress), or a Serverless VPC Access connector when vpcEgress=connector.
    - a private-service-access range peered to Google for Cloud SQL and Memorystore.
    """

    def __init__(self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("twenty:infra:Network", name, {}, opts)
        self._after = inherited_deps(opts)
        child = child_opts(self)
        p = cfg.name_prefix
        self.vpc = gcp.compute.Network(
            f"{p}-vpc", name=f"{p}-vpc", auto_create_subnetworks=False, routing_mode="REGIONAL", opts=child
        )
        self.workloads = gcp.compute.Subnetwork(
            f"{p}-workloads",
            name=f"{p}-workloads",
            region=cfg.region,
            network=self.vpc.id,
            ip_cidr_range=cfg.subnet_cidr,
            private_ip_google_access=True,
            opts=child,
        )
        self.run_subnet = gcp.compute.Subnetwork(
            f"{p}-run",
            name=f"{p}-run",
            region=cfg.region,
            network=self.vpc.id,
            ip_cidr_range=cfg.run_subnet_cidr,
            private_ip_google_access=True,
            opts=child,
        )
        self.psa_range = gcp.compute.GlobalAddress(
            f"{p}-psa-range",
            name=f"{p}-psa-range",
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            prefix_length=cfg.psa_prefix_length,
            network=self.vpc.id,
            opts=child,
        )
        self.psa = gcp.servicenetworking.Connection(
            f"{p}-psa",
            network=self.vpc.id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[self.psa_range.name],
            # ABANDON would leave the peering behind and block deleting the VPC on `destroy`.
            deletion_policy="ABANDON" if cfg.is_prod else "REMOVE_PEERING",
            opts=child,
        )
        self.router = gcp.compute.Router(
            f"{p}-router", name=f"{p}-router", region=cfg.region, network=self.vpc.id, opts=child
        )
        self.nat = gcp.compute.RouterNat(
            f"{p}-nat",
            name=f"{p}-nat",
            router=self.router.name,
            region=cfg.region,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[
                gcp.compute.RouterNatSubnetworkArgs(
                    name=self.workloads.id, source_ip_ranges_to_nats=["ALL_IP_RANGES"]
                )
            ],
            opts=child,
        )
        self.iap_ssh = gcp.compute.Firewall(
            f"{p}-allow-iap-ssh",
            name=f"{p}-allow-iap-ssh",
            network=self.vpc.id,
            direction="INGRESS",
            allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=["22"])],
            source_ranges=[IAP_SSH_RANGE],
            target_tags=[WORKER_TAG],
            opts=child,
        )
        self.connector: gcp.vpcaccess.Connector | None = None
        if cfg.vpc_egress == "connector":
            self.connector = gcp.vpcaccess.Connector(
                f"{p}-connector",
                name=f"{p}-conn",
                region=cfg.region,
                network=self.vpc.name,
                ip_cidr_range=cfg.connector_cidr,
                machine_type="e2-micro",
                min_instances=2,
                max_instances=3,
                opts=child,
            )
        self.register_outputs({"vpc": self.vpc.id})

    def allow_redis_from_serverless(self, cfg: StackConfig) -> gcp.compute.Firewall:
        """Open the VM's Redis port to Cloud Run's egress range only (lean profile)."""
        source = cfg.connector_cidr if cfg.vpc_egress == "connector" else cfg.run_subnet_cidr
        return gcp.compute.Firewall(
            f"{cfg.name_prefix}-allow-redis",
            name=f"{cfg.name_prefix}-allow-redis",
            network=self.vpc.id,
            direction="INGRESS",
            allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=["6379"])],
            source_ranges=[source],
            target_tags=[WORKER_TAG],
            opts=child_opts(self),
        )

    def vpc_access(self) -> dict[str, object]:
        """Keyword arguments for a Cloud Run v2 `vpc_access` block (service, job, worker pool)."""
        if self.connector is not None:
            return {"connector": self.connector.id, "egress": "PRIVATE_RANGES_ONLY"}
        return {
            "network_interfaces": [{"network": self.vpc.id, "subnetwork": self.run_subnet.id}],
            "egress": "PRIVATE_RANGES_ONLY",
        }
