"""The fake's /graphql and /metadata behaviour over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx

from tests.fake_twenty import FakeTwenty


def _gql(
    fake: FakeTwenty,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    endpoint: str = "graphql",
    token: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token or fake.api_key}"}
    return httpx.post(
        f"{fake.base_url}/{endpoint}",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=10,
    )


def test_graphql_list_filter_cursor_and_aggregates(fake_twenty: FakeTwenty) -> None:
    query = """query($f: OpportunityFilterInput, $after: String) {
      opportunities(filter: $f, first: 2, after: $after, orderBy: [{name: AscNullsFirst}]) {
        totalCount sumAmountAmountMicros pageInfo { hasNextPage endCursor }
        edges { node { id name stage } } } }"""
    first = _gql(fake_twenty, query, {"f": {"stage": {"eq": "MEETING"}}}).json()["data"]["opportunities"]
    meeting = [o for o in fake_twenty.records("opportunities") if o["stage"] == "MEETING"]
    assert first["totalCount"] == len(meeting)
    assert first["sumAmountAmountMicros"] == sum(o["amount"]["amountMicros"] or 0 for o in meeting)
    second = _gql(
        fake_twenty, query, {"f": {"stage": {"eq": "MEETING"}}, "after": first["pageInfo"]["endCursor"]}
    )
    names = [e["node"]["name"] for e in first["edges"] + second.json()["data"]["opportunities"]["edges"]]
    assert names == sorted(o["name"] for o in meeting)[:4]


def test_graphql_mutations_and_unknown_filter_error(fake_twenty: FakeTwenty) -> None:
    created = _gql(
        fake_twenty,
        "mutation($d: CompanyCreateInput!){ createCompany(data:$d){ id name } }",
        {"d": {"name": "GQL Co"}},
    ).json()["data"]["createCompany"]
    deleted = _gql(
        fake_twenty, "mutation($id: UUID!){ deleteCompany(id:$id){ deletedAt } }", {"id": created["id"]}
    )
    assert deleted.json()["data"]["deleteCompany"]["deletedAt"]
    restored = _gql(
        fake_twenty, "mutation($id: UUID!){ restoreCompany(id:$id){ deletedAt } }", {"id": created["id"]}
    )
    assert restored.json()["data"]["restoreCompany"]["deletedAt"] is None
    bad = _gql(fake_twenty, "{ companies(filter: { notAField: { eq: 1 } }) { edges { node { id } } } }")
    assert bad.status_code == 200
    assert bad.json()["data"] == {"companies": None}
    assert bad.json()["errors"][0]["extensions"]["subCode"] == "INVALID_ARGS_FILTER"


def test_graphql_rate_limit_is_an_error_with_200(fake_twenty: FakeTwenty) -> None:
    fake_twenty.rate_limit_enabled = True
    fake_twenty.runtime.limiter.capacity = 1
    fake_twenty.runtime.limiter.reset()
    _gql(fake_twenty, "{ companies(first:1){ edges { node { id } } } }")
    limited = _gql(fake_twenty, "{ companies(first:1){ edges { node { id } } } }")
    assert limited.status_code == 200
    assert limited.json()["errors"][0]["extensions"]["subCode"] == "LIMIT_REACHED"
    fake_twenty.runtime.limiter.capacity = 100


def test_workflow_mutations_refuse_api_keys_and_run_for_users(fake_twenty: FakeTwenty) -> None:
    with httpx.Client(base_url=fake_twenty.base_url, timeout=10) as client:
        wf = client.post(
            "/rest/workflows",
            json={"name": "wf"},
            headers={"Authorization": f"Bearer {fake_twenty.user_token}"},
        ).json()["data"]["createWorkflow"]
        versions = client.get(
            "/rest/workflowVersions",
            params={"filter": f'workflowId[eq]:"{wf["id"]}"'},
            headers={"Authorization": f"Bearer {fake_twenty.api_key}"},
        ).json()
    version_id = versions["data"]["workflowVersions"][0]["id"]
    # 2.21 activates only a version with a trigger (assert-version-can-be-activated.util.ts)
    trigger = {"type": "WEBHOOK", "settings": {"outputSchema": {}, "httpMethod": "POST", "expectedBody": {}}}
    patched = httpx.patch(
        f"{fake_twenty.base_url}/rest/workflowVersions/{version_id}",
        json={"trigger": trigger},
        headers={"Authorization": f"Bearer {fake_twenty.user_token}"},
        timeout=10,
    )
    assert patched.status_code == 200, patched.text
    # ... and at least one step (same util, assertVersionIsValid)
    step = "mutation($i: CreateWorkflowVersionStepInput!){ createWorkflowVersionStep(input:$i){ stepsDiff } }"
    made = _gql(fake_twenty, step, {"i": {"workflowVersionId": version_id, "stepType": "EMPTY"}},
                token=fake_twenty.user_token).json()  # fmt: skip
    assert made["data"]["createWorkflowVersionStep"]["stepsDiff"], made
    activate = "mutation($id: UUID!){ activateWorkflowVersion(workflowVersionId:$id) }"
    refused = _gql(fake_twenty, activate, {"id": version_id}).json()
    assert refused["data"] is None and refused["errors"][0]["message"] == "Forbidden resource"
    assert _gql(fake_twenty, activate, {"id": version_id}, token=fake_twenty.user_token).json() == {
        "data": {"activateWorkflowVersion": True}
    }
    run = httpx.post(
        f"{fake_twenty.base_url}/webhooks/workflows/20202020-1c25-4d02-bf25-6aeccf7ea419/{wf['id']}",
        json={"x": 1},
        timeout=10,
    )
    assert run.status_code == 201 and run.json()["success"] is True
    assert any(r["id"] == run.json()["workflowRunId"] for r in fake_twenty.records("workflowRuns"))


def test_login_flow_yields_a_working_user_token(fake_twenty: FakeTwenty) -> None:
    login = _gql(
        fake_twenty,
        """mutation($e: String!, $p: String!, $o: String!) {
        getLoginTokenFromCredentials(email:$e, password:$p, origin:$o) { loginToken { token } } }""",
        {"e": fake_twenty.user_email, "p": fake_twenty.user_password, "o": "http://localhost"},
        endpoint="metadata",
        token="",
    )
    login_token = login.json()["data"]["getLoginTokenFromCredentials"]["loginToken"]["token"]
    tokens = _gql(
        fake_twenty,
        """mutation($t: String!, $o: String!) { getAuthTokensFromLoginToken(
        loginToken:$t, origin:$o) { tokens { accessOrWorkspaceAgnosticToken { token } } } }""",
        {"t": login_token, "o": "http://localhost"},
        endpoint="metadata",
        token="",
    )
    access = tokens.json()["data"]["getAuthTokensFromLoginToken"]["tokens"]["accessOrWorkspaceAgnosticToken"][
        "token"
    ]
    resp = httpx.post(
        f"{fake_twenty.base_url}/rest/blocklists",
        json={"handle": "x@spam.example"},
        headers={"Authorization": f"Bearer {access}"},
        timeout=10,
    )
    assert resp.status_code == 201
    wrong = _gql(
        fake_twenty,
        """mutation { getLoginTokenFromCredentials(email:"tim@apple.dev", password:"no",
        origin:"x") { loginToken { token } } }""",
        endpoint="metadata",
        token="",
    )
    assert wrong.json()["data"] is None


def test_metadata_validates_documents(fake_twenty: FakeTwenty) -> None:
    body = _gql(
        fake_twenty, "{ objects(paging:{first:1}) { edges { node { isCustomX } } } }", endpoint="metadata"
    ).json()
    assert body["errors"][0]["message"].startswith('Cannot query field "isCustomX" on type "Object"')


def test_custom_object_becomes_listable(fake_twenty: FakeTwenty) -> None:
    with httpx.Client(
        base_url=fake_twenty.base_url, timeout=10, headers={"Authorization": f"Bearer {fake_twenty.api_key}"}
    ) as client:
        obj = client.post(
            "/rest/metadata/objects",
            json={
                "nameSingular": "lead",
                "namePlural": "leads",
                "labelSingular": "Lead",
                "labelPlural": "Leads",
            },
        )
        assert obj.status_code == 201
        object_id = obj.json()["data"]["createOneObject"]["id"]
        field = client.post(
            "/rest/metadata/fields",
            json={"objectMetadataId": object_id, "type": "NUMBER", "name": "score", "label": "Score"},
        )
        assert field.status_code == 201
        assert client.post("/rest/leads", json={"name": "L", "score": 3}).status_code == 201
        assert client.get("/rest/leads").json()["totalCount"] == 1


class _Listener(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []  # noqa: RUF012 - shared by the handler instances

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhook_delivery_is_signed_like_2_21(fake_twenty: FakeTwenty) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Listener.received = []
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        with httpx.Client(
            base_url=fake_twenty.base_url,
            timeout=10,
            headers={"Authorization": f"Bearer {fake_twenty.api_key}"},
        ) as client:
            client.post(
                "/rest/metadata/webhooks",
                json={"targetUrl": url, "operations": ["person.*"], "secret": "s3cret"},
            )
            client.post("/rest/people", json={"name": {"firstName": "Hook"}})
        for _ in range(100):
            if _Listener.received:
                break
            threading.Event().wait(0.05)
    finally:
        server.shutdown()
    headers, body = _Listener.received[0]
    stamp = headers["X-Twenty-Webhook-Timestamp"]
    expected = hmac.new(b"s3cret", f"{stamp}:{body.decode()}".encode(), hashlib.sha256).hexdigest()
    assert headers["X-Twenty-Webhook-Signature"] == expected
    assert json.loads(body)["eventName"] == "person.created"


def test_introspection_answers_from_the_captured_schemas(fake_twenty: FakeTwenty) -> None:
    core = _gql(fake_twenty, "{ __schema { queryType { name } types { name } } }").json()["data"]["__schema"]
    assert core["queryType"] == {"name": "Query"}
    assert "Company" in {t["name"] for t in core["types"]}
    meta = _gql(fake_twenty, '{ __type(name: "Webhook") { fields { name } } }', endpoint="metadata").json()
    assert "targetUrl" in {f["name"] for f in meta["data"]["__type"]["fields"]}


def test_sign_up_then_workspace_then_api_key(fake_twenty_empty: FakeTwenty) -> None:
    fake = fake_twenty_empty
    signed = _gql(
        fake,
        """mutation($e: String!, $p: String!) { signUp(email:$e, password:$p) {
        tokens { accessOrWorkspaceAgnosticToken { token } } } }""",
        {"e": "ops@example.com", "p": "pw"},
        endpoint="metadata",
        token="",
    ).json()
    agnostic = signed["data"]["signUp"]["tokens"]["accessOrWorkspaceAgnosticToken"]["token"]
    ws = _gql(
        fake,
        "mutation { signUpInNewWorkspace(input:{}) { loginToken { token } workspace { id } } }",
        endpoint="metadata",
        token=agnostic,
    ).json()["data"]["signUpInNewWorkspace"]
    tokens = _gql(
        fake,
        """mutation($t: String!) { getAuthTokensFromLoginToken(loginToken:$t, origin:"x") {
        tokens { accessOrWorkspaceAgnosticToken { token } } } }""",
        {"t": ws["loginToken"]["token"]},
        endpoint="metadata",
        token="",
    ).json()
    access = tokens["data"]["getAuthTokensFromLoginToken"]["tokens"]["accessOrWorkspaceAgnosticToken"][
        "token"
    ]
    role = _gql(fake, "{ getRoles { id label } }", endpoint="metadata", token=access).json()["data"][
        "getRoles"
    ][0]
    key = _gql(
        fake,
        """mutation($i: CreateApiKeyInput!) { createApiKey(input:$i) { id } }""",
        {"i": {"name": "deploy", "expiresAt": "2030-01-01T00:00:00Z", "roleId": role["id"]}},
        endpoint="metadata",
        token=access,
    ).json()["data"]["createApiKey"]
    minted = _gql(
        fake,
        """mutation($id: UUID!) { generateApiKeyToken(apiKeyId:$id, expiresAt:"2030-01-01") {
        token } }""",
        {"id": key["id"]},
        endpoint="metadata",
        token=access,
    ).json()
    api_key = minted["data"]["generateApiKeyToken"]["token"]
    listed = httpx.get(
        f"{fake.base_url}/rest/companies", headers={"Authorization": f"Bearer {api_key}"}, timeout=10
    )
    assert listed.status_code == 200
