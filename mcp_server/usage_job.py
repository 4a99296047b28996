"""The monthly usage-dashboard refresh (issue 16): twenty_generate_dashboard for the workspace
and/or chosen members, run through the MCP server itself (in memory), so the ranking is the tool's
one implementation and the same gate applies (MCP_ALLOWED_OBJECTS, MCP_READ_ONLY refuses).

    uv run python -m mcp_server.usage_job [--workspace] [--member <workspaceMemberId> ...]
        [--max-widgets 6] [--days 30]

Twenty is reached as the MCP server reaches it (TWENTY_API_URL, TWENTY_API_KEY or the user
settings). Each target refreshes its own marked dashboard; a month without usage change writes
nothing. `pulumi up` schedules it (infra/usage_dashboard.py): a Cloud Run job on the MCP image runs
`python -m mcp_server.usage_job --workspace`, started by Cloud Scheduler on the stack's
`usageDashboardSchedule` (default `0 6 1 * *`, UTC; `off` for none). Prints one JSON line per
dashboard and exits 1 when any refresh failed. A target with no usage yet (a new workspace: no
saved views, favorites or record changes) is skipped, not failed: it has nothing to build from.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from mcp import Client

from .server import build_server
from .settings import ServerSettings
from .tools.usage_dashboard import NO_USAGE


async def refresh(
    settings: ServerSettings, members: list[str | None], *, max_widgets: int = 6, days: int = 30
) -> list[dict[str, Any]]:
    """One result per target (None: the workspace's): the tool's answer, {"skipped": …} when the
    target has no usage yet, or {"error": …}."""
    server = build_server(settings)
    out: list[dict[str, Any]] = []
    try:
        async with Client(server, cache=None) as client:
            for member in members:
                args: dict[str, Any] = {"max_widgets": max_widgets, "days": days}
                if member:
                    args["for_member"] = member
                result = await client.call_tool("twenty_generate_dashboard", args)
                text = " ".join(getattr(c, "text", "") for c in result.content)
                target = member or "workspace"
                if result.is_error and NO_USAGE in text:
                    out.append({"target": target, "skipped": text[text.index(NO_USAGE) :]})
                elif result.is_error:
                    out.append({"target": target, "error": text})
                else:
                    answer = result.structured_content or json.loads(text)
                    out.append({"target": target, **answer})
    finally:
        await server.runtime.aclose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mcp_server.usage_job", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--workspace", action="store_true", help="the workspace's dashboard (default)")
    parser.add_argument("--member", action="append", default=[], help="a workspace member id (repeatable)")
    parser.add_argument("--max-widgets", type=int, default=6)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)
    members: list[str | None] = [*([None] if args.workspace or not args.member else []), *args.member]
    results = asyncio.run(refresh(ServerSettings(), members, max_widgets=args.max_widgets, days=args.days))
    for r in results:
        keys = ("target", "dashboard_id", "created", "writes", "changes", "skipped", "error")
        summary = {k: r.get(k) for k in keys}
        print(json.dumps({k: v for k, v in summary.items() if v is not None}))
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
