"""Record behaviour over real HTTP against the fake Twenty (tests/fake_twenty)."""

import pytest

from twenty_api import F, TwentyClient, TwentyNotFoundError, TwentyUserSessionRequired
from twenty_api.pagination import Page

from .conftest import count, make_client

pytestmark = pytest.mark.anyio


async def test_pagination_over_500_records(fake_twenty_empty, empty_client: TwentyClient) -> None:
    created = await empty_client.batch_create("companies", [{"name": f"Co {i:03d}"} for i in range(500)])
    assert len(created) == 500
    fake_twenty_empty.requests.clear()

    seen = [r["id"] async for r in empty_client.iter_records("companies", page_size=60, order_by="name")]
    assert len(seen) == 500 and len(set(seen)) == 500
    assert set(seen) == {r["id"] for r in created}
    assert count(fake_twenty_empty, "GET", "/rest/companies") == 9  # ceil(500 / 60)

    first = await empty_client.list_records("companies", limit=200, order_by=[("name", "DescNullsLast")])
    assert isinstance(first, Page) and first.total_count == 500 and first.has_next_page
    assert first.records[0]["name"] == "Co 499"
    second = await empty_client.list_records(
        "companies", limit=200, order_by=[("name", "DescNullsLast")], cursor=first.end_cursor
    )
    assert second.records[0]["name"] == "Co 299"


async def test_1000_records_in_17_requests(fake_twenty_empty, empty_client: TwentyClient) -> None:
    records = [{"name": f"Bulk {i}", "employees": i} for i in range(1000)]
    created = await empty_client.batch_create("companies", records)
    assert len(created) == 1000
    assert count(fake_twenty_empty, "POST", "/rest/batch/companies") == 17
    assert len(fake_twenty_empty.requests) == 17
    assert len(fake_twenty_empty.records("companies")) == 1000


async def test_filter_builder_reaches_the_server(client: TwentyClient) -> None:
    ada = await client.create_record(
        "people", {"name": {"firstName": "Ada", "lastName": "O'Hara"}, "jobTitle": "Analyst"}
    )
    page = await client.list_records(
        "people", filter=F("name.firstName").eq("Ada") & F("name.lastName").eq("O'Hara"), depth=0
    )
    assert [r["id"] for r in page.records] == [ada["id"]]
    none = await client.list_records("people", filter=F("name.lastName").eq("Nobody-like-this"))
    assert none.records == [] and none.total_count == 0


async def test_crud_and_soft_delete_by_default(fake_twenty, client: TwentyClient) -> None:
    rec = await client.create_record("companies", {"name": "Soft Co"})
    assert (await client.get_record("companies", rec["id"]))["name"] == "Soft Co"
    assert (await client.update_record("companies", rec["id"], {"employees": 7}))["employees"] == 7

    deleted = await client.delete_record("companies", rec["id"])
    assert deleted["deletedAt"] is not None
    assert any(r.method == "DELETE" for r in fake_twenty.requests)
    with pytest.raises(TwentyNotFoundError):
        await client.get_record("companies", rec["id"])

    restored = await client.restore_records("companies", F("id").eq(rec["id"]))
    assert [r["id"] for r in restored] == [rec["id"]] and restored[0]["deletedAt"] is None
    assert (await client.get_record("companies", rec["id"]))["deletedAt"] is None


async def test_destroy_needs_confirm_and_restore_needs_a_filter(fake_twenty, client: TwentyClient) -> None:
    rec = await client.create_record("companies", {"name": "Keep me"})
    before = len(fake_twenty.requests)
    with pytest.raises(ValueError, match="confirm=True"):
        await client.destroy_record("companies", rec["id"])
    with pytest.raises(ValueError, match="confirm=True"):
        await client.destroy_record("companies", rec["id"], confirm="yes")  # type: ignore[arg-type]
    for empty in (None, "", "   "):
        with pytest.raises(ValueError, match="restores every soft-deleted record"):
            await client.restore_records("companies", empty)
    assert len(fake_twenty.requests) == before  # nothing was sent

    gone = await client.destroy_record("companies", rec["id"], confirm=True)
    assert gone["id"] == rec["id"]
    with pytest.raises(TwentyNotFoundError):
        await client.get_record("companies", rec["id"])
    with pytest.raises(TwentyNotFoundError):  # not restorable: it was destroyed
        await client.get_record("companies", rec["id"])
    assert await client.restore_records("companies", F("id").eq(rec["id"])) == []


async def test_duplicates_merge_and_group_by(client: TwentyClient) -> None:
    a = await client.create_record(
        "companies", {"name": "Twin Co", "domainName": {"primaryLinkUrl": "https://twin.example"}}
    )
    b = await client.create_record(
        "companies", {"name": "Twin Co", "domainName": {"primaryLinkUrl": "https://twin2.example"}}
    )
    dups = await client.find_duplicates("companies", ids=[a["id"]])
    assert len(dups) == 1 and b["id"] in [d["id"] for d in dups[0]]
    by_data = await client.find_duplicates("companies", data=[{"name": "Twin Co"}])
    assert {a["id"], b["id"]} <= {d["id"] for d in by_data[0]}
    with pytest.raises(ValueError, match="exactly one"):
        await client.find_duplicates("companies", ids=[a["id"]], data=[{"name": "x"}])

    preview = await client.merge_records("companies", [a["id"], b["id"]], dry_run=True)
    assert preview["name"] == "Twin Co"
    await client.get_record("companies", b["id"])  # dry run changed nothing
    merged = await client.merge_records("companies", [a["id"], b["id"]])
    assert merged["id"] == a["id"]
    with pytest.raises(TwentyNotFoundError):
        await client.get_record("companies", b["id"])

    rows = await client.group_by(
        "opportunities", ["stage"], aggregate=["totalCount", "sumAmountAmountMicros"]
    )
    assert rows and all("groupByDimensionValues" in r and "totalCount" in r for r in rows)
    total = sum(int(r["totalCount"]) for r in rows)
    assert total == (await client.list_records("opportunities", limit=1)).total_count


async def test_user_session_needed_for_blocklist_writes(fake_twenty) -> None:
    member = "20202020-0687-4c41-b707-ed1bfca972a7"
    async with make_client(fake_twenty) as with_key:
        with pytest.raises(TwentyUserSessionRequired) as err:
            await with_key.create_record(
                "blocklists", {"handle": "spam@example.com", "workspaceMemberId": member}
            )
    assert "User id is required" in str(err.value) and "TwentyClient.login" in str(err.value)
    async with make_client(fake_twenty, api_key=None, access_token=fake_twenty.user_token) as as_user:
        assert as_user.is_user_session and as_user.pacer is None
        rec = await as_user.create_record(
            "blocklists", {"handle": "spam@example.com", "workspaceMemberId": member}
        )
        assert rec["handle"] == "spam@example.com"


async def test_bad_arguments_fail_before_any_request(fake_twenty, client: TwentyClient) -> None:
    before = len(fake_twenty.requests)
    with pytest.raises(ValueError, match="page cap of 200"):
        await client.list_records("people", limit=500)
    with pytest.raises(ValueError, match="depth must be 0 or 1"):
        await client.list_records("people", depth=2)
    with pytest.raises(ValueError, match="plural API name"):
        await client.list_records("people/../metadata")
    with pytest.raises(ValueError, match="at least 2"):
        await client.merge_records("companies", ["x"])
    with pytest.raises(TypeError, match="must be a dict"):
        await client.create_record("companies", ["x"])  # type: ignore[arg-type]
    assert len(fake_twenty.requests) == before
