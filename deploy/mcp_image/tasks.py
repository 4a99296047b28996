"""Invoke tasks `inv mcp.build` and `inv mcp.deploy`: our MCP server's image, built with Cloud Build
from this commit and rolled out through Pulumi."""

from __future__ import annotations

from invoke import Collection, Context, task

from deploy.cli import DRY, STACK, guard


@task(help={"stack": STACK, "dry_run": DRY, "allow_dirty": "build from a dirty tree (tag <sha>-dirty)",
            "tag": "image tag to use instead of the git commit"})
def build(c: Context, stack: str = "staging", dry_run: bool = False, allow_dirty: bool = False,
          tag: str = "") -> None:
    """Build the MCP server image with Cloud Build from source (no local Docker), tagged with the git
    commit, pushed to the stack's Artifact Registry repository."""
    from deploy.context import ops_for, say
    from deploy.mcp_image import build as mcp

    ops = guard(ops_for, stack, dry_run)
    image = guard(mcp.build, ops, tag or guard(mcp.git_tag, allow_dirty=allow_dirty))
    say(f"image: {image}")


@task(name="deploy", help={"stack": STACK, "dry_run": DRY, "tag": "image tag (default: the git commit)",
                           "timeout": "seconds to wait for the new revision to be healthy"})
def mcp_deploy(c: Context, stack: str = "staging", dry_run: bool = False, tag: str = "",
               timeout: int = 600) -> None:
    """Roll the Cloud Run MCP service to the image of this commit and wait until it is healthy."""
    from deploy import gcloud
    from deploy.context import ops_for, say
    from deploy.mcp_image import build as mcp

    ops = guard(ops_for, stack, dry_run)
    image = gcloud.mcp_image(ops.out, tag or guard(mcp.git_tag, allow_dirty=True))
    guard(mcp.deploy, ops, image, timeout=timeout)
    say(f"{ops.out.mcp_service} serves {image}")


ns = Collection(build, mcp_deploy)
