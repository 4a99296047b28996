"""One deadline per call, covering pacing, every attempt and every backoff sleep.

A caller (the MCP server, per tool call) sets it with `call_deadline(seconds)`; the client reads
`remaining()` before pacing, for each attempt's timeout and before each retry sleep. Without a
deadline nothing changes. A context variable, so concurrent calls each have their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("twenty_call_deadline", default=None)


def set_deadline(seconds: float) -> None:
    """Start this context's deadline unless one runs already (a nested call never extends it)."""
    if _DEADLINE.get() is None:
        _DEADLINE.set(time.monotonic() + seconds)


@contextmanager
def call_deadline(seconds: float) -> Iterator[None]:
    token = _DEADLINE.set(time.monotonic() + seconds) if _DEADLINE.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left, or None when no deadline is set (never negative)."""
    deadline = _DEADLINE.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())
