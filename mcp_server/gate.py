"""The one gate: read-only mode and the object allow-list.

Every tool reaches Twenty through a `Connection` whose `scope` is checked here; the server
refuses write tools in read-only mode before their arguments are even parsed (server.py),
and raw GraphQL is checked by graphql_guard.py against the same scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mcp.server.mcpserver.exceptions import ToolError


class GateError(ToolError):
    """A call the connection's scope does not allow. Never retried: the answer will not change."""


@dataclass(frozen=True)
class Scope:
    """What one connection may do: `read_only` and `allowed` (lower-case object names, None = all)."""

    read_only: bool = False
    allowed: frozenset[str] | None = None
    also: frozenset[str] | None = None  # a second list that must allow too (the server's, see narrow)

    @classmethod
    def build(cls, read_only: bool, allowed: Iterable[str] | None) -> Scope:
        names = frozenset(a.strip().lower() for a in allowed or () if a.strip())
        return cls(read_only=read_only, allowed=names or None)

    def narrow(self, server: Scope) -> Scope:
        """This scope within the server's settings: a grant may narrow them, never widen them."""
        read_only = self.read_only or server.read_only
        if server.allowed is None:
            return Scope(read_only, self.allowed, self.also)
        if self.allowed is None:
            return Scope(read_only, server.allowed, server.also)
        return Scope(read_only, self.allowed, server.allowed)

    @property
    def restricted(self) -> bool:
        return self.allowed is not None or self.also is not None

    def allows_names(self, *names: str) -> bool:
        """True when any of an object's names (singular, plural) is on the allow-list (both lists,
        when narrowed)."""
        return all(
            lst is None or any(n.lower() in lst for n in names if n) for lst in (self.allowed, self.also)
        )

    def require_names(self, singular: str, plural: str) -> None:
        if not self.allows_names(singular, plural):
            raise GateError(
                f"Object '{plural}' is outside this connection's allowed objects "
                f"({', '.join(sorted(self.allowed or ()))}). Ask the user to reconnect with it allowed."
            )

    def require_write(self, what: str) -> None:
        if self.read_only:
            raise GateError(
                f"{what} is refused: this connection is read-only. "
                "Reconnect in read-write mode (MCP_READ_ONLY=false, or pick read-write on the consent page)."
            )

    def require_unrestricted(self, what: str) -> None:
        """For calls whose reach cannot be proven to stay inside the allow-list."""
        if self.restricted:
            raise GateError(
                f"{what} is refused while an object allow-list is active: it can reach objects "
                "outside the list and this server cannot prove otherwise."
            )

    def describe(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        objects = ", ".join(sorted(self.allowed)) if self.allowed else "all objects"
        return f"{mode}; {objects}"
