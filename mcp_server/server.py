"""The MCP server: MCPServer + the gate on tools/list and tools/call, resources, tool groups."""

from __future__ import annotations

import json
from typing import Any

import orjson
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, TextContent, Tool

from .runtime import Runtime, set_runtime
from .settings import ServerSettings

INSTRUCTIONS = """Twenty CRM (people, companies, opportunities, notes, tasks, custom objects) through its API.

Routing rules:
1. Resolve named entities first: "Ada's company" -> twenty_search or twenty_list_records with a name
   filter, then act on the id you found. Never invent ids.
2. Read twenty_get_object_schema before writing an object you have not written yet; any object works
   (singular or plural name, custom objects too).
3. Before any delete, merge or hard delete: show the user the exact records (same filter/ids) and
   wait for explicit confirmation. Deletes are soft unless hard=true + confirm=true.
4. On a tool error, report Twenty's message to the user; do not retry silently. Errors that say the
   connection is read-only or outside its allowed objects will not change by retrying.
5. Lists default to 20 records: report total_count, and page with end_cursor -> cursor.
6. Analytics: use twenty_aggregate (count/sum/avg/min/max, group_by) rather than listing everything.
7. Some actions need a logged-in user in Twenty 2.21 (run/activate workflows, blocklist, email,
   favorites, connected accounts): the error says what works instead.
Read the twenty://primer resource (or twenty_get_primer) for this organisation's conventions."""


