"""A loopback stand-in for Twenty 2.21's `/metadata` auth mutations, for the bootstrap flow.

Shapes: getRoles / createApiKey / generateApiKeyToken answer exactly as contract examples 142,
144 and 145 (and 143 / 145b for their errors); signUp, signUpInNewWorkspace,
getAuthTokensFromLoginToken and activateWorkspace answer in the shapes of the captured /metadata
introspection (AvailableWorkspacesAndAccessTokens, SignUp, AuthTokens, Workspace).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

AGNOSTIC = "agnostic-token-111"
LOGIN = "login-token-222"
ACCESS = "access-token-333"
KEY_JWT = "eyJhbGciOiJIUzI1NiJ9.api-key-token-444"
WORKSPACE_ID = "0f1e2d3c-0000-4000-8000-000000000001"
ADMIN_ROLE = "cfbccbd8-2e50-49fd-a288-e822961e250c"
ROLES = [  # example 142
    {
        "id": ADMIN_ROLE,
        "label": "Admin",
        "canBeAssignedToApiKeys": True,
        "canBeAssignedToUsers": True,
        "isEditable": False,
    },
    {
        "id": "9eecef37-ebac-42d1-83d4-9e16c82d8520",
        "label": "Guest",
        "canBeAssignedToApiKeys": False,
        "canBeAssignedToUsers": True,
        "isEditable": True,
    },
    {
        "id": "d13b7583-57d1-41ac-92b2-a3674a587db9",
        "label": "Object-restricted",
        "canBeAssignedToApiKeys": True,
        "canBeAssignedToUsers": True,
        "isEditable": True,
    },
]
FORBIDDEN = {  # example 145b
    "errors": [
        {
            "message": "This endpoint requires a session access token",
            "extensions": {
                "subCode": "FORBIDDEN_EXCEPTION",
                "userFriendlyMessage": "You do not have permission to perform this action.",
                "code": "FORBIDDEN",
            },
        }
    ],
    "data": None,
}


def _token(auth: str | None) -> str | None:
    return auth.removeprefix("Bearer ") if auth else None


def answer(
    query: str, variables: dict[str, Any], auth: str | None, log: list[tuple[str, str | None]]
) -> tuple[int, dict]:
    token = _token(auth)
    for op, needs in (
        ("signUpInNewWorkspace", AGNOSTIC),
        ("signUp", None),
        ("getAuthTokensFromLoginToken", None),
        ("activateWorkspace", ACCESS),
        ("getRoles", ACCESS),
        ("createApiKey", ACCESS),
        ("generateApiKeyToken", ACCESS),
    ):
        if f"{op}(" in query or f"{op} {{" in query:
            log.append((op, token))
            if needs is not None and token != needs:
                return 200, FORBIDDEN
            break
    else:
        return 400, {"errors": [{"message": "unknown operation"}]}
    if op == "signUp":
        return 200, {"data": {"signUp": {"tokens": {"accessOrWorkspaceAgnosticToken": {"token": AGNOSTIC}}}}}
    if op == "signUpInNewWorkspace":
        urls = {"subdomainUrl": "https://crm.stage.example.test/", "customUrl": None}
        return 200, {
            "data": {
                "signUpInNewWorkspace": {
                    "loginToken": {"token": LOGIN},
                    "workspace": {"id": WORKSPACE_ID, "workspaceUrls": urls},
                }
            }
        }
    if op == "getAuthTokensFromLoginToken":
        if variables.get("loginToken") != LOGIN or not variables.get("origin"):
            return 200, {
                "errors": [
                    {"message": "Token is not valid for this workspace", "extensions": {"code": "FORBIDDEN"}}
                ],
                "data": None,
            }
        return 200, {
            "data": {
                "getAuthTokensFromLoginToken": {
                    "tokens": {"accessOrWorkspaceAgnosticToken": {"token": ACCESS}}
                }
            }
        }
    if op == "activateWorkspace":
        return 200, {"data": {"activateWorkspace": {"id": WORKSPACE_ID, "activationStatus": "ACTIVE"}}}
    if op == "getRoles":
        return 200, {"data": {"getRoles": ROLES}}
    if op == "createApiKey":
        data = variables["input"]
        if "roleId" not in data:  # example 143
            return 400, {
                "errors": [
                    {
                        "message": 'Field "roleId" of required type "UUID!" was not provided.',
                        "extensions": {"http": {"status": 400}, "code": "BAD_USER_INPUT"},
                    }
                ]
            }
        return 200, {
            "data": {
                "createApiKey": {
                    "id": "c3aea340-1954-4dbb-8734-32521f3c6337",
                    "name": data["name"],
                    "expiresAt": data["expiresAt"],
                    "revokedAt": None,
                    "createdAt": "2026-11-22T03:56:13.850Z",
                }
            }
        }
    return 200, {"data": {"generateApiKeyToken": {"token": KEY_JWT}}}


class FakeMetadata:
    def __init__(self) -> None:
        self.log: list[tuple[str, str | None]] = []
        self.roles_seen: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/metadata":
                    status, payload = (
                        404,
                        {"statusCode": 404, "messages": ["Not found"], "error": "NOT_FOUND"},
                    )
                else:
                    status, payload = answer(
                        body["query"],
                        body.get("variables") or {},
                        self.headers.get("Authorization"),
                        outer.log,
                    )
                    if "createApiKey" in body["query"]:
                        outer.roles_seen.append((body.get("variables") or {}).get("input", {}).get("roleId"))
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeMetadata:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
