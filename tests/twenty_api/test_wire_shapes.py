"""The requests the client sends look like the captured ones (shared/twenty-api/examples).

A recording transport answers with the captured response and keeps the request; these are
request-shape checks only — behaviour is tested over real HTTP against the fake."""

import json
from urllib.parse import unquote

import httpx
import pytest

from tests.fake_twenty import contract_data
from twenty_api import F, TwentyClient

pytestmark = pytest.mark.anyio


def _example(prefix: str) -> dict:
    return contract_data.example_by_prefix(f"{prefix}-")


class Recorder:
    def __init__(self, example: dict) -> None:
        self.example = example
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return httpx.Response(
            self.example["status"],
            content=self.example["response_body_raw"].encode(),
            headers={"content-type": self.example["response_content_type"]},
        )


def _client(rec: Recorder, **kw) -> TwentyClient:
    kw.setdefault("api_key", "k")
    return TwentyClient("http://127.0.0.1:3000", transport=httpx.MockTransport(rec), rate_limit=None, **kw)


def _path_and_query(request: httpx.Request) -> str:
    return request.url.raw_path.decode()


def _same_query(sent: str, captured: str) -> None:
    s_path, _, s_query = sent.partition("?")
    c_path, _, c_query = captured.partition("?")
    assert s_path == c_path
    assert sorted(unquote(p) for p in s_query.split("&") if p) == sorted(
        unquote(p) for p in c_query.split("&") if p
    )


@pytest.mark.parametrize(
    ("prefix", "call"),
    [
        (
            "001",
            lambda c: c.list_records(
                "companies", filter=F("name").ilike("%a%"), limit=2, order_by=[("name", "AscNullsFirst")]
            ),
        ),
        (
            "026",
            lambda c: c.list_records(
                "people",
                filter=F("name.firstName").eq("Ada") & F("jobTitle").eq("Analyst"),
                depth=0,
                limit=None,
            ),
        ),
        ("005", lambda c: c.delete_record("companies", "90ef8a31-1cd4-46bd-b551-2c15f83c7706")),
        (
            "039c",
            lambda c: c.destroy_record("companies", "7daef436-c611-45c3-9613-624df00bc383", confirm=True),
        ),
        (
            "043b",
            lambda c: c.restore_records("companies", F("id").eq("f7708176-e4aa-4977-bd14-27188e20f387")),
        ),
        (
            "046",
            lambda c: c.group_by(
                "opportunities",
                ["stage"],
                aggregate=["totalCount", "sumAmountAmountMicros", "avgAmountAmountMicros"],
            ),
        ),
        (
            "046b",
            lambda c: c.group_by(
                "people", [{"createdAt": {"granularity": "MONTH", "timeZone": "Europe/Paris"}}]
            ),
        ),
        ("002", lambda c: c.get_record("people", "20202020-b000-4485-94de-70c2a98daef2")),
    ],
)
async def test_rest_urls_match_captures(prefix: str, call) -> None:
    ex = _example(prefix)
    rec = Recorder(ex)
    async with _client(rec) as client:
        await call(client)
    (request,) = rec.requests
    assert request.method == ex["method"]
    _same_query(_path_and_query(request), ex["path"])
    assert request.headers["authorization"] == "Bearer k"


@pytest.mark.parametrize(
    ("prefix", "call"),
    [
        ("003", lambda c: c.create_record("companies", _example("003")["request_body"])),
        ("036", lambda c: c.batch_create("companies", _example("036")["request_body"])),
        ("045b", lambda c: c.merge_records("companies", _example("045b")["request_body"]["ids"])),
        ("045", lambda c: c.merge_records("companies", _example("045")["request_body"]["ids"], dry_run=True)),
        ("044", lambda c: c.find_duplicates("companies", ids=_example("044")["request_body"]["ids"])),
        (
            "130",
            lambda c: c.create_webhook(
                **{
                    "target_url": "http://127.0.0.1:48123/twenty-hook",
                    "operations": ["person.created", "company.*"],
                    "description": "capture listener",
                    "secret": "whsec_capture_test_secret",
                }
            ),
        ),
        (
            "124",
            lambda c: c.create_object(
                "websiteLead",
                "websiteLeads",
                "Website lead",
                "Website leads",
                icon="IconWorld",
                description="Leads captured by the website form",
            ),
        ),
    ],
)
async def test_json_bodies_match_captures(prefix: str, call) -> None:
    ex = _example(prefix)
    rec = Recorder(ex)
    async with _client(rec) as client:
        await call(client)
    (request,) = rec.requests
    assert request.method == ex["method"] and request.url.path == ex["path"]
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == ex["request_body"]


async def test_graphql_body_matches_capture() -> None:
    ex = _example("008")
    rec = Recorder(ex)
    async with _client(rec) as client:
        data = await client.graphql(ex["request_body"]["query"], ex["request_body"]["variables"])
    assert data == ex["response_body"]["data"]
    assert json.loads(rec.requests[0].content) == ex["request_body"]


