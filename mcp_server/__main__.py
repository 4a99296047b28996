"""`python -m mcp_server` (stdio) or `python -m mcp_server --transport http --port N`.

Imports stay inside main() paths so the stdio cold start loads only what it needs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mcp_server", description="Twenty CRM MCP server")
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))  # noqa: S104 - Cloud Run needs it
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    return parser.parse_args(argv)


SEALING_KEY_HELP = "python -c 'from mcp_server.auth.sealing import new_key; print(new_key())'"


def startup_problems(transport: str, env: Mapping[str, str]) -> list[str]:
    """The settings this transport cannot serve a single call without, checked before anything is
    imported or listed (stdlib only, microseconds): each names the variable and how to set it."""
    problems = []
    if not env.get("TWENTY_API_URL", "").strip():
        problems.append(
            "TWENTY_API_URL is not set: the Twenty server, e.g. TWENTY_API_URL=https://crm.example.com"
        )
    if transport == "stdio" and not env.get("TWENTY_API_KEY", "").strip():
        problems.append(
            "TWENTY_API_KEY is not set: create an API key in Twenty (Settings > APIs & Webhooks) and pass it "
            "in the server's env (.mcp.json `env`)"
        )
    if transport == "http":
        key = env.get("MCP_SEALING_KEY", "").strip()
        if not key:
            problems.append(
                "MCP_SEALING_KEY is not set: OAuth sign-in (dynamic client registration, /register) seals "
                f"each user's Twenty key with it; make one with {SEALING_KEY_HELP} (Cloud Run: the stack's "
                "`<namePrefix>-mcp-sealing-key` secret)"
            )
        elif len(_b64(key)) != 32:
            problems.append(
                f"MCP_SEALING_KEY is not urlsafe base64 of 32 bytes; make one with {SEALING_KEY_HELP}"
            )
    return problems


def _b64(text: str) -> bytes:
    import base64
    import binascii

    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return b""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problems = startup_problems(args.transport, os.environ)
    if problems:  # fail at start, naming the setting, rather than list tools that all fail
        print(
            f"mcp_server ({args.transport}) cannot start:",
            *(f"  - {p}" for p in problems),
            sep="\n",
            file=sys.stderr,
        )
        return 2
    from .logs import configure_logging

    configure_logging(json_logs=args.transport == "http")
    if args.transport == "stdio" and os.environ.get("MCP_STDIO_FRONT", "1") != "0":
        from . import catalog, stdio_front

        tool_catalog = catalog.load()
        if tool_catalog is not None and "handshake" in tool_catalog:
            scope = stdio_front.quick_scope(tool_catalog)
            if scope is not None:
                return stdio_front.serve(tool_catalog, scope)
    from pydantic import ValidationError

    from .settings import ServerSettings

    try:
        settings = ServerSettings()
    except ValidationError as err:
        problems = "; ".join(f"{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in err.errors())
        print(f"mcp_server: bad settings: {problems}", file=sys.stderr)
        return 2
    if args.transport == "stdio":
        from .server import build_server

        build_server(settings, warm=True).run("stdio")
        return 0
    import uvicorn

    from .http_app import create_app

    app = create_app(settings, port=args.port)
    from .http_app import uvicorn_options

    uvicorn.run(app, host=args.host, port=args.port, **uvicorn_options(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
