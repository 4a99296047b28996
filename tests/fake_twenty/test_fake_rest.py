"""Behaviour of the fake's REST core over real HTTP (the contract suite checks shapes)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.fake_twenty import FakeTwenty


def _client(fake: FakeTwenty, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token or fake.api_key}"}
    return httpx.Client(base_url=fake.base_url, headers=headers, timeout=10)


def test_missing_token_is_403_as_captured(fake_twenty: FakeTwenty) -> None:
    resp = httpx.get(f"{fake_twenty.base_url}/rest/companies?limit=1")
    assert resp.status_code == 403
    assert resp.json() == {
        "statusCode": 403,
        "messages": ["Missing authentication token"],
        "error": "FORBIDDEN_EXCEPTION",
    }
    assert fake_twenty.requests[-1].auth_kind == "none"


def test_bad_token_is_refused(fake_twenty: FakeTwenty) -> None:
    with _client(fake_twenty, "not-a-key") as client:
        resp = client.get("/rest/companies")
    assert resp.status_code == 401
    assert fake_twenty.requests[-1].auth_kind == "invalid"


def test_list_filter_order_limit_and_cursor(fake_twenty: FakeTwenty) -> None:
    with _client(fake_twenty) as client:
        first = client.get("/rest/companies", params={"limit": 2, "order_by": "name[AscNullsFirst]"}).json()
        names = [c["name"] for c in first["data"]["companies"]]
        assert names == ["2020", "3Pillar Global"]
        assert first["totalCount"] == 599
        assert first["pageInfo"]["hasNextPage"] is True
        second = client.get(
            "/rest/companies",
            params={
                "limit": 2,
                "order_by": "name[AscNullsFirst]",
                "starting_after": first["pageInfo"]["endCursor"],
            },
        ).json()
        assert [c["name"] for c in second["data"]["companies"]] == ["6sense", "ACS Technologies"]
        capped = client.get("/rest/companies", params={"limit": 201}).json()
        assert len(capped["data"]["companies"]) == 200
        bad = client.get("/rest/companies", params={"limit": "abc"})
        assert bad.status_code == 400
        assert bad.json()["messages"] == ["limit 'abc' is invalid. Should be an integer"]


def _jefferys(fake: FakeTwenty) -> int:
    return sum(1 for p in fake.records("people") if p["name"]["firstName"] == "Jeffery")


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ('and(name.firstName[eq]:"Jeffery",name.lastName[eq]:"Griffin")', lambda f: 1),
        ('or(name.firstName[eq]:"Jeffery",name.firstName[eq]:"Nobody")', _jefferys),
        (
            'id[in]:["20202020-b000-4485-94de-70c2a98daef2","00000000-0000-4000-8000-000000000000"]',
            lambda f: 1,
        ),
        ('not(name.firstName[neq]:"Jeffery")', _jefferys),
        ('name.firstName[ilike]:"jEFFERY"', _jefferys),
    ],
)
def test_filter_grammar(fake_twenty: FakeTwenty, flt: str, expected) -> None:
    with _client(fake_twenty) as client:
        body = client.get("/rest/people", params={"filter": flt}).json()
    assert body["totalCount"] == expected(fake_twenty) > 0


def test_create_update_soft_delete_restore_destroy(fake_twenty: FakeTwenty) -> None:
    with _client(fake_twenty) as client:
        created = client.post("/rest/companies", json={"name": "Fake Co", "employees": 3})
        assert created.status_code == 201
        cid = created.json()["data"]["createCompany"]["id"]
        upd = client.patch(f"/rest/companies/{cid}", json={"employees": 4}).json()
        assert upd["data"]["updateCompany"]["employees"] == 4
        soft = client.delete(f"/rest/companies/{cid}", params={"soft_delete": "true"}).json()
        assert soft["data"]["deleteCompany"]["deletedAt"]
        assert client.get(f"/rest/companies/{cid}").status_code == 404
        deleted = client.get("/rest/companies", params={"filter": "deletedAt[is]:NOT_NULL"}).json()
        assert [c["id"] for c in deleted["data"]["companies"]] == [cid]
        one = client.patch(f"/rest/restore/companies/{cid}")
        assert one.status_code == 400
        restored = client.patch("/rest/restore/companies", params={"filter": f'id[eq]:"{cid}"'}).json()
        assert restored["data"]["restoreCompanies"][0]["deletedAt"] is None
        gone = client.delete(f"/rest/companies/{cid}").json()
        assert gone == {"data": {"deleteCompany": {"id": cid}}}
    assert all(c["id"] != cid for c in fake_twenty.records("companies"))


def test_batch_create_is_not_capped(fake_twenty_empty: FakeTwenty) -> None:
    with _client(fake_twenty_empty) as client:
        resp = client.post("/rest/batch/companies", json=[{"name": f"c{i}"} for i in range(101)])
    assert resp.status_code == 201
    assert len(resp.json()["data"]["createCompanies"]) == 101
    assert len(fake_twenty_empty.records("companies")) == 101


def test_state_is_fresh_per_test(fake_twenty: FakeTwenty) -> None:
    assert all(c["name"] != "Fake Co" for c in fake_twenty.records("companies"))
    assert fake_twenty.rate_limit_enabled is False


def test_rate_limit_answers_429_without_retry_after(fake_twenty: FakeTwenty) -> None:
    fake_twenty.set_rate_limit(capacity=3, window_seconds=60)
    with _client(fake_twenty) as client:
        statuses = [client.get("/rest/companies", params={"limit": 1}) for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        assert "retry-after" not in statuses[-1].headers
        assert statuses[-1].json()["messages"] == ["Limit reached (3 tokens per 60000 ms)"]
        user = client.get("/rest/companies", headers={"Authorization": f"Bearer {fake_twenty.user_token}"})
        assert user.status_code == 200  # only API keys are throttled


def test_faults_fail_drop_and_latency(fake_twenty: FakeTwenty) -> None:
    fake_twenty.faults.fail_next(503, 2)
    with _client(fake_twenty) as client:
        assert client.get("/rest/companies?limit=1").status_code == 503
        assert client.get("/rest/companies?limit=1").status_code == 503
        assert client.get("/rest/companies?limit=1").status_code == 200
        fake_twenty.faults.drop_next(1)
        with pytest.raises(httpx.TransportError):
            client.get("/rest/companies?limit=1")
        assert client.get("/rest/companies?limit=1").status_code == 200


def test_drop_after_processing_still_creates(fake_twenty_empty: FakeTwenty) -> None:
    fake_twenty_empty.faults.drop_next(1, after_processing=True)
    with _client(fake_twenty_empty) as client, pytest.raises(httpx.TransportError):
        client.post("/rest/companies", json={"name": "ambiguous"})
    assert [c["name"] for c in fake_twenty_empty.records("companies")] == ["ambiguous"]


def test_open_api_documents(fake_twenty: FakeTwenty) -> None:
    with _client(fake_twenty) as client:
        core = client.get("/rest/open-api/core")
        assert core.status_code == 200 and "/companies" in core.json()["paths"]
    stub = httpx.get(f"{fake_twenty.base_url}/rest/open-api/core", timeout=10)
    assert stub.status_code == 200 and stub.json() != core.json()
    by_query = httpx.get(f"{fake_twenty.base_url}/rest/open-api/core?token={fake_twenty.api_key}", timeout=10)
    assert by_query.status_code == 403


def test_twenty_own_mcp_runs_find_many(fake_twenty: FakeTwenty) -> None:
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": "execute_tool",
            "arguments": {"toolName": "find_many_companies", "arguments": {"limit": 2, "select": ["name"]}},
        },
    }
    with _client(fake_twenty) as client:
        answer = client.post("/mcp", json=call, headers={"Accept": "application/json"}).json()
    payload = json.loads(answer["result"]["content"][0]["text"])
    assert payload["success"] is True
    assert [set(r) for r in payload["records"]] == [{"id", "name"}, {"id", "name"}]