async def test_upload_is_a_graphql_multipart_request_like_the_cli() -> None:
    ex = _example("195a")
    captured = ex["request_body"]["multipart"]
    rec = Recorder(ex)
    variables = {k: v for k, v in captured["operations"]["variables"].items() if k != "file"}
    async with _client(rec) as client:
        data = await client.graphql_upload(
            captured["operations"]["query"],
            variables,
            {"variables.file": ("hello-sync.mjs", b"x" * 1481, "application/octet-stream")},
        )
    assert data == ex["response_body"]["data"]
    request = rec.requests[0]
    assert request.url.path == "/metadata"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.content
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    parts = [p for p in body.split(b"--" + boundary) if p.strip() not in (b"", b"--")]
    names = [p.split(b'name="')[1].split(b'"')[0].decode() for p in parts]
    assert names == ["operations", "map", "0"]  # the spec's order
    operations = json.loads(parts[0].split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n"))
    assert operations == captured["operations"]
    assert json.loads(parts[1].split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n")) == captured["map"]
    assert b'filename="hello-sync.mjs"' in parts[2]


async def test_login_sends_the_two_2_21_mutations() -> None:
    answers = iter(
        [
            {"data": {"getLoginTokenFromCredentials": {"loginToken": {"token": "LT", "expiresAt": "x"}}}},
            {
                "data": {
                    "getAuthTokensFromLoginToken": {
                        "tokens": {"accessOrWorkspaceAgnosticToken": {"token": "ACCESS", "expiresAt": "x"}}
                    }
                }
            },
        ]
    )
    sent: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        assert "authorization" not in request.headers
        return httpx.Response(200, json=next(answers))

    client = await TwentyClient.login(
        "https://crm.example.com/rest", "tim@apple.dev", "pw", transport=httpx.MockTransport(handler)
    )
    assert client.is_user_session and client.pacer is None
    assert "getLoginTokenFromCredentials" in sent[0]["query"]
    assert sent[0]["variables"] == {
        "email": "tim@apple.dev",
        "password": "pw",
        "origin": "https://crm.example.com",
    }
    assert "getAuthTokensFromLoginToken" in sent[1]["query"]
    assert sent[1]["variables"] == {"loginToken": "LT", "origin": "https://crm.example.com"}
    await client.aclose()


async def test_redirects_are_not_followed_and_say_what_to_fix() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(301, headers={"location": "https://elsewhere.example/rest/people"})

    async with TwentyClient(
        "http://127.0.0.1:3000", api_key="k", transport=httpx.MockTransport(handler), rate_limit=None
    ) as client:
        with pytest.raises(Exception, match="redirect") as err:
            await client.list_records("people")
    assert "TWENTY_API_URL" in str(err.value) and "elsewhere.example" in str(err.value)
    assert len(calls) == 1


def _login_answers(access: str, refresh: str) -> list[dict]:
    return [
        {"data": {"getLoginTokenFromCredentials": {"loginToken": {"token": "LT", "expiresAt": "x"}}}},
        {
            "data": {
                "getAuthTokensFromLoginToken": {
                    "tokens": {
                        "accessOrWorkspaceAgnosticToken": {"token": access, "expiresAt": "x"},
                        "refreshToken": {"token": refresh, "expiresAt": "x"},
                    }
                }
            }
        },
    ]


async def test_an_expired_user_session_renews_itself_once() -> None:
    seen: list[tuple[str, str | None, dict | None]] = []
    expired = {"statusCode": 401, "error": "UnauthorizedException", "messages": ["Token has expired."]}

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        seen.append((request.url.path, request.headers.get("authorization"), body))
        if request.url.path == "/metadata" and "renewToken" in body["query"]:
            assert body["variables"] == {"appToken": "REFRESH-1"}
            return httpx.Response(
                200,
                json={
                    "data": {
                        "renewToken": {
                            "tokens": {
                                "accessOrWorkspaceAgnosticToken": {"token": "ACCESS-2", "expiresAt": "x"},
                                "refreshToken": {"token": "REFRESH-2", "expiresAt": "x"},
                            }
                        }
                    }
                },
            )
        if request.url.path == "/metadata":
            return httpx.Response(200, json=answers.pop(0))
        if request.headers["authorization"] == "Bearer ACCESS-1":
            return httpx.Response(401, json=expired)
        return httpx.Response(201, json={"data": {"createBlocklist": {"id": "b1"}}})

    answers = _login_answers("ACCESS-1", "REFRESH-1")
    client = await TwentyClient.login(
        "http://127.0.0.1:3000", "u@x", "pw", transport=httpx.MockTransport(handler)
    )
    async with client:
        rec = await client.create_record("blocklists", {"handle": "spam@example.com"})
    assert rec == {"id": "b1"}
    paths = [(p, a) for p, a, _ in seen[2:]]
    assert paths == [
        ("/rest/blocklists", "Bearer ACCESS-1"),  # refused: expired, nothing processed
        ("/metadata", None),  # renewToken is public: the expired token is not sent
        ("/rest/blocklists", "Bearer ACCESS-2"),
    ]


async def test_a_refused_renewal_says_to_log_in_again() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        if request.url.path == "/metadata" and "renewToken" in body["query"]:
            return httpx.Response(
                200,
                json={
                    "errors": [
                        {"message": "Refresh token is invalid", "extensions": {"code": "UNAUTHENTICATED"}}
                    ]
                },
            )
        if request.url.path == "/metadata":
            return httpx.Response(200, json=answers.pop(0))
        return httpx.Response(
            401, json={"statusCode": 401, "error": "Unauthorized", "messages": ["Token has expired."]}
        )

    answers = _login_answers("A", "R")
    client = await TwentyClient.login(
        "http://127.0.0.1:3000", "u@x", "pw", transport=httpx.MockTransport(handler)
    )
    async with client:
        with pytest.raises(Exception, match="Log in again") as err:
            await client.list_records("people")
    assert "Refresh token is invalid" in str(err.value)
