"""The REST filter builder, checked against the port of Twenty 2.21's parser and the captures."""

import datetime as dt
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fake_twenty import contract_data
from twenty_api.filters import F, FilterGrammarError, and_, not_, or_, parse_twenty_filter, render_filter


def test_interface_example() -> None:
    f = and_(F("name.firstName").eq("Ada"), F("createdAt").gte("2026-01-01"))
    assert str(f) == 'and(name.firstName[eq]:"Ada",createdAt[gte]:"2026-01-01")'


@pytest.mark.parametrize(
    ("built", "text"),
    [
        (F("name.firstName").eq("Ada"), 'name.firstName[eq]:"Ada"'),
        (F("employees").is_null(), "employees[is]:NULL"),
        (F("pointOfContactId").is_not_null(), "pointOfContactId[is]:NOT_NULL"),
        (F("employees").gte(10), "employees[gte]:10"),
        (F("isActive").eq(True), "isActive[eq]:true"),
        (F("stage").in_(["NEW", "CUSTOMER"]), 'stage[in]:["NEW","CUSTOMER"]'),
        (not_(F("name").ilike("%a%")), 'not(name[ilike]:"%a%")'),
        (
            or_(F("name.lastName").eq("Lovelace"), F("jobTitle").ilike("%engineer%")),
            'or(name.lastName[eq]:"Lovelace",jobTitle[ilike]:"%engineer%")',
        ),
        (
            F("createdAt").gte(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
            'createdAt[gte]:"2026-01-01T00:00:00+00:00"',
        ),
        (F("id").eq(uuid.UUID(int=0)), 'id[eq]:"00000000-0000-0000-0000-000000000000"'),
        (F("name").eq('say "hi"'), "name[eq]:'say \"hi\"'"),
    ],
)
def test_rendering(built, text: str) -> None:
    assert str(built) == text


def _captured_filter(name: str) -> str:
    url = contract_data.example_by_prefix(name)["path"]
    return parse_qs(urlsplit(url).query)["filter"][0]


@pytest.mark.parametrize(
    ("example", "built"),
    [
        ("026", and_(F("name.firstName").eq("Ada"), F("jobTitle").eq("Analyst"))),
        ("027", or_(F("name.lastName").eq("Lovelace"), F("jobTitle").ilike("%engineer%"))),
        ("028", not_(F("name").ilike("%a%"))),
        ("029", F("name.firstName").eq("Ada")),
        (
            "030",
            F("id").in_(["20202020-ad56-4879-99cf-51ae83bed363", "00000000-0000-4000-8000-000000000000"]),
        ),
        ("031", F("employees").is_null()),
        ("032", F("pointOfContactId").is_not_null()),
        ("033", F("createdAt").gte("2026-01-01T00:00:00.000Z")),
    ],
)
def test_builder_matches_captured_requests(example: str, built) -> None:
    assert str(built) == _captured_filter(example)


def test_apostrophe_value_is_moved_last_so_the_server_reads_it_right() -> None:
    f = and_(F("name.lastName").eq("O'Brien"), F("city").eq("Dublin"))
    text = str(f)
    assert text == 'and(city[eq]:"Dublin",name.lastName[eq]:"O\'Brien")'
    assert parse_twenty_filter(text) == {
        "and": [{"city": {"eq": "Dublin"}}, {"name": {"lastName": {"eq": "O'Brien"}}}]
    }


@pytest.mark.parametrize(
    "bad",
    [
        lambda: str(and_(F("a").eq("O'Brien"), F("b").eq("D'Arcy"))),  # two odd quotes: unparseable
        lambda: str(F("a").eq("both ' and \"")),
        lambda: str(F("a").in_(["x,y"])),  # lists are split on every comma
        lambda: str(F("a").eq("open ( paren")),  # the server counts every parenthesis
        lambda: str(F("a").eq("line\nbreak")),  # the server's regex does not cross newlines
    ],
)
def test_values_twenty_would_misread_are_refused(bad) -> None:
    with pytest.raises(FilterGrammarError):
        bad()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: F("bad field!").eq(1), "field name"),
        (lambda: F("a").eq(None), "is_null"),
        (lambda: F("a").in_([]), "at least one"),
        (lambda: and_(), "at least one"),
        (lambda: and_("name[eq]:1"), "takes filters"),
        (lambda: F("a").eq(object()), "must be str"),
    ],
)
def test_bad_input_says_what_is_wrong(call, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_operators_compose() -> None:
    f = (F("a").eq(1) & F("b").eq(2)) | ~F("c").eq(3)
    assert str(f) == "or(and(a[eq]:1,b[eq]:2),not(c[eq]:3))"


def test_render_filter_accepts_strings_and_none() -> None:
    assert render_filter(None) is None
    assert render_filter("  ") is None
    assert render_filter('name[eq]:"x"') == 'name[eq]:"x"'
    with pytest.raises(TypeError):
        render_filter(42)  # type: ignore[arg-type]


def test_graphql_form_keeps_types() -> None:
    f = and_(F("employees").gte(10), F("name.firstName").in_(["Ada", "Grace"]), not_(F("x").is_null()))
    assert f.to_graphql() == {
        "and": [
            {"employees": {"gte": 10}},
            {"name": {"firstName": {"in": ["Ada", "Grace"]}}},
            {"not": {"x": {"is": "NULL"}}},
        ]
    }


def test_parser_port_matches_server_errors() -> None:
    with pytest.raises(ValueError, match="invalid"):
        parse_twenty_filter("name[eq")  # example 007b
    with pytest.raises(ValueError, match="parentheses"):
        parse_twenty_filter("and(a[eq]:1")
    with pytest.raises(ValueError, match="only 1"):
        parse_twenty_filter("not(a[eq]:1,b[eq]:2)")


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20
)


@given(a=_text, b=_text, c=st.integers(-(10**9), 10**9))
def test_anything_rendered_is_read_back_exactly_or_refused(a: str, b: str, c: int) -> None:
    """Property: the builder never emits a filter Twenty would read differently."""
    f = or_(and_(F("name.firstName").eq(a), F("jobTitle").ilike(b)), F("employees").lt(c))
    try:
        text = str(f)
    except FilterGrammarError:
        return
    parsed = parse_twenty_filter(text)
    firsts = next(n for n in parsed["or"] if "and" in n)["and"]
    values = sorted(
        [x["name"]["firstName"]["eq"] for x in firsts if "name" in x]
        + [x["jobTitle"]["ilike"] for x in firsts if "jobTitle" in x]
    )
    assert values == sorted([a, b])
    assert {"employees": {"lt": str(c)}} in parsed["or"]


def test_rest_filter_string_to_typed_graphql() -> None:
    from twenty_api.filters import rest_filter_to_graphql

    types = {"employees": "NUMBER", "isActive": "BOOLEAN", "amount": "CURRENCY", "name": "TEXT"}
    out = rest_filter_to_graphql(
        'and(employees[gte]:10,isActive[eq]:true,amount.amountMicros[gt]:1.5,name[in]:["10","x"],'
        "not(employees[is]:NULL))",
        types.get,
    )
    assert out == {
        "and": [
            {"employees": {"gte": 10}},
            {"isActive": {"eq": True}},
            {"amount": {"amountMicros": {"gt": 1.5}}},
            {"name": {"in": ["10", "x"]}},
            {"not": {"employees": {"is": "NULL"}}},
        ]
    }
