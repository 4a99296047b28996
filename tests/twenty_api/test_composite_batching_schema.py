"""Composite mapping (from the captured field metadata), chunking and the schema cache."""

import pytest

from tests.fake_twenty import contract_data
from twenty_api.batching import batch_count, chunks
from twenty_api.composite import markdown_body, phone_shape, to_micros, to_twenty_input
from twenty_api.models import ObjectInfo
from twenty_api.schema import SchemaCache, WorkspaceSchema


@pytest.fixture(scope="module")
def objects() -> dict[str, ObjectInfo]:
    raw = contract_data.load_example("006-list-objects-metadata")["response_body"]["data"]["objects"]
    std = next(o["applicationId"] for o in raw if o["nameSingular"] == "person")
    return {o["namePlural"]: ObjectInfo.from_metadata(o, standard_application_id=std) for o in raw}


def test_person_friendly_input(objects) -> None:
    out = to_twenty_input(
        objects["people"],
        {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": "ada@x.io",
            "phone": "+33 6 12 34 56 78",
            "linkedin": "https://www.linkedin.com/in/ada",
            "jobTitle": "Analyst",
        },
    )
    # the shapes of contract example 020
    assert out == {
        "name": {"firstName": "Ada", "lastName": "Lovelace"},
        "emails": {"primaryEmail": "ada@x.io"},
        "phones": {
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCallingCode": "+33",
            "primaryPhoneCountryCode": "FR",
        },
        "linkedinLink": {"primaryLinkUrl": "https://www.linkedin.com/in/ada"},
        "jobTitle": "Analyst",
    }


def test_company_and_opportunity(objects) -> None:
    assert to_twenty_input(objects["companies"], {"name": "X", "domain": "x.io", "employees": 4}) == {
        "name": "X",
        "domainName": {"primaryLinkUrl": "x.io"},
        "employees": 4,
    }
    assert to_twenty_input(
        objects["opportunities"], {"name": "deal", "amount": 1250000, "currency": "eur"}
    ) == {
        "name": "deal",
        "amount": {"amountMicros": 1_250_000_000_000, "currencyCode": "EUR"},
    }


def test_composite_fields_given_plain_values_are_wrapped(objects) -> None:
    out = to_twenty_input(
        objects["people"], {"name": "Grace Brewster Hopper", "emails": ["g@x.io", "h@x.io"], "avatarUrl": "u"}
    )
    assert out["name"] == {"firstName": "Grace", "lastName": "Brewster Hopper"}
    assert out["emails"] == {"primaryEmail": "g@x.io", "additionalEmails": ["h@x.io"]}
    assert out["avatarUrl"] == "u"


def test_dicts_and_unknown_keys_pass_through(objects) -> None:
    data = {"name": {"firstName": "A", "lastName": "B"}, "notAField": 1}
    assert to_twenty_input(objects["people"], data) == data


def test_notes_markdown(objects) -> None:
    assert to_twenty_input(objects["notes"], {"title": "t", "markdown": "# Hi"}) == {
        "title": "t",
        "bodyV2": {"markdown": "# Hi"},
    }
    assert markdown_body("**x**") == {"bodyV2": {"markdown": "**x**"}}


def test_clear_errors(objects) -> None:
    with pytest.raises(ValueError, match="needs a currency"):
        to_twenty_input(objects["opportunities"], {"amount": 5})
    with pytest.raises(ValueError, match="no FULL_NAME field"):
        to_twenty_input(objects["companies"], {"firstName": "Ada"})
    with pytest.raises(ValueError, match="without an amount"):
        to_twenty_input(objects["people"], {"currency": "EUR"})
    with pytest.raises(ValueError, match="not a number"):
        to_micros("twelve")
    with pytest.raises(ValueError, match="not a phone number"):
        phone_shape("+999 12")


def test_micros_are_exact() -> None:
    assert to_micros("0.1") == 100_000
    assert to_micros(19.99) == 19_990_000
    assert to_micros(1_250_000) == 1_250_000_000_000


def test_is_custom_is_derived_for_2_21(objects) -> None:
    assert not objects["people"].is_custom and not objects["companies"].is_custom
    assert objects["pets"].is_custom and objects["rockets"].is_custom


def test_chunks() -> None:
    assert [len(c) for c in chunks(range(1000), 60)] == [60] * 16 + [40]
    assert batch_count(list(range(1000))) == 17
    assert list(chunks([], 60)) == []
    assert list(chunks(iter("abc"), 2)) == [["a", "b"], ["c"]]
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            list(chunks([1], bad))  # type: ignore[arg-type]


def test_schema_cache_ttl_and_lookup(objects) -> None:
    now = [0.0]
    cache = SchemaCache(ttl=10, clock=lambda: now[0])
    entry = cache.put("ws-1", list(objects.values()))
    assert cache.get("ws-1") is entry and cache.get("ws-2") is None
    assert entry.find("Person").name_plural == "people"
    assert entry.find("website-leads") is None
    assert entry.find("OPPORTUNITIES").name_singular == "opportunity"
    assert "people" in entry.close_matches("peple")
    now[0] = 11
    assert cache.get("ws-1") is None
    cache.put("ws-1", [])
    cache.invalidate("ws-1")
    assert cache.get("ws-1") is None


def test_workspace_schema_find_label() -> None:
    ws = WorkspaceSchema(
        "w", [ObjectInfo("1", "websiteLead", "websiteLeads", "Website lead", "Website leads")], 0
    )
    assert ws.find("Website leads").name_plural == "websiteLeads"
