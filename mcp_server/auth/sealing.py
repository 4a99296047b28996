"""AES-GCM sealing with rotatable keys, so only this server can read what it hands out.

`MCP_SEALING_KEY` is 32 random bytes, urlsafe-base64 (Secret Manager on Cloud Run). To rotate, put
the new key in MCP_SEALING_KEY and the previous one(s) in MCP_SEALING_KEYS_OLD (comma-separated):
new seals use the new key, old seals still open until they expire. Each seal names its purpose in
the associated data, so a sealed consent request can never pass as an access token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = "v1"


class SealError(Exception):
    """The sealed value is malformed, tampered with, or from an unknown key."""


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_key(text: str) -> bytes:
    try:
        key = _b64d(text.strip())
    except (ValueError, TypeError) as err:
        raise ValueError("a sealing key must be urlsafe base64 of 32 random bytes") from err
    if len(key) != 32:
        raise ValueError(
            f"a sealing key must decode to 32 bytes, got {len(key)}; make one with "
            "python -c 'from mcp_server.auth.sealing import new_key; print(new_key())'"
        )
    return key


def new_key() -> str:
    return _b64e(secrets.token_bytes(32))


class Sealer:
    def __init__(self, key: bytes, old_keys: list[bytes] | None = None) -> None:
        self._keys = {self._kid(k): k for k in [*(old_keys or []), key]}
        self._current = self._kid(key)

    @staticmethod
    def _kid(key: bytes) -> str:
        return hashlib.sha256(b"kid:" + key).hexdigest()[:8]

    @classmethod
    def from_text(cls, key: str, old_keys: str | None = None) -> Sealer:
        olds = [parse_key(k) for k in (old_keys or "").split(",") if k.strip()]
        return cls(parse_key(key), olds)

    def seal(self, payload: dict[str, Any], purpose: str) -> str:
        nonce = os.urandom(12)
        aad = f"{_VERSION}.{purpose}.{self._current}".encode()
        body = AESGCM(self._keys[self._current]).encrypt(nonce, json.dumps(payload).encode(), aad)
        return f"{_VERSION}.{self._current}.{_b64e(nonce + body)}"

    def unseal(self, sealed: str, purpose: str) -> dict[str, Any]:
        try:
            version, kid, blob = sealed.split(".", 2)
        except (ValueError, AttributeError) as err:
            raise SealError("not a sealed value") from err
        key = self._keys.get(kid)
        if version != _VERSION or key is None:
            raise SealError("sealed with an unknown key")
        try:
            raw = _b64d(blob)
            data = AESGCM(key).decrypt(raw[:12], raw[12:], f"{version}.{purpose}.{kid}".encode())
            payload = json.loads(data)
        except (InvalidTag, ValueError) as err:
            raise SealError("sealed value does not verify") from err
        if not isinstance(payload, dict):
            raise SealError("sealed value is not an object")
        return payload
