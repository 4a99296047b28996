"""Primer storage seam: local file (stdio, tests) and the GCS JSON API (against a mock transport)."""

import httpx
import pytest

from mcp_server.primer import GcsPrimerStore, LocalPrimerStore


@pytest.mark.anyio
async def test_local_store_roundtrip(tmp_path) -> None:
    store = LocalPrimerStore(tmp_path / "sub" / "primer.md")
    assert await store.get() is None
    await store.put("# Org\nWe sell engines.")
    assert await store.get() == "# Org\nWe sell engines."
    await store.delete()
    assert await store.get() is None
    await store.delete()  # idempotent


@pytest.mark.anyio
async def test_gcs_store_uses_metadata_token_and_json_api() -> None:
    objects: dict[str, bytes] = {}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.host == "metadata.google.internal":
            assert request.headers["Metadata-Flavor"] == "Google"
            return httpx.Response(200, json={"access_token": "tok", "expires_in": 3600})
        assert request.headers["Authorization"] == "Bearer tok"
        if request.method == "POST":
            assert request.url.params["name"] == "mcp/primer.md"
            objects["mcp/primer.md"] = request.content
            return httpx.Response(200, json={})
        if request.method == "GET":
            body = objects.get("mcp/primer.md")
            return httpx.Response(200, content=body) if body is not None else httpx.Response(404)
        objects.pop("mcp/primer.md", None)
        return httpx.Response(204)

    store = GcsPrimerStore("env-bucket", transport=httpx.MockTransport(handler))
    assert await store.get() is None
    await store.put("hello")
    assert await store.get() == "hello"
    await store.delete()
    assert await store.get() is None
    assert any(s.startswith("GET /storage/v1/b/env-bucket/o/mcp") for s in seen)
    assert seen.count("GET /computeMetadata/v1/instance/service-accounts/default/token") == 1  # cached
