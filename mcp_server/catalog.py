"""The tool catalogue: every tool's published definition (name, description, schemas, annotations)
plus its group and write flag, committed as tool_catalog.json.

Why: building 43 pydantic argument/result models costs ~0.3 s at start, more than the whole
cold-start budget. The server answers tools/list from this catalogue and binds a tool's function
(importing its module, building its models) the first time that tool is called. The catalogue is
generated from the code (`python -m mcp_server.catalog`) and a test fails if it drifts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("tool_catalog.json")


def generate() -> dict[str, Any]:
    """Build the catalogue from the tool code, exactly as MCPServer would publish it."""
    import anyio
    from mcp.server.mcpserver import MCPServer

    from . import tools as _tools  # noqa: F401 - fills the registry
    from .registry import TOOLS

    server: MCPServer[Any] = MCPServer("catalog")
    for spec in TOOLS.values():
        # Text-only results (server.answer): no outputSchema is published, none is promised.
        server.add_tool(spec.fn, name=spec.name, annotations=spec.annotations, structured_output=False)
    published = anyio.run(server.list_tools)
    for tool in published:
        # The server refuses unknown arguments (server.py); publish that, so clients see it too.
        tool.input_schema["additionalProperties"] = False
    return {
        "tools": [
            {
                "group": TOOLS[t.name].group,
                "writes": TOOLS[t.name].writes,
                "module": TOOLS[t.name].fn.__module__,
                "definition": t.model_dump(mode="json", by_alias=True, exclude_none=True),
            }
            for t in sorted(published, key=lambda t: t.name)
        ]
    }


def load() -> dict[str, Any] | None:
    try:
        return json.loads(PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def main() -> int:
    PATH.write_text(json.dumps(generate(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
