"""Base URL normalisation: one canonical form, https unless the host is loopback."""

from __future__ import annotations

import ipaddress

import httpx

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str) -> str:
    """Return ``scheme://host[:port][/prefix]`` without a trailing ``/`` or ``/rest``.

    Accepts what people paste: ``https://crm.example.com``, ``.../``, ``.../rest``, ``.../rest/``.
    Raises ValueError naming the problem: not http(s), no host, query/fragment/credentials in the
    URL, or plain http to anything but loopback (an API key would travel in clear text).
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError("Twenty base URL is empty: set TWENTY_API_URL, e.g. https://crm.example.com")
    raw = url.strip()
    try:
        parsed = httpx.URL(raw)
    except httpx.InvalidURL as exc:
        raise ValueError(f"Twenty base URL {raw!r} is not a valid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(
            f"Twenty base URL {raw!r} must look like https://crm.example.com (scheme http(s) and a host)"
        )
    if parsed.userinfo:
        raise ValueError(f"Twenty base URL {raw!r} must not carry credentials; pass api_key instead")
    if parsed.query or parsed.fragment:
        raise ValueError(
            f"Twenty base URL {raw!r} must not have a query or fragment (never put a key in a URL)"
        )
    if parsed.scheme == "http" and not is_loopback(parsed.host):
        raise ValueError(
            f"Twenty base URL {raw!r} uses plain http to {parsed.host}: use https "
            "(http is only accepted for loopback addresses such as 127.0.0.1 or localhost)"
        )
    path = parsed.path.rstrip("/")
    if path.endswith("/rest"):
        path = path[: -len("/rest")]
    host = parsed.host if ":" not in parsed.host else f"[{parsed.host}]"
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{host}{port}{path}"


def origin_of(base_url: str) -> str:
    """The browser-style origin (scheme://host[:port]) Twenty's login mutations ask for."""
    parsed = httpx.URL(base_url)
    host = parsed.host if ":" not in parsed.host else f"[{parsed.host}]"
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{host}{port}"
