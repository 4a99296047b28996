"""Named GraphQL operations: every GraphQL document our code sends to Twenty lives in `twenty_api`.

An :class:`Operation` is one document of Twenty 2.21's GraphQL API with its root field, endpoint
and whether it writes. Callers outside ``twenty_api`` never write GraphQL: they pick an operation
from its family module (``twenty_api.agents``, ``twenty_api.applications``, ``twenty_api.webhooks``,
``twenty_api.workspace_setup``, …) and run it with :meth:`TwentyClient.run`, or through something
that counts what it sends (``deploy.gateway.Gateway``). Each document is the one the captured
contract shows (contract/twenty-2.21.0) unless its docstring says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Endpoint = Literal["graphql", "metadata"]


@dataclass(frozen=True)
class Operation:
    """One GraphQL operation: ``root`` is the field its answer sits under (and the label a
    reconciler counts a write by); ``safe`` marks a mutation that changes nothing and may be
    repeated (a plan: ``syncApplication(dryRun: true)``)."""

    root: str
    document: str
    endpoint: Endpoint = "metadata"
    writes: bool = False
    safe: bool = False

    def __post_init__(self) -> None:
        head = self.document.lstrip()
        is_mutation = head.startswith("mutation")
        if is_mutation != self.writes and not (is_mutation and self.safe):
            kind = "a mutation" if is_mutation else "a query"
            raise ValueError(f"operation {self.root}: the document is {kind}, writes={self.writes}")
        if self.root not in self.document:
            raise ValueError(f"operation {self.root}: its document does not select {self.root!r}")


def query(root: str, document: str, endpoint: Endpoint = "metadata") -> Operation:
    return Operation(root, document, endpoint)


def mutation(root: str, document: str, endpoint: Endpoint = "metadata", *, safe: bool = False) -> Operation:
    return Operation(root, document, endpoint, writes=not safe, safe=safe)
