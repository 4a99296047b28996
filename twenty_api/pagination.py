"""One page of records, and async iteration over all pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

MAX_PAGE_SIZE = 200  # Twenty 2.21 silently caps `limit` at 200


@dataclass
class Page:
    records: list[dict[str, Any]]
    total_count: int
    has_next_page: bool
    end_cursor: str | None
    start_cursor: str | None = None
    has_previous_page: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.records)

    @classmethod
    def from_rest(cls, body: dict[str, Any], plural: str) -> Page:
        """From ``{"data": {"<plural>": [...]}, "pageInfo": {...}, "totalCount": N}``."""
        data = body.get("data") or {}
        records = data.get(plural)
        if records is None and len(data) == 1:
            records = next(iter(data.values()))
        if not isinstance(records, list):
            raise ValueError(
                f"Twenty's list answer for {plural!r} has no data.{plural} list: {str(body)[:200]}"
            )
        info = body.get("pageInfo") or {}
        total = body.get("totalCount")
        return cls(
            records=records,
            total_count=int(total) if total is not None else len(records),
            has_next_page=bool(info.get("hasNextPage", False)),
            end_cursor=info.get("endCursor"),
            start_cursor=info.get("startCursor"),
            has_previous_page=bool(info.get("hasPreviousPage", False)),
            raw=body,
        )


async def iterate_pages(
    fetch: Callable[[str | None], Awaitable[Page]], *, max_pages: int | None = None
) -> AsyncIterator[Page]:
    """Follow ``endCursor`` while ``hasNextPage``; stops if the server repeats a cursor."""
    cursor: str | None = None
    seen: set[str] = set()
    pages = 0
    while True:
        page = await fetch(cursor)
        pages += 1
        yield page
        if not page.has_next_page or not page.end_cursor or page.end_cursor in seen:
            return
        if max_pages is not None and pages >= max_pages:
            return
        seen.add(page.end_cursor)
        cursor = page.end_cursor


async def iterate_records(
    fetch: Callable[[str | None], Awaitable[Page]], *, max_pages: int | None = None
) -> AsyncIterator[dict[str, Any]]:
    async for page in iterate_pages(fetch, max_pages=max_pages):
        for record in page.records:
            yield record
