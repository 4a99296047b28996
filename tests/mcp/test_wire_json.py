"""The hot path's JSON: orjson where it writes the same bytes as pydantic_core did, pydantic_core
(and json) where orjson refuses (integers beyond 64 bits)."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid

import httpx
import pydantic_core
import pytest
from pydantic import BaseModel

from mcp_server.models import AggregateResult, RecordPage, SearchHit
from mcp_server.server import answer, to_json
from twenty_api.transport import _json_body


class Colour(enum.Enum):
    RED = "red"


class Everything(BaseModel):
    n: int = 1
    s: str | None = None
    hits: list[SearchHit] = []
    free: dict = {}
    colour: Colour = Colour.RED
    at: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4, 5, 6789, tzinfo=datetime.UTC)
    naive: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4, 5)
    day: datetime.date = datetime.date(2024, 1, 2)
    id: uuid.UUID = uuid.UUID(int=5)
    money: decimal.Decimal = decimal.Decimal("1.50")
    ratio: float = 1.5
    tags: set[int] = {3}
    pair: tuple[int, str] = (1, "x")
    by_int: dict[int, str] = {1: "x"}
    raw: bytes = b"ab"
    text: str = 'é "quoted" \\ \n\t \u2028 😀'


@pytest.mark.parametrize(
    "value",
    [
        Everything(hits=[SearchHit(record_id="r", object="person", label="L")], free={"x": [1, {"y": None}]}),
        Everything(free={"nested": Everything(), "when": datetime.datetime(2024, 1, 1)}),
        RecordPage.model_construct(
            object="companies", records=[{"id": "x", "n": 1.0, "u": "é"}], total_count=3, end_cursor=None
        ),
        AggregateResult(object="o", operation="count", field=None, value=3, groups=[{"k": 1}]),
        Everything(n=2**70),  # beyond orjson: pydantic_core writes it
    ],
)
def test_to_json_writes_what_pydantic_core_wrote(value: BaseModel) -> None:
    assert to_json(value) == pydantic_core.to_json(value, by_alias=True, fallback=str)


def test_answer_drops_search_vector_and_sends_one_compact_text() -> None:
    page = RecordPage.model_construct(
        object="companies", records=[{"id": "a", "searchVector": "'a':1"}], total_count=1
    )
    result = answer(page)
    assert result.structured_content is None
    assert [c.type for c in result.content] == ["text"]
    assert result.content[0].text == (
        '{"object":"companies","records":[{"id":"a"}],"total_count":1,"has_next_page":false,"end_cursor":null}'
    )


@pytest.mark.parametrize(
    ("body", "parsed"),
    [
        (b'{"data":{"companies":[{"id":"a","n":1.5}]}}', {"data": {"companies": [{"id": "a", "n": 1.5}]}}),
        # Twenty (Node) writes every number from a JS double (JSON.stringify throws on a BigInt), so an
        # integer beyond 64 bits is that double, which orjson reads back exactly.
        (b'{"amountMicros":123456789012345680000000}', {"amountMicros": 1.2345678901234568e23}),
        (b'{"x":1e400}', {"x": float("inf")}),  # orjson refuses, json reads it as Python always did
        (b"not json", "not json"),
        (b"", None),
    ],
)
def test_json_body_parses_as_json_does(body: bytes, parsed: object) -> None:
    assert _json_body(httpx.Response(200, content=body)) == parsed