class TwentyMCPServer(MCPServer[Any]):
    """MCPServer whose tools/list and tools/call pass through the gate.

    Tools come from the committed catalogue (catalog.py): tools/list is answered from it and a
    tool's function is bound on its first call, which keeps the cold start small.
    """

    def __init__(
        self, runtime: Runtime, catalog: dict[str, Any], groups: frozenset[str], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        entries = [e for e in catalog["tools"] if e["group"] in groups]
        self._catalog = {e["definition"]["name"]: e for e in entries}
        self._published = [Tool.model_validate(e["definition"]) for e in entries]
        self._write_tools = frozenset(n for n, e in self._catalog.items() if e["writes"])
        self._validators: dict[str, Any] = {}

    def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
        entry = self._catalog.get(name)
        return None if entry is None else entry["definition"]["inputSchema"]

    def _bind(self, name: str) -> None:
        if self._tool_manager.get_tool(name) is not None:
            return
        import importlib

        from .registry import TOOLS

        importlib.import_module(self._catalog[name]["module"])
        spec = TOOLS[name]
        self.add_tool(spec.fn, name=spec.name, annotations=spec.annotations, structured_output=False)

    def _check_arguments(self, name: str, arguments: dict[str, Any]) -> None:
        """Hold arguments to the published inputSchema (pydantic alone would coerce 0 -> False)."""
        schema = self._tool_input_schema(name)
        if schema is None:
            raise ToolError(f"Unknown tool '{name}'. Call tools/list to see the tools of this connection.")
        validator = self._validators.get(name)
        if validator is None:
            import jsonschema

            # Formats checked too: a malformed uuid is named here, not in pydantic's uuid_parsing text.
            validator = self._validators[name] = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
        errors = sorted(
            (e for e in validator.iter_errors(arguments) if e.validator != "additionalProperties" or e.path),
            key=lambda e: list(e.absolute_path),
        )
        unknown = sorted(set(arguments) - set(schema.get("properties", {})))
        if unknown or errors:
            import jsonschema.exceptions

            known = ", ".join(schema.get("properties", {})) or "none"
            problems = [f"unknown argument '{u}' (known: {known})" for u in unknown[:5]]
            for err in errors[:5]:
                where = ".".join(str(p) for p in err.absolute_path)
                # The failing branch of an anyOf (str | None) says more than "not valid under any".
                branches = [e for e in err.context or () if e.validator != "type"] or err.context
                why = jsonschema.exceptions.best_match(branches) if branches else err
                # Never echo a rejected string (it may be a secret): "'abc' is too short" -> "the value ..."
                text = why.message.replace(repr(why.instance), "the value given") if err.path else err.message
                if why.validator == "format" and why.validator_value == "uuid":
                    text = "must be a UUID such as 0b9f6f6e-2c1d-4c35-9a53-1f0d8c7b2e10"
                problems.append(f"argument '{where}': {text[:200]}" if where else text[:200])
            raise ToolError(f"Invalid arguments for {name}: " + "; ".join(problems))

    async def list_tools(self) -> list[Tool]:
        group, self.runtime.warm_group = self.runtime.warm_group, None
        if group is not None:
            group.start_soon(self.runtime.warm)
        tools = list(self._published)
        if self.runtime.current_scope().read_only:
            tools = [t for t in tools if t.name not in self._write_tools]
        return tools

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> Any:
        if name in self._write_tools:
            self.runtime.current_scope().require_write(f"Tool '{name}'")
        self._check_arguments(name, arguments)
        self._bind(name)
        if context is None:
            context = Context(mcp_server=self, subscriptions=self._subscriptions)
        try:
            result = await self._tool_manager.call_tool(name, arguments, context, convert_result=False)
        except UnexpectedToolError as exc:
            raise _as_tool_error(exc) from exc.__cause__
        return answer(result)


def answer(result: Any) -> CallToolResult:
    """A tool's result as ONE compact JSON text block: no structuredContent, no outputSchema.

    Claude Code reads structuredContent instead of content when both are present, claude.ai reads
    only content, so a text block alone is what both read, and it is sent once (docs/mcp.md,
    "One copy per answer"). Compact separators and UTF-8 as is: no indentation on the wire.
    """
    if isinstance(result, CallToolResult):
        return result
    _drop_derived(result)
    return CallToolResult(content=[TextContent(type="text", text=to_json(result).decode())])


def to_json(value: Any) -> bytes:
    """Compact JSON of a tool's result as pydantic_core.to_json(by_alias, fallback=str) writes it, by
    orjson: ~0.12 ms for a 60-record page where pydantic_core takes ~0.4-0.9 ms. Models are turned
    into dicts one level at a time (their records are Twenty's parsed JSON, never copied); what
    orjson cannot write (an integer beyond 64 bits) goes through pydantic_core as before."""
    try:
        return orjson.dumps(value, default=_plain, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        import pydantic_core

        return pydantic_core.to_json(value, by_alias=True, fallback=str)


def _plain(value: Any) -> Any:
    """orjson's default: a model as its fields by alias (one level: orjson calls this again for
    nested models), sets as lists, anything else as str (pydantic_core's fallback=str)."""
    fields = getattr(type(value), "__pydantic_fields__", None)
    if fields is not None:
        data = value.__dict__
        out = {info.alias or name: data[name] for name, info in fields.items() if not info.exclude}
        out.update(getattr(value, "__pydantic_extra__", None) or {})
        return out
    if isinstance(value, set | frozenset):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z  # int keys as "1", UTC as "Z" (as pydantic)


# Twenty's full-text index of a record's own fields (a Postgres tsvector such as
# "'acme':1 'acme.com':2"): derived, read-only, no use to an agent, ~5% of a company's bytes.
_DERIVED_FIELDS = frozenset({"searchVector"})


def _drop_derived(result: Any) -> None:
    """Leave derived fields out of the records a result carries (record, records). The records
    are this call's own parse of Twenty's answer, so they are edited in place (a copy of 60
    records cost ~0.2 ms a call)."""
    records = getattr(result, "records", None)
    record = getattr(result, "record", None)
    for rec in [*records, record] if isinstance(records, list) else [record]:
        if isinstance(rec, dict):
            for name in _DERIVED_FIELDS:
                if name in rec:
                    del rec[name]


def _as_tool_error(exc: UnexpectedToolError) -> ToolError:
    """Twenty's own errors and input-mapping errors become isError results with their message."""
    from twenty_api import TwentyError
    from twenty_api.object_fields import FieldProblem

    cause = exc.__cause__
    if isinstance(cause, TwentyError | FieldProblem):  # each names what is wrong in full
        return ToolError(str(cause))
    if isinstance(cause, ValueError | TypeError | KeyError):
        return ToolError(f"Invalid input: {cause}")
    return ToolError(f"Internal error ({type(cause).__name__ if cause else 'unknown'}); see the server log.")


def build_server(
    settings: ServerSettings | None = None,
    *,
    warm: bool = False,
    tool_catalog: dict[str, Any] | None = None,
    **server_kwargs: Any,
) -> TwentyMCPServer:
    """A ready server: tools of the selected groups, resources, runtime. No network at build time;
    warm=True (stdio) fills the schema cache in the background once the session starts."""
    from . import catalog

    settings = settings or ServerSettings()
    _skip_sdk_logging_setup()
    tool_catalog = tool_catalog or catalog.load() or catalog.generate()
    runtime = Runtime(settings)
    set_runtime(runtime)
    if warm:
        server_kwargs["lifespan"] = _warming_lifespan(runtime)
    server = TwentyMCPServer(
        runtime,
        tool_catalog,
        settings.tool_groups,
        name="twenty-gcp",
        title="Twenty CRM",
        version="0.1.0",
        instructions=INSTRUCTIONS,
        **server_kwargs,
    )
    _add_resources(server, runtime)
    return server


def _skip_sdk_logging_setup() -> None:
    """MCPServer.__init__ runs the SDK's configure_logging, which imports rich (~35 ms of the
    start-up) for a RichHandler that logging.basicConfig then throws away when a root handler
    exists, as logs.configure_logging installs one. Skip it in that case."""
    import logging

    from mcp.server.mcpserver import server as sdk_server

    if logging.getLogger().handlers:
        sdk_server.configure_logging = lambda *_args, **_kwargs: None  # type: ignore[assignment]


def _warming_lifespan(runtime: Runtime) -> Any:
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_server: Any) -> Any:
        import anyio

        async with anyio.create_task_group() as tg:
            runtime.warm_group = tg  # list_tools starts the warm-up once the client is connected
            try:
                yield {}
            finally:
                tg.cancel_scope.cancel()
                await runtime.aclose()

    return lifespan


def _add_resources(server: TwentyMCPServer, runtime: Runtime) -> None:
    @server.resource(
        "twenty://primer",
        name="primer",
        mime_type="text/markdown",
        description="Organisation context + compact live schema of the objects in scope",
    )
    async def primer() -> str:
        from .primer import build_primer

        p = await build_primer(await runtime.connection())
        return f"{p.context}\n\n## Live schema ({p.scope})\n\n{p.schema_snapshot}\n"

    @server.resource(
        "twenty://api/info",
        name="api-info",
        mime_type="application/json",
        description="Mode, object scope and tools of this connection",
    )
    async def api_info() -> str:
        scope = runtime.current_scope()
        tools = [t.name for t in await server.list_tools()]
        return json.dumps(
            {
                "server": "twenty-gcp MCP",
                "twenty_url": runtime.settings.twenty.api_url,
                "mode": "read-only" if scope.read_only else "read-write",
                "allowed_objects": sorted(scope.allowed) if scope.allowed else "all",
                "tool_groups": sorted(runtime.settings.tool_groups),
                "tools": tools,
            },
            separators=(",", ":"),
        )


def result_text(result: CallToolResult) -> str:  # pragma: no cover - debugging helper
    return "\n".join(getattr(c, "text", "") for c in result.content)
