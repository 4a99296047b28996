"""Twenty 2.21's own ``/mcp`` endpoint (examples 210–218), minimally: JSON-RPC over POST.

Twenty exposes 7 meta-tools; CRUD tools are discovered with ``get_tool_catalog``/``learn_tools``
and run with ``execute_tool``. The fake answers initialize/tools/list as captured, builds the
catalog from its schema and runs ``find_many_<plural>`` / ``find_one_<singular>`` (with a
``select`` list, which 2.21 requires) against the store. Other CRUD tools answer "not supported".

No product code calls Twenty's ``/mcp`` (our MCP server speaks REST/GraphQL through twenty_api);
this stays because the contract suite (tests/contract) replays every captured example against the
fake as well as against a live Twenty, and examples 210–218 are ``/mcp`` calls.
"""

from __future__ import annotations

import copy
import difflib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from . import contract_data, query
from .errors import TwentyHttpError
from .responses import REST_CONTENT_TYPE, json_response
from .runtime import Runtime, bearer_token


def _captured_result(example: str) -> dict[str, Any]:
    return copy.deepcopy(contract_data.load_example(example)["response_body"]["result"])


def _text(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "content": [{"type": "text", "text": json.dumps(payload, separators=(",", ":"))}],
        "isError": False,
    }


class TwentyMcp:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime

    def _crud_tools(self) -> dict[str, tuple[str, str]]:
        """tool name -> (kind, plural) for every object of the schema."""
        tools: dict[str, tuple[str, str]] = {}
        for obj in self.rt.store.schema.objects.values():
            tools[f"find_many_{_snake(obj.plural)}"] = ("find_many", obj.plural)
            tools[f"find_one_{_snake(obj.singular)}"] = ("find_one", obj.plural)
        return tools

    def _suggest(self, name: str) -> list[str]:
        return difflib.get_close_matches(name, sorted(self._crud_tools()), n=3, cutoff=0.3)

    async def endpoint(self, request: Request) -> Response:
        if request.method != "POST":
            return json_response(
                {
                    "jsonrpc": "2.0",
                    "error": {
                        "code": -32600,
                        "message": (
                            f"HTTP method {request.method} is not allowed. "
                            "This MCP endpoint only accepts POST requests."
                        ),
                    },
                    "id": None,
                },
                405,
            )
        token = bearer_token(request)
        if not token or self.rt.principal_for(token) is None:
            raise TwentyHttpError.rest(401, "UnauthorizedException", "Unauthorized")
        try:
            message = json.loads(await request.body())
        except ValueError:
            return json_response(
                {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": None}
            )
        if "id" not in message:
            return Response(status_code=202)  # a notification
        answer = {"id": message["id"], "jsonrpc": "2.0", **self._dispatch(message)}
        if "text/event-stream" in request.headers.get("accept", ""):
            body = f"event: message\ndata: {json.dumps(answer, separators=(',', ':'))}\n\n"
            return Response(body, headers={"content-type": "text/event-stream"})
        return json_response(answer, 200, REST_CONTENT_TYPE)

    def _dispatch(self, message: dict[str, Any]) -> dict[str, Any]:
        method = message.get("method")
        params = message.get("params") or {}
        if method == "initialize":
            return {"result": _captured_result("210-mcp-initialize")}
        if method == "tools/list":
            return {"result": _captured_result("211-mcp-tools-list")}
        if method == "tools/call":
            with self.rt.lock:
                return {"result": self._call(str(params.get("name")), params.get("arguments") or {})}
        return {"error": {"code": -32601, "message": f"Method '{method}' not found"}}

    def _call(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        tools = self._crud_tools()
        if name == "get_tool_catalog":
            return _text(
                {
                    "catalog": {
                        "DATABASE_CRUD": [
                            {"name": tool, "description": f"{kind.replace('_', ' ')} records of {plural}"}
                            for tool, (kind, plural) in sorted(tools.items())
                        ]
                    }
                }
            )
        if name == "learn_tools":
            wanted = [str(n) for n in args.get("toolNames") or []]
            found = [
                {
                    "name": n,
                    "description": f"{tools[n][0].replace('_', ' ')} records of {tools[n][1]}",
                    "inputSchema": {
                        "type": "object",
                        "properties": {"limit": {"type": "number"}, "select": {"type": "array"}},
                    },
                }
                for n in wanted
                if n in tools
            ]
            missing = [n for n in wanted if n not in tools]
            out: dict[str, Any] = {"tools": found, "notFound": missing}
            if missing:
                out["suggestions"] = {n: self._suggest(n) for n in missing}
                out["message"] = f"Could not find: {', '.join(missing)}."
            return _text(out)
        if name == "execute_tool":
            return _text(self._execute(str(args.get("toolName")), args.get("arguments") or {}))
        return _text({"success": False, "message": f'Tool "{name}" is not supported by the fake'})

    def _execute(self, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        tools = self._crud_tools()
        if tool not in tools:
            hint = ", ".join(self._suggest(tool))
            return {
                "success": False,
                "message": f'Tool "{tool}" not found',
                "error": f'Tool "{tool}" not found. Did you mean: {hint}? '
                "Use learn_tools to discover available tools.",
            }
        select = args.get("select")
        if not select:
            return {
                "success": False,
                "message": "Select at least one field in select parameter",
                "error": "Select is required",
            }
        kind, plural = tools[tool]
        store = self.rt.store
        obj = store.object_for(plural)
        records = query.sort_records(store.select(obj, None), [])
        if kind == "find_one":
            records = [r for r in records if r["id"] == args.get("id")][:1]
        else:
            records = records[: min(int(args.get("limit") or 10), query.MAX_LIMIT)]
        return {"success": True, "records": [{k: r.get(k) for k in ["id", *select]} for r in records]}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
