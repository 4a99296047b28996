"""The fake's own filter parser (REST grammar) and evaluator."""

from __future__ import annotations

import pytest

from tests.fake_twenty.errors import TwentyHttpError
from tests.fake_twenty.filters import Cond, Junction, matches, mentions, parse_rest_filter

PERSON = {
    "name": {"firstName": "Ada", "lastName": "Lovelace"},
    "jobTitle": "Analyst, senior",
    "score": 7,
    "deletedAt": None,
    "tags": ["A", "B"],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name.firstName[eq]:"Ada"', True),
        ('name.firstName[neq]:"Ada"', False),
        ('jobTitle[eq]:"Analyst, senior"', True),  # a comma inside quotes is not a separator
        ('jobTitle[ilike]:"%SENIOR"', True),
        ('jobTitle[like]:"%SENIOR"', False),
        ('jobTitle[startsWith]:"Ana"', True),
        ("score[gte]:7", True),
        ("score[gt]:7", False),
        ('score[in]:["1","7"]', True),
        ("deletedAt[is]:NULL", True),
        ("deletedAt[is]:NOT_NULL", False),
        ('tags[containsAny]:["B","C"]', True),
        ('and(name.firstName[eq]:"Ada",or(score[lt]:1,not(jobTitle[eq]:"x")))', True),
        ('name.firstName[eq]:"Ada",score[lt]:1', False),  # a bare list at the root means and()
    ],
)
def test_rest_filters_evaluate_like_twenty(text: str, expected: bool) -> None:
    assert matches(parse_rest_filter(text), PERSON) is expected


def test_parse_tree_and_mentions() -> None:
    node = parse_rest_filter('or(deletedAt[is]:NOT_NULL,name.lastName[eq]:"L")')
    assert isinstance(node, Junction) and node.kind == "or"
    assert node.children[1] == Cond(("name", "lastName"), "eq", "L")
    assert mentions(node, "deletedAt") and not mentions(node, "score")


@pytest.mark.parametrize("text", ["name[eq", "name:1", "name[unknownOp]:1", "not(a[eq]:1,b[eq]:2)"])
def test_malformed_filters_answer_twentys_message(text: str) -> None:
    with pytest.raises(TwentyHttpError) as err:
        parse_rest_filter(text)
    assert err.value.status == 400
    assert err.value.body["messages"][0].startswith("'filter' invalid for ")
    assert err.value.body["messages"][0].endswith(". eg: price[gte]:10")
