"""Small named-blob storage: memory (one process), or the environment's GCS bucket (shared by
every Cloud Run instance) through the JSON API with the service account's metadata-server token.

Used for the primer and for OAuth state that must survive a hop between instances
(authorization codes, revoked grants).
"""

from __future__ import annotations

import time
from typing import Any, Protocol
from urllib.parse import quote


class BlobStore(Protocol):
    shared: bool  # True when other instances see the same blobs

    async def get(self, name: str) -> bytes | None: ...
    async def put(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...
    async def delete(self, name: str) -> bool: ...


class MemoryBlobStore:
    shared = False

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}

    async def get(self, name: str) -> bytes | None:
        return self._blobs.get(name)

    async def put(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._blobs[name] = data

    async def delete(self, name: str) -> bool:
        return self._blobs.pop(name, None) is not None


class GcsBlobStore:
    """Objects `<prefix><name>` in one bucket. delete() is atomic across instances: exactly one
    caller sees True, which is what makes an authorization code single-use."""

    shared = True
    _METADATA = "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default"
    _API = "https://storage.googleapis.com"

    def __init__(self, bucket: str, prefix: str = "mcp/", transport: Any = None, api: str | None = None):
        self.bucket, self.prefix = bucket, prefix
        self._transport = transport
        self._api = api or self._API
        self._token: tuple[str, float] | None = None

    def _client(self) -> Any:
        import httpx

        return httpx.AsyncClient(timeout=15.0, transport=self._transport)

    async def _auth(self, http: Any) -> dict[str, str]:
        if self._token is None or self._token[1] < time.time() + 60:
            r = await http.get(self._METADATA + "/token", headers={"Metadata-Flavor": "Google"})
            r.raise_for_status()
            body = r.json()
            self._token = (body["access_token"], time.time() + float(body.get("expires_in", 300)))
        return {"Authorization": f"Bearer {self._token[0]}"}

    def _object_url(self, name: str) -> str:
        bucket, obj = quote(self.bucket, safe=""), quote(self.prefix + name, safe="")
        return f"{self._api}/storage/v1/b/{bucket}/o/{obj}"

    async def get(self, name: str) -> bytes | None:
        async with self._client() as http:
            r = await http.get(
                self._object_url(name), params={"alt": "media"}, headers=await self._auth(http)
            )
            if r.status_code == 404:
                return None
            r.raise_for_status()
            return bytes(r.content)

    async def put(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        url = f"{self._api}/upload/storage/v1/b/{quote(self.bucket, safe='')}/o"
        async with self._client() as http:
            headers = {**await self._auth(http), "Content-Type": content_type}
            params = {"uploadType": "media", "name": self.prefix + name}
            r = await http.post(url, params=params, content=data, headers=headers)
            r.raise_for_status()

    async def delete(self, name: str) -> bool:
        async with self._client() as http:
            r = await http.delete(self._object_url(name), headers=await self._auth(http))
            if r.status_code == 404:
                return False
            r.raise_for_status()
            return True
