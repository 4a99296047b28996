"""OAuth 2.1 authorization server (SDK protocol) issuing sealed tokens that carry the user's
Twenty API key, mode and object scope; plus the plain `Bearer <Twenty API key>` path.

- Clients (DCR) are stateless: the client_id is the sealed registration, so any instance can
  read it.
- Authorization codes are opaque random strings (no key, sealed or not, ever appears in a URL);
  the sealed grant waits in the blob store under the code's hash for 5 minutes. With the
  environment's bucket as the store any instance can redeem it, and GCS's atomic delete makes it
  single-use.
- Access tokens (1 h) and refresh tokens (30 d) are sealed: {key, mode, objects, client, grant}.
  Revoking either revokes the grant (both tokens); the revocation is written to the blob store and
  other instances see it within REVOCATION_RECHECK seconds.
- A Bearer value that is not one of our tokens is taken as a Twenty API key and checked against
  Twenty (cached 5 minutes by hash); it gets the server's default mode and scope.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import TYPE_CHECKING, Any

from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    RefreshToken,
    RegistrationError,
    TokenError,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken
from pydantic import SecretStr

from ..blobs import BlobStore, MemoryBlobStore
from ..gate import Scope
from ..runtime import Principal
from .hardening import redirect_uri_problem
from .sealing import Sealer, SealError

if TYPE_CHECKING:
    from ..runtime import Runtime
    from .twenty_signin import TwentySignIn

ACCESS_PREFIX, REFRESH_PREFIX, CLIENT_PREFIX = "tat.", "trt.", "c."
CODE_TTL = 300
REFRESH_TTL = 30 * 24 * 3600
KEY_CACHE_TTL = 300
BAD_KEY_CACHE_TTL = 30  # a refused Bearer value is answered 401 without asking Twenty again
KEY_CHECKS_PER_MINUTE = 10  # upstream key checks per client address
REVOCATION_RECHECK = 60
_MAX_TRACKED = 10_000


class TwentyAccessToken(AccessToken):
    """An access token that knows its Twenty credential; `api_key` never serialises or prints.

    The credential is a Twenty API key, or (``user_session``) the current access token of the
    user's own Twenty OAuth session, looked up in the server-side session store for this request."""

    api_key: SecretStr
    read_only: bool = False
    allowed_objects: list[str] | None = None
    grant_id: str | None = None
    user_session: bool = False
    user_email: str | None = None
    twenty_session: str | None = None
    family: str | None = None

    def principal(self) -> Principal:
        return Principal(
            api_key=self.api_key.get_secret_value(),
            scope=Scope.build(self.read_only, self.allowed_objects),
            label=self.client_id,
            user_session=self.user_session,
            user_email=self.user_email,
        )


class TwentyRefreshToken(RefreshToken):
    grant: dict[str, Any]


class TwentyAuthorizationCode(AuthorizationCode):
    api_key: SecretStr | None = None
    twenty_session: str | None = None
    read_only: bool
    allowed_objects: list[str] | None


