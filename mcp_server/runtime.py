"""Per-call connection: which Twenty key, which scope, which client.

stdio has one principal from the environment. Over HTTP the principal comes from the access
token the SDK's auth middleware put in its context variable (an OAuth token we issued, or a
plain Twenty API key sent as Bearer); see auth/. Clients are cached per key hash so that the
client's own schema cache (per workspace, TTL) is reused across calls.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver.exceptions import ToolError

from .gate import Scope
from .settings import ServerSettings

if TYPE_CHECKING:
    from twenty_api import TwentyClient
    from twenty_api.models import ObjectInfo

    from .graphql_guard import ObjectView
    from .scoped import ScopedClient

_MAX_CLIENTS = 256


@dataclass(frozen=True)
class Principal:
    """Who is calling: the Twenty credential (never logged) and what it may do. The credential is an
    API key, or with ``user_session`` a user's own Twenty OAuth access token (a remote user who
    signed in with Twenty): then the user-session tools use it too, and Twenty records that user
    as the author."""

    api_key: str = field(repr=False)
    scope: Scope
    label: str = "env"
    user_session: bool = False
    user_email: str | None = None

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.api_key.encode()).hexdigest()[:16]


class Connection:
    """One call's view of Twenty: a ScopedClient (never the raw client) and the scope it enforces."""

    def __init__(
        self, client: TwentyClient, scope: Scope, runtime: Runtime, principal: Principal | None = None
    ) -> None:
        from .scoped import ScopedClient

        self.client = ScopedClient(client, scope)
        self.scope = scope
        self._runtime = runtime
        self._user_session = principal is not None and principal.user_session
        self._user_email = principal.user_email if principal is not None else None

    async def resolve(self, name: str, *, refresh: bool = False) -> ObjectInfo:
        """Any singular/plural/any-case name -> ObjectInfo, refused when outside the allow-list."""
        if not isinstance(name, str) or not name.strip():
            raise ToolError("'object' must be a non-empty object name such as 'people' or 'company'.")
        if refresh:
            await self.client.refresh_schema()
        return await self.client.resolve_object(name.strip())

    async def objects(self, *, refresh: bool = False) -> list[ObjectInfo]:
        """Every object the schema has that this scope may see."""
        return await self.client.objects(refresh=refresh)

    async def object_views(self) -> list[ObjectView]:
        return await self.client.object_views()

    @property
    def base_url(self) -> str:
        return self._runtime.base_url

    @property
    def primer_store(self):  # type: ignore[no-untyped-def]
        return self._runtime.primer_store

    @property
    def user_email(self) -> str | None:
        if self._user_session:
            return self._user_email
        return self._runtime.settings.twenty.user_email

    async def ensure_user_client(self) -> ScopedClient | None:
        from .scoped import ScopedClient

        if self._user_session:  # the caller's own Twenty session: it is the user client
            return self.client
        raw = await self._runtime.get_user_client()
        return None if raw is None else ScopedClient(raw, self.scope)


