"""Sealing (AES-GCM, purpose-bound, rotatable) and the OAuth provider's token life cycle."""

from urllib.parse import unquote

import httpx
import pytest

from mcp_server.auth.provider import TwentyAccessToken, TwentyOAuthProvider
from mcp_server.auth.sealing import Sealer, SealError, new_key, parse_key
from mcp_server.runtime import Runtime
from mcp_server.settings import ServerSettings
from twenty_api.settings import TwentySettings


def test_seal_roundtrip_purpose_and_tamper() -> None:
    sealer = Sealer.from_text(new_key())
    sealed = sealer.seal({"k": "secret-key", "n": 1}, "access")
    assert "secret-key" not in sealed
    assert sealer.unseal(sealed, "access") == {"k": "secret-key", "n": 1}
    with pytest.raises(SealError):
        sealer.unseal(sealed, "consent")  # purpose is bound
    tampered = sealed[:-3] + ("AAA" if not sealed.endswith("AAA") else "BBB")
    with pytest.raises(SealError):
        sealer.unseal(tampered, "access")
    with pytest.raises(SealError):
        sealer.unseal("garbage", "access")


def test_rotation_old_keys_still_open_new_seals_use_new_key() -> None:
    old, new = new_key(), new_key()
    before = Sealer.from_text(old).seal({"a": 1}, "access")
    rotated = Sealer.from_text(new, old_keys=old)
    assert rotated.unseal(before, "access") == {"a": 1}
    after = rotated.seal({"b": 2}, "access")
    with pytest.raises(SealError, match="unknown key"):
        Sealer.from_text(old).unseal(after, "access")
    with pytest.raises(SealError, match="unknown key"):
        Sealer.from_text(new).unseal(before, "access")  # old key dropped -> old seals die


def test_bad_keys_are_named() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        parse_key("c2hvcnQ")


@pytest.fixture
def provider() -> TwentyOAuthProvider:
    runtime = Runtime(
        ServerSettings(twenty=TwentySettings(api_url="http://127.0.0.1:9"), mcp_primer_path="/tmp/x.md")
    )
    p = TwentyOAuthProvider(runtime, Sealer.from_text(new_key()))
    p.public_url = "http://127.0.0.1:8080"
    return p


@pytest.mark.anyio
async def test_code_token_refresh_revoke_cycle(provider: TwentyOAuthProvider) -> None:
    from mcp.shared.auth import OAuthClientInformationFull

    client = OAuthClientInformationFull(client_id="tmp", redirect_uris=["http://127.0.0.1:1/cb"])
    await provider.register_client(client)
    assert client.client_id.startswith("c.")
    loaded = await provider.get_client(client.client_id)
    assert loaded is not None and str(loaded.redirect_uris[0]) == "http://127.0.0.1:1/cb"
    assert await provider.get_client("c.forged") is None

    request = {
        "client_id": client.client_id,
        "redirect_uri": "http://127.0.0.1:1/cb",
        "explicit": True,
        "code_challenge": "x" * 43,
        "state": "s",
        "scopes": [],
        "resource": None,
    }
    code = await provider.issue_code(request, "twenty-key-123", True, ["people"])
    auth_code = await provider.load_authorization_code(client, code)
    assert auth_code is not None
    token = await provider.exchange_authorization_code(client, auth_code)
    assert "twenty-key-123" not in token.access_token
    with pytest.raises(Exception, match="already used"):
        await provider.exchange_authorization_code(client, auth_code)

    access = await provider.load_access_token(token.access_token)
    assert isinstance(access, TwentyAccessToken)
    principal = access.principal()
    assert principal.api_key == "twenty-key-123"
    assert principal.scope.read_only and principal.scope.allowed == frozenset({"people"})
    assert "twenty-key-123" not in repr(access)

    refresh = await provider.load_refresh_token(client, token.refresh_token or "")
    assert refresh is not None
    rotated = await provider.exchange_refresh_token(client, refresh, [])
    assert await provider.load_access_token(token.access_token) is None  # old grant revoked by rotation
    new_access = await provider.load_access_token(rotated.access_token)
    assert new_access is not None
    await provider.revoke_token(new_access)
    assert await provider.load_access_token(rotated.access_token) is None
    assert await provider.load_refresh_token(client, rotated.refresh_token or "") is None


@pytest.mark.anyio
async def test_expired_code_is_refused(provider: TwentyOAuthProvider) -> None:
    from mcp.shared.auth import OAuthClientInformationFull

    client = OAuthClientInformationFull(client_id="tmp", redirect_uris=["http://127.0.0.1:1/cb"])
    await provider.register_client(client)
    request = {
        "client_id": client.client_id,
        "redirect_uri": "http://127.0.0.1:1/cb",
        "explicit": True,
        "code_challenge": "x" * 43,
        "state": None,
        "scopes": [],
    }
    code = await provider.issue_code(request, "k", False, None, ttl=-1)
    assert await provider.load_authorization_code(client, code) is None
    assert await provider.load_authorization_code(client, "unknown-code") is None


def _fake_gcs() -> httpx.MockTransport:
    """Just enough of the GCS JSON API (and the metadata token) for the blob store."""
    objects: dict[str, bytes] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "metadata.google.internal":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        if request.method == "POST":
            objects[request.url.params["name"]] = request.content
            return httpx.Response(200, json={})
        name = unquote(request.url.raw_path.decode().split("/o/", 1)[1].split("?", 1)[0])
        if request.method == "GET":
            return httpx.Response(200, content=objects[name]) if name in objects else httpx.Response(404)
        return httpx.Response(204) if objects.pop(name, None) is not None else httpx.Response(404)

    return httpx.MockTransport(handler)


@pytest.mark.anyio
async def test_codes_and_revocations_cross_instances_through_the_bucket() -> None:
    from mcp.shared.auth import OAuthClientInformationFull

    from mcp_server.blobs import GcsBlobStore

    transport, key = _fake_gcs(), new_key()
    settings = ServerSettings(
        twenty=TwentySettings(api_url="http://127.0.0.1:9"), mcp_primer_path="/tmp/x.md"
    )
    a, b = (
        TwentyOAuthProvider(
            Runtime(settings), Sealer.from_text(key), store=GcsBlobStore("bkt", transport=transport)
        )
        for _ in range(2)
    )
    client = OAuthClientInformationFull(client_id="tmp", redirect_uris=["http://127.0.0.1:1/cb"])
    await a.register_client(client)
    request = {
        "client_id": client.client_id,
        "redirect_uri": "http://127.0.0.1:1/cb",
        "explicit": True,
        "code_challenge": "x" * 43,
        "state": None,
        "scopes": [],
    }
    code = await a.issue_code(request, "key-on-a", False, None)
    on_b = await b.load_authorization_code(client, code)  # another instance redeems it
    assert on_b is not None and on_b.api_key.get_secret_value() == "key-on-a"
    tokens = await b.exchange_authorization_code(client, on_b)
    with pytest.raises(Exception, match="already used"):
        await a.exchange_authorization_code(client, on_b)  # single use across instances
    access = await a.load_access_token(tokens.access_token)
    assert access is not None
    await a.revoke_token(access)
    assert await b.load_access_token(tokens.access_token) is None  # b sees a's revocation
