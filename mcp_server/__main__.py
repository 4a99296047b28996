"""`python -m mcp_server` (stdio) or `python -m mcp_server --transport http --port N`.

Imports stay inside main() paths so the stdio cold start loads only what it needs.
"""

from __future__ import annotations

import argparse
import os
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mcp_server", description="Twenty CRM MCP server")
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))  # noqa: S104 - Cloud Run needs it
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
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
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in err.errors())
        print(f"mcp_server: bad settings: {problems}", file=sys.stderr)
        return 2
    if args.transport == "stdio":
        from .server import build_server

        build_server(settings, warm=True).run("stdio")
        return 0
    import uvicorn

    from .http_app import create_app

    app = create_app(settings, port=args.port)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
