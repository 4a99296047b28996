"""Split any number of records into Twenty-sized batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

T = TypeVar("T")

BATCH_SIZE = 60  # Twenty's documented limit; 2.21 does not enforce it, we keep to it anyway


def chunks(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    """Yield lists of at most ``size`` items, in order, never an empty one."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"batch size must be a positive integer, got {size!r}")
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def batch_count(items: Sequence[object], size: int = BATCH_SIZE) -> int:
    return -(-len(items) // size)