class Runtime:
    """Holds settings, the default principal and the client cache for the whole process."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.default_scope = Scope.build(settings.mcp_read_only, settings.allowed_objects)
        self._clients: OrderedDict[str, TwentyClient] = OrderedDict()
        self.user_client: TwentyClient | None = None
        self.warm_group: Any = None
        self._closing: set[Any] = set()
        self._transport: Any = None
        from .primer import store_from_settings

        self.primer_store = store_from_settings(settings)

    @property
    def base_url(self) -> str:
        if not self.settings.twenty.api_url:
            raise ToolError(
                "TWENTY_API_URL is not set: point it at your Twenty server, e.g. https://crm.example.com"
            )
        return self.settings.twenty.api_url

    def current_principal(self) -> Principal:
        from mcp.server.auth.middleware.auth_context import get_access_token

        token = get_access_token()
        if token is not None:
            principal = getattr(token, "principal", None)
            if callable(principal):
                # A grant narrows the server's settings, never widens them (also for grants made
                # before the settings were tightened).
                p = principal()
                return Principal(
                    api_key=p.api_key,
                    scope=p.scope.narrow(self.default_scope),
                    label=p.label,
                    user_session=p.user_session,
                    user_email=p.user_email,
                )
            raise ToolError("This access token carries no Twenty credential; reconnect.")
        key = self.settings.twenty.api_key
        if key is None or not key.get_secret_value():
            raise ToolError(
                "TWENTY_API_KEY is not set: create an API key in Twenty (Settings > APIs & Webhooks) "
                "and pass it in the environment."
            )
        return Principal(api_key=key.get_secret_value(), scope=self.default_scope)

    def current_scope(self) -> Scope:
        """The scope for tools/list; no credential yet means the env defaults (stdio)."""
        from mcp.server.auth.middleware.auth_context import get_access_token

        token = get_access_token()
        principal = getattr(token, "principal", None) if token is not None else None
        return principal().scope.narrow(self.default_scope) if callable(principal) else self.default_scope

    def client_for(self, api_key: str, *, user_session: bool = False) -> TwentyClient:
        """The cached client for an API key, or (``user_session``) for a user's access token, which
        Twenty treats as that user (not paced by the API-key bucket)."""
        from twenty_api import TwentyClient

        key_id = hashlib.sha256(("user:" if user_session else "key:").encode() + api_key.encode()).hexdigest()
        client = self._clients.get(key_id)
        if client is None:
            credential = {"access_token": api_key} if user_session else {"api_key": api_key}
            tuning = self.settings.twenty  # TWENTY_TIMEOUT / _MAX_RETRIES / _RATE_LIMIT / _RATE_WINDOW
            try:
                client = TwentyClient(
                    base_url=self.base_url,
                    **credential,
                    timeout=tuning.timeout,
                    max_retries=tuning.max_retries,
                    rate_limit=tuning.rate_limit,
                    rate_window=tuning.rate_window,
                    schema_ttl=self.settings.mcp_schema_ttl,
                    transport=self.shared_transport(),
                )
            except ValueError as err:  # e.g. plain http to a non-loopback host
                raise ToolError(f"TWENTY_API_URL / TWENTY_API_KEY are not usable: {err}") from err
            self._clients[key_id] = client
            if len(self._clients) > _MAX_CLIENTS:
                _old_id, old = self._clients.popitem(last=False)
                self._close_later(old)
        else:
            self._clients.move_to_end(key_id)
        return client

    def shared_transport(self) -> Any:
        """One connection pool (and TLS context) for every key's client: a new key costs no TLS set-up
        and no pool of its own (each used to cost ~0.8 MB and ~55 ms CPU)."""
        if self._transport is None:
            self._transport = SharedTransport()
        return self._transport

    def _close_later(self, client: TwentyClient) -> None:
        """Close an evicted client's connections without blocking the call that evicted it."""
        import asyncio

        try:
            task = asyncio.get_running_loop().create_task(client.aclose())
        except RuntimeError:  # no loop: nothing is in flight, let GC reclaim the sockets
            return
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def connection(self) -> Connection:
        from twenty_api.deadline import set_deadline

        set_deadline(self.settings.mcp_call_deadline)  # this tool call's one deadline (its own context)
        principal = self.current_principal()
        client = self.client_for(principal.api_key, user_session=principal.user_session)
        return Connection(client, principal.scope, self, principal)

    async def get_user_client(self) -> TwentyClient | None:
        """Log in once with TWENTY_USER_EMAIL/PASSWORD (stdio only) and keep the session."""
        from mcp.server.auth.middleware.auth_context import get_access_token

        if get_access_token() is not None:
            return None  # remote callers act with their own key only
        if self.user_client is not None:
            return self.user_client
        email, password = self.settings.twenty.user_email, self.settings.twenty.user_password
        if not email or password is None:
            return None
        from twenty_api import TwentyClient

        self.user_client = await TwentyClient.login(
            self.base_url, email, password.get_secret_value(), schema_ttl=self.settings.mcp_schema_ttl
        )
        return self.user_client

    async def warm(self) -> None:
        """Fill the schema cache at start so the first call is fast; failures surface on first use."""
        import logging

        import anyio

        await anyio.sleep(0.05)  # let the tools/list answer go out first
        try:
            await (await self.connection()).client.objects()
        except Exception as err:
            logging.getLogger(__name__).warning("schema warm-up failed: %s", err)

    async def aclose(self) -> None:
        for client in list(self._clients.values()):
            await client.aclose()
        self._clients.clear()
        if self.user_client is not None:
            await self.user_client.aclose()
        if self._transport is not None:
            await self._transport.close_pool()
            self._transport = None


class SharedTransport:
    """An httpx transport many clients share; closing one client leaves the pool open."""

    def __init__(self) -> None:
        import httpx

        from twenty_api.transport import KEEPALIVE_EXPIRY_S

        # A client given a transport uses its pool, not its own limits: the idle time that keeps a
        # connection warm across an agent's pauses (KEEPALIVE_EXPIRY_S, 60 s) must be set here.
        self._inner = httpx.AsyncHTTPTransport(
            limits=httpx.Limits(
                max_connections=200, max_keepalive_connections=50, keepalive_expiry=KEEPALIVE_EXPIRY_S
            )
        )

    async def handle_async_request(self, request: Any) -> Any:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:  # a client closing: the pool stays for the others
        return None

    async def __aenter__(self) -> SharedTransport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def close_pool(self) -> None:
        await self._inner.aclose()


_RUNTIME: Runtime | None = None


def set_runtime(runtime: Runtime) -> None:
    global _RUNTIME
    _RUNTIME = runtime


def runtime() -> Runtime:
    if _RUNTIME is None:
        raise ToolError("The server runtime is not initialised.")
    return _RUNTIME


async def connection() -> Connection:
    return await runtime().connection()


def jsonable(value: Any) -> Any:
    """Client results may be models or metadata dataclasses; tools return plain JSON."""
    import dataclasses

    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        raw = getattr(value, "raw", None)
        if raw:
            return raw
        return {k: v for k, v in dataclasses.asdict(value).items() if k != "raw"}
    return value
