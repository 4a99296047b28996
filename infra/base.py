"""Small helpers shared by the components."""

from __future__ import annotations

import pulumi

from infra.config import StackConfig


def inherited_deps(opts: pulumi.ResourceOptions | None) -> list[pulumi.Resource]:
    """A component's own depends_on, which its children must honour too (e.g. enabled APIs)."""
    deps = opts.depends_on if opts is not None else None
    if deps is None:
        return []
    return list(deps) if isinstance(deps, list | tuple) else [deps]  # type: ignore[list-item]


def child_opts(parent: pulumi.Resource, *depends_on: pulumi.Resource | None) -> pulumi.ResourceOptions:
    """Options for a component's children: parented, after the component's own dependencies."""
    deps = [*getattr(parent, "_after", []), *(d for d in depends_on if d is not None)]
    return pulumi.ResourceOptions(parent=parent, depends_on=deps or None)


def labels(cfg: StackConfig, role: str) -> dict[str, str]:
    return {"app": "twenty", "env": cfg.environment, "role": role, "managed-by": "pulumi"}