class TwentyOAuthProvider:
    def __init__(
        self, runtime: Runtime, sealer: Sealer, access_ttl: int = 3600, store: BlobStore | None = None
    ) -> None:
        self.runtime = runtime
        self.sealer = sealer
        self.access_ttl = access_ttl
        self.store: BlobStore = store or MemoryBlobStore()
        self._revoked: dict[str, float] = {}
        self._revocation_checked: dict[str, float] = {}
        self._valid_keys: dict[str, float] = {}
        self._invalid_keys: dict[str, float] = {}
        self._key_checks: dict[str, list[float]] = {}
        self.public_url = ""  # set by the HTTP app
        self.resource_url = ""  # this server's MCP endpoint: the audience of every token it accepts
        self.signin: TwentySignIn | None = None  # "Sign in with Twenty" (set by the HTTP app)

    # --- clients ---------------------------------------------------------------------------
    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        if not client_id.startswith(CLIENT_PREFIX):
            return None
        try:
            data = self.sealer.unseal(client_id[len(CLIENT_PREFIX) :], "client")
        except SealError:
            return None
        if any(redirect_uri_problem(str(u)) for u in data.get("redirect_uris") or []):
            return None  # registered before redirect URIs were checked
        return OAuthClientInformationFull(client_id=client_id, **data)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        for uri in client_info.redirect_uris or []:
            problem = redirect_uri_problem(str(uri))
            if problem:
                raise RegistrationError("invalid_redirect_uri", f"redirect URI {str(uri)[:200]!r}: {problem}")
        data = client_info.model_dump(mode="json", exclude_none=True, exclude={"client_id"})
        client_info.client_id = CLIENT_PREFIX + self.sealer.seal(data, "client")

    # --- authorization ---------------------------------------------------------------------
    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        if params.resource and not _same_resource(params.resource, self.resource_url):
            raise AuthorizeError("invalid_target", f"this server issues tokens for {self.resource_url} only")
        request = {
            "client_id": client.client_id,
            "client_name": client.client_name,
            "redirect_uri": str(params.redirect_uri),
            "explicit": params.redirect_uri_provided_explicitly,
            "code_challenge": params.code_challenge,
            "state": params.state,
            "scopes": params.scopes or [],
            "resource": self.resource_url,
            "exp": time.time() + 900,
            "nonce": secrets.token_urlsafe(16),
        }
        from urllib.parse import urlencode

        return f"{self.public_url}/consent?{urlencode({'request': self.sealer.seal(request, 'consent')})}"

    def open_consent_request(self, sealed: str) -> dict[str, Any]:
        request = self.sealer.unseal(sealed, "consent")
        if request.get("exp", 0) < time.time():
            raise SealError("the consent request expired; start the connection again")
        return request

    async def issue_code(
        self,
        request: dict[str, Any],
        api_key: str | None,
        read_only: bool,
        objects: list[str] | None,
        ttl: float = CODE_TTL,
        *,
        twenty_session: str | None = None,
        subject: str | None = None,
    ) -> str:
        """A code for the MCP client: its grant holds a Twenty API key, or the id of the user's
        Twenty session (never Twenty's tokens themselves)."""
        self._expire()
        code = secrets.token_urlsafe(32)
        grant = {
            "scopes": request["scopes"],
            "exp": time.time() + ttl,
            "cid": request["client_id"],
            "challenge": request["code_challenge"],
            "redirect": request["redirect_uri"],
            "explicit": request["explicit"],
            "resource": request.get("resource"),
            "k": api_key,
            "tw": twenty_session,
            "sub": subject,
            "ro": read_only,
            "objs": objects,
        }
        await self.store.put(_code_blob(code), self.sealer.seal(grant, "code").encode())
        return code

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> TwentyAuthorizationCode | None:
        if not authorization_code or len(authorization_code) > 200:
            return None
        blob = await self.store.get(_code_blob(authorization_code))
        if blob is None:
            return None
        try:
            grant = self.sealer.unseal(blob.decode(), "code")
        except SealError:
            return None
        if grant["cid"] != client.client_id or grant["exp"] < time.time():
            return None
        return TwentyAuthorizationCode(
            code=authorization_code,
            scopes=grant["scopes"],
            expires_at=grant["exp"],
            client_id=grant["cid"],
            code_challenge=grant["challenge"],
            redirect_uri=grant["redirect"],
            redirect_uri_provided_explicitly=grant["explicit"],
            resource=grant.get("resource"),
            subject=grant.get("sub") or _key_subject(grant["k"]),
            api_key=SecretStr(grant["k"]) if grant.get("k") else None,
            twenty_session=grant.get("tw"),
            read_only=grant["ro"],
            allowed_objects=grant.get("objs"),
        )

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: TwentyAuthorizationCode
    ) -> OAuthToken:
        if not await self.store.delete(_code_blob(authorization_code.code)):
            raise TokenError("invalid_grant", "authorization code already used")
        key = authorization_code.api_key
        grant = {
            "k": key.get_secret_value() if key else None,
            "tw": authorization_code.twenty_session,
            "ro": authorization_code.read_only,
            "objs": authorization_code.allowed_objects,
            "cid": client.client_id,
            "sub": authorization_code.subject,
            "scopes": authorization_code.scopes,
            "resource": authorization_code.resource,
            "gid": secrets.token_urlsafe(12),
        }
        grant["fam"] = grant["gid"]  # the family: every grant refreshed from this one
        return self._issue(grant)

    def _issue(self, grant: dict[str, Any]) -> OAuthToken:
        now = int(time.time())
        access = ACCESS_PREFIX + self.sealer.seal({**grant, "exp": now + self.access_ttl}, "access")
        refresh = REFRESH_PREFIX + self.sealer.seal({**grant, "exp": now + REFRESH_TTL}, "refresh")
        return OAuthToken(
            access_token=access,
            token_type="Bearer",  # noqa: S106 - a token type, not a password
            expires_in=self.access_ttl,
            refresh_token=refresh,
            scope=" ".join(grant.get("scopes") or []) or None,
        )

    # --- refresh ---------------------------------------------------------------------------
    async def load_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: str
    ) -> TwentyRefreshToken | None:
        grant = await self._open(refresh_token, REFRESH_PREFIX, "refresh")
        if grant is None:
            await self._revoke_family_on_reuse(refresh_token)
            return None
        if grant["cid"] != client.client_id:
            return None
        return TwentyRefreshToken(
            token=refresh_token,
            client_id=grant["cid"],
            scopes=grant.get("scopes") or [],
            expires_at=grant["exp"],
            resource=grant.get("resource"),
            subject=grant.get("sub"),
            grant=grant,
        )

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: TwentyRefreshToken, scopes: list[str]
    ) -> OAuthToken:
        grant = {k: v for k, v in refresh_token.grant.items() if k != "exp"}
        if scopes and not set(scopes) <= set(grant.get("scopes") or []):
            raise TokenError("invalid_scope", "cannot widen scopes on refresh")
        if grant.get("tw"):
            from .twenty_signin import SessionGone

            try:
                # gone only when revoked or refused by Twenty; a passing failure to renew is retried
                # on the next request rather than forcing the user to consent again
                await self._signin().alive(grant["tw"])
            except SessionGone as err:
                raise TokenError("invalid_grant", str(err)) from err
        await self._revoke(grant["gid"])  # rotation: the old pair stops working
        grant["gid"] = secrets.token_urlsafe(12)
        return self._issue(grant)

    async def _revoke_family_on_reuse(self, refresh_token: str) -> None:
        """A rotated-away refresh token presented again was stolen or replayed (OAuth 2.1 §4.3.1):
        revoke every grant of its family, including the one the legitimate holder has now."""
        if not refresh_token.startswith(REFRESH_PREFIX):
            return
        try:
            grant = self.sealer.unseal(refresh_token[len(REFRESH_PREFIX) :], "refresh")
        except SealError:
            return
        fam = grant.get("fam")
        if fam and grant.get("exp", 0) > time.time() and await self._is_revoked(str(grant.get("gid"))):
            await self._revoke("fam:" + str(fam))

    # --- access ----------------------------------------------------------------------------
    async def load_access_token(self, token: str) -> TwentyAccessToken | None:
        if token.startswith(ACCESS_PREFIX):
            grant = await self._open(token, ACCESS_PREFIX, "access")
            if grant is None:
                return None
            credential, email = grant.get("k"), None
            if grant.get("tw"):
                from .twenty_signin import SessionGone

                try:
                    session = await self._signin().session(grant["tw"])
                except SessionGone as err:
                    import logging

                    logging.getLogger(__name__).info("refused a token: %s", err)
                    return None
                credential, email = session["a"], session.get("email")
            return TwentyAccessToken(
                token=token,
                client_id=grant["cid"],
                scopes=grant.get("scopes") or [],
                expires_at=grant["exp"],
                resource=grant.get("resource"),  # checked against this server by the SDK
                subject=grant.get("sub"),
                api_key=SecretStr(credential),
                read_only=bool(grant["ro"]),
                allowed_objects=grant.get("objs"),
                grant_id=grant["gid"],
                user_session=bool(grant.get("tw")),
                user_email=email,
                twenty_session=grant.get("tw"),
                family=grant.get("fam"),
            )
        if token.startswith((REFRESH_PREFIX, CLIENT_PREFIX)):
            return None
        return await self.bearer_api_key(token)

    async def bearer_api_key(self, key: str) -> TwentyAccessToken | None:
        """The plain path: `Authorization: Bearer <Twenty API key>`, validated against Twenty."""
        if not key or len(key) > 4096:
            return None
        digest = hashlib.sha256(key.encode()).hexdigest()
        now = time.time()
        if self._valid_keys.get(digest, 0) < now:
            if self._invalid_keys.get(digest, 0) > now or not self._may_check_key(now):
                return None
            if not await validate_twenty_key(self.runtime, key):
                _bounded_put(self._invalid_keys, digest, now + BAD_KEY_CACHE_TTL, now)
                return None
            _bounded_put(self._valid_keys, digest, now + KEY_CACHE_TTL, now)
        scope = self.runtime.default_scope
        return TwentyAccessToken(
            token="bearer:" + digest[:16],
            client_id="bearer-api-key",
            scopes=[],
            resource=self.resource_url or None,
            subject=_key_subject(key),
            api_key=SecretStr(key),
            read_only=scope.read_only,
            allowed_objects=sorted(scope.allowed) if scope.allowed else None,
        )

    def _may_check_key(self, now: float) -> bool:
        """At most KEY_CHECKS_PER_MINUTE upstream key checks per client address (unknown keys
        only: a known-good key is answered from its cache)."""
        from .client_address import current_client_address

        address = current_client_address()
        recent = [t for t in self._key_checks.get(address, []) if t > now - 60]
        if len(recent) >= KEY_CHECKS_PER_MINUTE:
            self._key_checks[address] = recent
            return False
        recent.append(now)
        self._key_checks[address] = recent
        if len(self._key_checks) > _MAX_TRACKED:
            for stale in [a for a, ts in self._key_checks.items() if not ts or ts[-1] < now - 60]:
                del self._key_checks[stale]
        return True

    # --- revocation ------------------------------------------------------------------------
    async def revoke_token(self, token: TwentyAccessToken | TwentyRefreshToken) -> None:
        if isinstance(token, TwentyRefreshToken):
            gid, session, fam = token.grant.get("gid"), token.grant.get("tw"), token.grant.get("fam")
        else:
            gid, session, fam = token.grant_id, token.twenty_session, token.family
        if gid:
            await self._revoke(gid)
        if session:  # the user's Twenty session goes, and with it every grant refreshed from this one
            if fam:
                await self._revoke("fam:" + str(fam))
            await self._signin().forget(session)

    def _signin(self) -> TwentySignIn:
        if self.signin is None:
            raise TokenError("invalid_grant", "signing in with Twenty is not enabled on this server")
        return self.signin

    async def _revoke(self, gid: str) -> None:
        self._revoked[gid] = time.time() + REFRESH_TTL
        if self.store.shared:
            await self.store.put(f"oauth/revoked/{gid}", b"revoked")

    async def _is_revoked(self, gid: str) -> bool:
        if gid in self._revoked:
            return True
        if not self.store.shared:
            return False
        now = time.time()
        if self._revocation_checked.get(gid, 0) > now - REVOCATION_RECHECK:
            return False
        revoked = await self.store.get(f"oauth/revoked/{gid}") is not None
        self._revocation_checked[gid] = now
        if revoked:
            self._revoked[gid] = now + REFRESH_TTL
        return revoked

    async def _open(self, token: str, prefix: str, purpose: str) -> dict[str, Any] | None:
        try:
            grant = self.sealer.unseal(token[len(prefix) :], purpose)
        except SealError:
            return None
        if grant.get("exp", 0) < time.time() or await self._is_revoked(str(grant.get("gid"))):
            return None
        if grant.get("fam") and await self._is_revoked("fam:" + str(grant["fam"])):
            return None
        return grant

    def _expire(self) -> None:
        now = time.time()
        for gid in [g for g, exp in self._revoked.items() if exp < now]:
            del self._revoked[gid]
        for gid in [g for g, at in self._revocation_checked.items() if at < now - REVOCATION_RECHECK]:
            del self._revocation_checked[gid]


