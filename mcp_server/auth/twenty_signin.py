"""Sign in with Twenty: this server is Twenty's OAuth client, and keeps each user's Twenty tokens.

The flow (Twenty's side captured in contract/twenty-2.21.0/oauth/, examples 230–291c):
1. Our consent page's "Sign in with Twenty" sends the browser to Twenty's own consent route
   (``authorization_endpoint`` from Twenty's discovery, 230; the front-end ``/authorize``) with
   our client_id, our redirect URI ``<MCP_PUBLIC_URL>/oauth/twenty/callback``, a PKCE S256
   challenge and a random ``state``. What the callback needs (the MCP client's request, the
   narrowing chosen on our page, the PKCE verifier, a nonce also set as a cookie on the browser)
   waits sealed in the blob store under the state's hash for 15 minutes, single use: Twenty
   refuses a ``state`` over 1,024 characters (authorize-app.input.ts; found live), so it cannot
   travel sealed in the URL.
2. The user signs in to Twenty and consents there (Authorize.tsx → ``authorizeApp``, 233).
3. ``/oauth/twenty/callback`` checks state and cookie, exchanges the code (234), asks Twenty who
   the user is (``currentUser``, 244) and stores the tokens SEALED in the blob store under
   ``oauth/twenty-sessions/<id>``. Only that id travels in the tokens we hand out.

Refresh: Twenty's access tokens live 30 minutes, refresh tokens 60 days, not rotated (235b). A
session is refreshed ``REFRESH_AHEAD`` seconds before its access token expires, one refresh at a
time per session in this process (single flight: concurrent callers await the same refresh).
Across instances a refresh may happen once per instance; as Twenty does not rotate refresh
tokens, that is harmless (and well inside 60 token requests a minute per IP). When Twenty
refuses the refresh (``invalid_grant``: expired, or the app uninstalled, 291c) the session is
deleted, our tokens on it stop working and the user must connect again.

Registration: dynamic client registration (231) at first use, persisted in the blob store under
``oauth/twenty-client/<hash of Twenty URL + redirect URI>``; re-registered when Twenty no longer
knows the client (checked at most hourly with the public ``findApplicationRegistrationByClientId``,
232) or the redirect URI changed. ``MCP_TWENTY_CLIENT_ID`` skips registration.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

from .sealing import SealError

if TYPE_CHECKING:
    from twenty_api.oauth import TwentyOAuthMetadata

    from ..blobs import BlobStore
    from ..runtime import Runtime
    from .sealing import Sealer

log = logging.getLogger(__name__)

CALLBACK_PATH = "/oauth/twenty/callback"
REFRESH_AHEAD = 300  # seconds before the access token's expiry
STATE_TTL = 900
VERIFY_EVERY = 3600
SESSION_PREFIX = "oauth/twenty-sessions/"
CLIENT_NAME = "Twenty MCP server"
MAX_CACHED = 10_000  # decrypted sessions kept in memory
STARTS_PER_MINUTE = 10  # sign-ins started per client address: each costs a stored blob, and its
# callback a call to Twenty's token endpoint, which allows 60 a minute for ALL of this server's users


class SessionGone(Exception):
    """Twenty refused to renew the session (or it was removed): the user must connect again."""


class TwentySignIn:
    def __init__(
        self,
        runtime: Runtime,
        sealer: Sealer,
        store: BlobStore,
        public_url: str,
        client_id: str | None = None,
    ) -> None:
        self.runtime = runtime
        self.sealer = sealer
        self.store = store
        self.redirect_uri = f"{public_url}{CALLBACK_PATH}"
        self._fixed_client_id = client_id
        self._metadata: TwentyOAuthMetadata | None = None
        self._client_id: str | None = None
        self._verified_at = 0.0
        self._register_lock = asyncio.Lock()
        self._inflight: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._cache: dict[str, dict[str, Any]] = {}
        self.refreshes = 0  # Twenty refresh calls made (tests, logs)
        self._starts: dict[str, list[float]] = {}

    def may_start(self) -> bool:
        """At most STARTS_PER_MINUTE sign-ins started per client address."""
        from .client_address import current_client_address

        now = time.time()
        address = current_client_address()
        recent = [t for t in self._starts.get(address, []) if t > now - 60]
        allowed = len(recent) < STARTS_PER_MINUTE
        if allowed:
            recent.append(now)
        self._starts[address] = recent
        if len(self._starts) > 10_000:
            for stale in [a for a, ts in self._starts.items() if not ts or ts[-1] < now - 60]:
                del self._starts[stale]
        return allowed

    def _transport(self) -> Any:
        return self.runtime.shared_transport()

    # --- Twenty's metadata and our registration ----------------------------------------------
    async def metadata(self) -> TwentyOAuthMetadata:
        if self._metadata is None:
            from twenty_api.oauth import discover

            self._metadata = await discover(
                self.runtime.base_url, transport=self._transport(), http_timeout=10
            )
        return self._metadata

    def _client_blob(self) -> str:
        key = hashlib.sha256(f"{self.runtime.base_url}|{self.redirect_uri}".encode()).hexdigest()[:24]
        return f"oauth/twenty-client/{key}.json"

    async def client_id(self) -> str:
        if self._fixed_client_id:
            return self._fixed_client_id
        now = time.time()
        if self._client_id and now - self._verified_at < VERIFY_EVERY:
            return self._client_id
        async with self._register_lock:
            if self._client_id and time.time() - self._verified_at < VERIFY_EVERY:
                return self._client_id
            from twenty_api.oauth import find_application_registration, register_client

            stored = await self.store.get(self._client_blob())
            candidate = json.loads(stored)["client_id"] if stored else None
            if candidate and await find_application_registration(
                self.runtime.base_url, candidate, transport=self._transport()
            ):
                self._client_id, self._verified_at = candidate, time.time()
                return candidate
            client = await register_client(
                await self.metadata(), CLIENT_NAME, [self.redirect_uri], transport=self._transport()
            )
            record = {
                "client_id": client.client_id,
                "redirect_uri": self.redirect_uri,
                "at": int(time.time()),
            }
            await self.store.put(self._client_blob(), json.dumps(record).encode(), "application/json")
            log.info(
                "registered with Twenty as OAuth client %s (redirect %s)", client.client_id, self.redirect_uri
            )
            self._client_id, self._verified_at = client.client_id, time.time()
            return client.client_id

    # --- the browser's trip to Twenty ----------------------------------------------------------
    async def start(self, consent: dict[str, Any]) -> tuple[str, str]:
        """(Twenty's consent URL, the nonce to set as the browser's cookie)."""
        from twenty_api.oauth import authorization_url, pkce_pair

        verifier, challenge = pkce_pair()
        nonce = secrets.token_urlsafe(16)
        state = secrets.token_urlsafe(32)
        pending = {"c": consent, "v": verifier, "n": nonce, "exp": time.time() + STATE_TTL}
        await self.store.put(_pending_blob(state), self.sealer.seal(pending, "twenty-state").encode())
        url = authorization_url(
            await self.metadata(), await self.client_id(), self.redirect_uri, challenge, state
        )
        return url, nonce

    async def open_state(self, state: str) -> dict[str, Any]:
        """What ``start`` kept for this state; single use (the blob is deleted first)."""
        if not state or len(state) > 100:
            raise SealError("the sign-in's state is missing or malformed")
        blob = await self.store.get(_pending_blob(state))
        if blob is None or not await self.store.delete(_pending_blob(state)):
            raise SealError("this sign-in is unknown or was already completed")
        pending = self.sealer.unseal(blob.decode(), "twenty-state")
        if pending.get("exp", 0) < time.time():
            raise SealError("the sign-in took too long; start the connection again")
        return pending

    async def finish(self, state: dict[str, Any], code: str) -> tuple[str, dict[str, Any]]:
        """Exchange Twenty's code and store the session: (session id, its entry)."""
        from twenty_api.oauth import current_user, exchange_code

        tokens = await exchange_code(
            await self.metadata(),
            await self.client_id(),
            code,
            self.redirect_uri,
            state["v"],
            transport=self._transport(),
        )
        user = await current_user(self.runtime.base_url, tokens.access_token, transport=self._transport())
        entry = {
            "a": tokens.access_token,
            "r": tokens.refresh_token,
            "exp": time.time() + tokens.expires_in,
            "uid": user.user_id,
            "email": user.email,
            "name": user.name,
            "ws": user.workspace_id,
            "wm": user.workspace_member_id,
        }
        session_id = secrets.token_urlsafe(24)
        await self._save(session_id, entry)
        return session_id, entry

    # --- the sessions ----------------------------------------------------------------------------
    async def _save(self, session_id: str, entry: dict[str, Any]) -> None:
        self._remember(session_id, entry)
        await self.store.put(SESSION_PREFIX + session_id, self.sealer.seal(entry, "twenty-session").encode())

    async def _load(self, session_id: str) -> dict[str, Any] | None:
        blob = await self.store.get(SESSION_PREFIX + session_id)
        if blob is None:
            return None
        try:
            return self.sealer.unseal(blob.decode(), "twenty-session")
        except SealError:
            return None

    async def alive(self, session_id: str) -> dict[str, Any]:
        """The session as stored, without refreshing it; SessionGone when it was revoked or Twenty
        refused to renew it (a passing failure to renew does not end it)."""
        entry = self._cache.get(session_id)
        if entry is None:
            entry = await self._load(session_id)
            if entry is None:
                raise SessionGone("this connection's Twenty sign-in is gone (revoked or never completed)")
            self._remember(session_id, entry)
        if entry.get("gone"):
            raise SessionGone(entry["gone"])
        return entry

    def _remember(self, session_id: str, entry: dict[str, Any]) -> None:
        self._cache[session_id] = entry
        if len(self._cache) > MAX_CACHED:  # oldest first: they are re-read from the store when used
            for old in list(self._cache)[: len(self._cache) - MAX_CACHED]:
                del self._cache[old]

    async def session(self, session_id: str) -> dict[str, Any]:
        """The session with an access token valid for at least REFRESH_AHEAD seconds (refreshed
        first when needed, one refresh at a time). Raises SessionGone."""
        entry = await self.alive(session_id)
        if entry["exp"] - REFRESH_AHEAD > time.time():
            return entry
        future = self._inflight.get(session_id)
        if future is None:
            future = asyncio.ensure_future(self._refresh(session_id))
            self._inflight[session_id] = future
            future.add_done_callback(lambda _: self._inflight.pop(session_id, None))
        return await asyncio.shield(future)

    async def _refresh(self, session_id: str) -> dict[str, Any]:
        from twenty_api import TwentyError
        from twenty_api.oauth import TwentyOAuthGrantInvalid, refresh

        entry = self._cache.get(session_id) or {}
        if self.store.shared:  # another instance may have refreshed it already
            stored = await self._load(session_id)
            if stored is None:
                self._cache.pop(session_id, None)
                raise SessionGone("this connection's Twenty sign-in was revoked")
            entry = stored
            if entry.get("gone"):
                self._cache[session_id] = entry
                raise SessionGone(entry["gone"])
            if entry["exp"] - REFRESH_AHEAD > time.time():
                self._cache[session_id] = entry
                return entry
        if not entry.get("r"):
            raise SessionGone("Twenty gave this connection no refresh token")
        self.refreshes += 1
        try:
            tokens = await refresh(
                await self.metadata(), await self.client_id(), entry["r"], transport=self._transport()
            )
        except TwentyOAuthGrantInvalid as err:
            log.warning("Twenty refused to renew a session (%s); the user must connect again", err.code)
            reason = (
                f"Twenty refused to renew this connection's sign-in ({'; '.join(err.messages) or err.code}); "
                "connect again to sign in to Twenty"
            )
            # Twenty's tokens are dropped; what stays is why, for the MCP client's next refresh
            await self._save(session_id, {"gone": reason})
            raise SessionGone(reason) from err
        except TwentyError as err:
            if entry["exp"] > time.time() + 5:
                log.warning("could not renew a Twenty session yet (%s); its token still works", err.summary)
                return entry
            raise SessionGone(f"Twenty could not renew this connection's sign-in now: {err.summary}") from err
        entry = {
            **entry,
            "a": tokens.access_token,
            "r": tokens.refresh_token or entry["r"],
            "exp": time.time() + tokens.expires_in,
        }
        await self._save(session_id, entry)
        return entry

    async def forget(self, session_id: str) -> None:
        """Drop the session: our tokens on it stop working. Twenty's /oauth/revoke revokes nothing
        (237b), so nothing is sent; uninstalling the app in Twenty cuts Twenty's side off (291)."""
        self._cache.pop(session_id, None)
        await self.store.delete(SESSION_PREFIX + session_id)


def _pending_blob(state: str) -> str:
    return "oauth/twenty-pending/" + hashlib.sha256(state.encode()).hexdigest()
