"""Secret Manager: one secret per credential, readable only by the workloads that use it.

Values we own are generated with pulumi-random; values the user owns (OAuth client secret, AI
key) come from `pulumi config set --secret`. The Twenty API key for deploys is an empty secret
that the bootstrap step fills in (Pulumi never sees its value).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from infra.base import child_opts, inherited_deps, labels
from infra.config import StackConfig

ACCESSOR_ROLE = "roles/secretmanager.secretAccessor"


@dataclass
class SecretSpec:
    key: str
    description: str
    value: pulumi.Input[str] | None = None
    readers: dict[str, gcp.serviceaccount.Account] = field(default_factory=dict)
    generate: int = 0  # > 0: we own it; generate this many random bytes (base64url)
    external: str = ""  # the id of a secret the operator made (twentySecretEnv): grant only


class Secrets(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        specs: list[SecretSpec],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("twenty:infra:Secrets", name, {}, opts)
        self._after = inherited_deps(opts)
        self.prefix = cfg.name_prefix
        self.secrets: dict[str, gcp.secretmanager.Secret] = {}
        self.versions: dict[str, gcp.secretmanager.SecretVersion] = {}
        self.grants: dict[str, list[gcp.secretmanager.SecretIamMember]] = {}
        self.readers: dict[str, list[str]] = {}
        self.external: dict[str, str] = {}
        self.project = cfg.project
        for spec in specs:
            self._declare(cfg, spec)
        self.register_outputs({"secret_ids": list(self.secrets)})

    def secret_id(self, key: str) -> str:
        """The short secret id Cloud Run's secret_key_ref and the VM's boot script use."""
        if key in self.external:
            return self.external[key]
        if key not in self.secrets:
            raise KeyError(f"no secret {key!r} is declared; known: {sorted(self.secrets)}")
        return f"{self.prefix}-{key}"

    def depends_for(self, reader: str) -> list[pulumi.Resource]:
        """Versions and grants a workload must wait for before it can start."""
        deps: list[pulumi.Resource] = []
        for key, names in self.readers.items():
            if reader in names:
                deps += [g for g in self.grants[key]]
                if key in self.versions:
                    deps.append(self.versions[key])
        return deps

    def _declare(self, cfg: StackConfig, spec: SecretSpec) -> None:
        if spec.external:
            self._grant_external(spec)
            return
        secret_id = f"{self.prefix}-{spec.key}"
        secret = gcp.secretmanager.Secret(
            secret_id,
            secret_id=secret_id,
            replication=gcp.secretmanager.SecretReplicationArgs(
                auto=gcp.secretmanager.SecretReplicationAutoArgs()
            ),
            labels=labels(cfg, "secret"),
            annotations={"purpose": spec.description},
            opts=child_opts(self),
        )
        self.secrets[spec.key] = secret
        value = spec.value
        if spec.generate:
            generated = random.RandomId(
                f"{secret_id}-value",
                byte_length=spec.generate,
                # the engine keeps these out of plaintext state
                opts=pulumi.ResourceOptions.merge(
                    child_opts(self),
                    pulumi.ResourceOptions(additional_secret_outputs=["b64_url", "b64_std", "hex", "dec"]),
                ),
            )
            value = generated.b64_url
        if value is not None:
            self.versions[spec.key] = gcp.secretmanager.SecretVersion(
                f"{secret_id}-v",
                secret=secret.id,
                secret_data=pulumi.Output.secret(value),
                opts=child_opts(self),
            )
        self.grants[spec.key] = [
            gcp.secretmanager.SecretIamMember(
                f"{secret_id}-{reader}",
                secret_id=secret.id,
                role=ACCESSOR_ROLE,
                member=account.member,
                opts=child_opts(self),
            )
            for reader, account in spec.readers.items()
        ]
        self.readers[spec.key] = list(spec.readers)

    def _grant_external(self, spec: SecretSpec) -> None:
        """A secret the operator created and owns: only the readers' grants are ours."""
        self.external[spec.key] = spec.external
        self.grants[spec.key] = [
            gcp.secretmanager.SecretIamMember(
                f"{self.prefix}-ext-{spec.external}-{reader}",
                secret_id=f"projects/{self.project}/secrets/{spec.external}",
                role=ACCESSOR_ROLE,
                member=account.member,
                opts=child_opts(self),
            )
            for reader, account in spec.readers.items()
        ]
        self.readers[spec.key] = list(spec.readers)
