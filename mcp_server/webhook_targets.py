"""Where a webhook may point: Twenty POSTs every matching record event to it, from inside its own
network, so a target on loopback, a private range, link-local (the cloud metadata server at
169.254.169.254) or any other non-global address would turn webhooks into a way to reach
internal services. Such targets are refused unless MCP_WEBHOOKS_ALLOW_PRIVATE=true.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from .gate import GateError

_INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")
RESOLVE_TIMEOUT = 2.0


def _non_global(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def check_webhook_target(url: str, allow_private: bool) -> None:
    """Raise GateError when `url` points at a non-public address (unless allowed)."""
    if allow_private:
        return
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    refusal = GateError(
        f"Webhook target host '{host}' is a loopback, private, link-local or otherwise internal "
        "address; Twenty would deliver record events inside its own network. Use a public https URL "
        "(or set MCP_WEBHOOKS_ALLOW_PRIVATE=true on the server if this is intended)."
    )
    if not host or host == "localhost" or host.endswith(_INTERNAL_SUFFIXES):
        raise refusal
    try:
        if _non_global(host):
            raise refusal
        return  # a public IP literal
    except ValueError:
        pass  # a name: look at what it resolves to
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT
        )
    except (OSError, TimeoutError):
        return  # unresolvable here: Twenty cannot deliver to it either from a shared resolver
    if any(_non_global(str(info[4][0])) for info in infos):
        raise refusal
