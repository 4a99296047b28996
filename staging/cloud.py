"""The one seam between the staging orchestration and the outside world.

`CloudLayer` is everything `inv stage.test` does that leaves this process: the Automation API,
Secret Manager, HTTP to the deployed services (Twenty through the shared `twenty_api` client, the
MCP server through the MCP SDK's client), subprocesses (contract suite, `inv deploy`,
`inv mcp.build/mcp.deploy`; run from the repository root) and the clock. `RealCloudLayer` does
it for real; tests pass a fake.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from infra.problems import REPO_ROOT
from twenty_api.workspace_setup import Bootstrapped

GCLOUD_INSTALL_HELP = (
    "`gcloud` is not on PATH; the staging run stores the deploy key in Secret Manager with it. "
    "Install the Google Cloud CLI: https://cloud.google.com/sdk/docs/install (GitHub Actions: "
    "google-github-actions/setup-gcloud@v2)."
)


@dataclass(frozen=True)
class HttpResult:
    status: int
    text: str


class CloudLayer(Protocol):
    def preflight(self, stack: str) -> None:
        """Raise `infra.automation.PreconditionError` if anything the run needs is missing."""

    def stack_up(self, stack: str, config: Mapping[str, str]) -> dict[str, Any]:
        """`pulumi up` with `config` written over the example's settings; returns the outputs."""

    def stack_destroy(self, stack: str) -> None: ...
    def stack_remove(self, stack: str) -> None: ...
    def http_get(self, url: str) -> HttpResult: ...
    def http_post(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpResult: ...
    def bootstrap_twenty(
        self,
        base_url: str,
        email: str,
        password: str,
        workspace_name: str,
        on_secret: Callable[[str], object],
    ) -> Bootstrapped:
        """First workspace + deploy API key; every token goes to `on_secret` the moment it exists."""

    def find_records(self, base_url: str, api_key: str, plural: str, filter: str) -> list[dict[str, Any]]: ...
    def mcp_smoke(self, mcp_url: str, api_key: str) -> list[str]:
        """Tool names the deployed MCP server lists to a client with the bearer key."""

    def store_secret(self, project: str, secret_id: str, value: str) -> bool:
        """Add `value` as the secret's newest version; True when the secret had to be created."""

    def delete_secret(self, project: str, secret_id: str) -> None: ...
    def run(self, argv: list[str], env: Mapping[str, str]) -> int: ...
    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class RealCloudLayer:
    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log  # masks secrets before printing

    # ------------------------------------------------------------ Pulumi (Automation API)

    def preflight(self, stack: str) -> None:
        from infra import automation

        problems: list[str] = []
        try:
            automation.preflight()
        except automation.PreconditionError as err:
            problems += [p.what for p in err.problems]
        if shutil.which("gcloud") is None:
            problems.append(GCLOUD_INSTALL_HELP)
        if not problems:  # a new derived stack needs its secret settings before anything is created
            try:
                automation.config_to_set(stack, new_stack=True)
            except automation.PreconditionError as err:
                problems += [p.what for p in err.problems]
        if problems:
            raise automation.PreconditionError("stage.test", problems)

    def stack_up(self, stack: str, config: Mapping[str, str]) -> dict[str, Any]:
        from infra import automation

        return automation.up(stack, on_output=self._log, config=config)

    def stack_destroy(self, stack: str) -> None:
        from infra import automation

        automation.destroy(stack, on_output=self._log)

    def stack_remove(self, stack: str) -> None:
        from infra import automation

        automation.remove(stack)

    # ------------------------------------------------------------ HTTP

    def http_get(self, url: str) -> HttpResult:
        import httpx

        try:
            resp = httpx.get(url, timeout=10.0)
        except httpx.HTTPError as err:
            return HttpResult(status=0, text=f"{type(err).__name__}: {err}")
        return HttpResult(status=resp.status_code, text=resp.text[:2000])

    def http_post(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpResult:
        import httpx

        resp = httpx.post(url, content=body, headers=dict(headers), timeout=30.0)
        return HttpResult(status=resp.status_code, text=resp.text[:2000])

    # ------------------------------------------------------------ Twenty (shared client)

    def bootstrap_twenty(
        self,
        base_url: str,
        email: str,
        password: str,
        workspace_name: str,
        on_secret: Callable[[str], object],
    ) -> Bootstrapped:
        from twenty_api.workspace_setup import bootstrap_workspace

        return asyncio.run(
            bootstrap_workspace(base_url, email, password, workspace_name=workspace_name, on_secret=on_secret)
        )

    def find_records(self, base_url: str, api_key: str, plural: str, filter: str) -> list[dict[str, Any]]:
        from twenty_api import TwentyClient

        async def go() -> list[dict[str, Any]]:
            async with TwentyClient(base_url=base_url, api_key=api_key) as client:
                page = await client.list_records(plural, filter=filter, limit=5)
                return list(page.records)

        return asyncio.run(go())

    # ------------------------------------------------------------ MCP (the SDK's own client)

    def mcp_smoke(self, mcp_url: str, api_key: str) -> list[str]:
        from mcp import Client
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        async def go() -> list[str]:
            http = create_mcp_http_client(headers={"Authorization": f"Bearer {api_key}"})
            async with http, Client(streamable_http_client(mcp_url, http_client=http)) as client:
                listed = await client.list_tools()
                return [tool.name for tool in listed.tools]

        return asyncio.run(go())

    # ------------------------------------------------------------ Secret Manager (gcloud)

    def store_secret(self, project: str, secret_id: str, value: str) -> bool:
        from deploy.runner import SubprocessRunner
        from deploy.secrets import put_secret

        return put_secret(SubprocessRunner(), project, secret_id, value)

    def delete_secret(self, project: str, secret_id: str) -> None:
        from deploy.runner import SubprocessRunner

        SubprocessRunner().run(["gcloud", "secrets", "delete", secret_id, f"--project={project}", "--quiet"])

    # ------------------------------------------------------------ subprocesses, clock

    def run(self, argv: list[str], env: Mapping[str, str]) -> int:
        import os

        full_env = {**os.environ, **env}
        argv = [sys.executable if a == "{python}" else a for a in argv]
        with subprocess.Popen(
            argv,
            cwd=REPO_ROOT,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        ) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                self._log(line.rstrip("\n"))
            return proc.wait()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