def _same_resource(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def _bounded_put(cache: dict[str, float], key: str, expiry: float, now: float) -> None:
    cache[key] = expiry
    if len(cache) > _MAX_TRACKED:
        for old in [k for k, exp in cache.items() if exp < now] or list(cache)[: len(cache) // 2]:
            cache.pop(old, None)


def _code_blob(code: str) -> str:
    return "oauth/codes/" + hashlib.sha256(code.encode()).hexdigest()


def _key_subject(key: str) -> str:
    return "twenty-key:" + hashlib.sha256(key.encode()).hexdigest()[:16]


async def validate_twenty_key(runtime: Runtime, key: str) -> bool:
    """True when Twenty accepts the key (one cheap authenticated call)."""
    import logging

    from twenty_api import TwentyAuthError, TwentyClient, TwentyError, TwentyForbiddenError

    # The shared pool (no TLS set-up per key) and no pacer (no registry entry per junk key).
    client = TwentyClient(
        base_url=runtime.base_url,
        api_key=key,
        max_retries=1,
        rate_limit=None,
        transport=runtime.shared_transport(),
    )
    try:
        await client.workspace_id()
        return True
    except (TwentyAuthError, TwentyForbiddenError):
        return False
    except TwentyError as err:  # Twenty unreachable: refuse rather than guess
        logging.getLogger(__name__).warning("could not validate a Twenty key: %s", type(err).__name__)
        return False
    finally:
        await client.aclose()
