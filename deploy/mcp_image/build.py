"""`inv mcp.build` / `inv mcp.deploy`: build the MCP image with Cloud Build from source (no local
Docker), tag it with the git commit, push it to the stack's Artifact Registry repository, then
roll the Cloud Run MCP service to it and wait until it is healthy."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from deploy import gcloud
from deploy.context import Ops
from deploy.preconditions import PreconditionError, Problem, require
from infra.problems import REPO_ROOT


def git_tag(repo: Path = REPO_ROOT, *, allow_dirty: bool = False) -> str:
    """The image tag: the commit's short sha. A dirty tree would upload code the tag does not name,
    so it is refused unless allowed (then tagged `<sha>-dirty`)."""
    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)

    head = git("rev-parse", "--short=12", "HEAD")
    if head.returncode != 0:
        raise PreconditionError("mcp.build", [Problem(f"{repo} is not a git checkout with a commit",
                                                      "build from a clone of the repository")])
    sha = head.stdout.strip()
    dirty = bool(git("status", "--porcelain", "--untracked-files=no").stdout.strip())
    if dirty and not allow_dirty:
        raise PreconditionError("mcp.build", [Problem(
            "the working tree has uncommitted changes, so the image would not match the commit tag",
            "commit (or stash) them, or pass --allow-dirty to tag the image `<sha>-dirty`")])
    return f"{sha}-dirty" if dirty else sha


def build(ops: Ops, tag: str, *, source: Path = REPO_ROOT) -> str:
    problems: list[Problem] = []
    if not (source / gcloud.MCP_DOCKERFILE).is_file():
        problems.append(Problem(f"{gcloud.MCP_DOCKERFILE} is missing under {source}",
                                "build from the repository root of a full checkout"))
    require("mcp.build", problems, ops.runner)
    ops.ready("mcp.build", "project", "region", "artifact_repo")
    image = gcloud.mcp_image(ops.out, tag)
    ops.runner.run(gcloud.builds_submit(ops.out, image, str(source)), capture=False)
    return image


def roll_through_pulumi(ops: Ops, image: str) -> None:
    """Record `image` as the stack's `mcpImage` and update only what runs it with Pulumi (the MCP
    service and the usage-dashboard job, and their dependents): the stack setting is the image's
    one source of truth, so the next `pulumi up` keeps it."""
    from infra import automation

    out = ops.out
    jobs = [out.usage_dashboard_job] if out.usage_dashboard_job else []  # stacks from before it: none
    urns = [automation.mcp_service_urn(out.stack, str(out.mcp_service))]
    urns += [automation.usage_job_urn(out.stack, job) for job in jobs]
    if ops.runner.dry_run:
        ops.runner.note(f"$ pulumi config set {automation.MCP_IMAGE_KEY} {image} --stack {out.stack}")
        targets = " ".join(f"--target '{urn}'" for urn in urns)
        ops.runner.note(f"$ pulumi up --stack {out.stack} {targets} --target-dependents")
        return
    try:
        automation.roll_mcp_image(out.stack, str(out.mcp_service), image, jobs=jobs)
    except automation.AutomationError as e:
        raise PreconditionError("mcp.deploy", [Problem(str(e), "see `inv infra.preview --stack "
                                                       f"{out.stack}`")]) from e


def deploy(ops: Ops, image: str, *, timeout: float = 600.0, poll: float = 5.0,
           roll: Callable[[Ops, str], None] = roll_through_pulumi) -> str:
    """Roll the service to `image` (through Pulumi); healthy = the new revision serves 100% and is
    Ready, and GET <url>/healthz answers 200."""
    ops.ready("mcp.deploy", "project", "region", "mcp_service")
    out, run = ops.out, ops.runner
    roll(ops, image)
    deadline = time.monotonic() + timeout
    url = out.mcp_url
    while True:
        res = run.run(gcloud.run_services_describe(out, out.mcp_service), check=False)
        if run.dry_run:
            break
        svc = json.loads(res.stdout or "{}")
        st = svc.get("status", {})
        url = st.get("url") or url  # the service's own run.app URL: there before any domain mapping
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in st.get("conditions", []))
        serving = st.get("latestReadyRevisionName") == st.get("latestCreatedRevisionName")
        image_now = (svc.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or [{}])[0]
        if ready and serving and image_now.get("image") == image:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{out.mcp_service} not ready on {image} after {timeout:.0f}s; "
                               f"see `inv ops.logs mcp --stack {out.stack}`")
        time.sleep(poll)
    if url:
        code = ops.health(url.rstrip("/") + "/healthz")
        if not run.dry_run and code != 200:
            raise RuntimeError(f"{url}/healthz answered {code}; the revision is serving but unhealthy — "
                               f"roll back with `gcloud run services update-traffic {out.mcp_service} "
                               "--to-revisions=PREVIOUS=100`")
    return image
