"""First workspace and a deploy API key on a fresh Twenty 2.21.0, through its GraphQL auth flow.

Followed from the 2.21.0 source (packages/twenty-server/src/engine/core-modules/auth/auth.resolver.ts
and workspace/workspace.resolver.ts) and the captured /metadata schema; the API-key part is
contract examples 142, 144 and 145 verbatim:

1. `signUp(email, password)` (public) → a workspace-agnostic token;
2. `signUpInNewWorkspace` (that token) → a login token and the workspace id + URLs;
3. `getAuthTokensFromLoginToken(loginToken, origin)` (public) → the user's access token
   (origin = the workspace URL; single-workspace servers fall back to the default workspace);
4. `activateWorkspace` (access token) → the workspace is created and ACTIVE;
5. `getRoles` → a role that `canBeAssignedToApiKeys` (Admin for a deploy key);
6. `createApiKey(input:{name, expiresAt, roleId})` → id; 7. `generateApiKeyToken` → the key.
Every call goes to `/metadata` through the shared client (`TwentyClient.graphql(..., endpoint="metadata")`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# (query, variables, bearer token or None) -> the GraphQL `data` object
MetadataCall = Callable[[str, dict[str, Any] | None, str | None], Awaitable[dict[str, Any]]]

SIGN_UP = """mutation SignUp($email: String!, $password: String!) {
  signUp(email: $email, password: $password) {
    tokens { accessOrWorkspaceAgnosticToken { token } }
  }
}"""

SIGN_UP_IN_NEW_WORKSPACE = """mutation SignUpInNewWorkspace($input: SignUpInNewWorkspaceInput) {
  signUpInNewWorkspace(input: $input) {
    loginToken { token }
    workspace { id workspaceUrls { subdomainUrl customUrl } }
  }
}"""

EXCHANGE_LOGIN = """mutation GetAuthTokens($loginToken: String!, $origin: String!) {
  getAuthTokensFromLoginToken(loginToken: $loginToken, origin: $origin) {
    tokens { accessOrWorkspaceAgnosticToken { token } }
  }
}"""

ACTIVATE_WORKSPACE = """mutation ActivateWorkspace($data: ActivateWorkspaceInput!) {
  activateWorkspace(data: $data) { id activationStatus }
}"""

# contract example 142
GET_ROLES = "{ getRoles { id label canBeAssignedToApiKeys canBeAssignedToUsers isEditable } }"
# contract example 144
CREATE_API_KEY = (
    "mutation($input: CreateApiKeyInput!){ createApiKey(input:$input){ "
    "id name expiresAt revokedAt createdAt } }"
)
# contract example 145
MINT_API_KEY = (
    "mutation($id: UUID!, $exp: String!){ generateApiKeyToken(apiKeyId:$id, expiresAt:$exp){ token } }"
)


class BootstrapError(RuntimeError):
    pass


@dataclass(frozen=True)
class Bootstrapped:
    workspace_id: str
    api_key: str
    api_key_id: str
    access_token: str


def _expiry(days: int, now: datetime | None = None) -> str:
    when = (now or datetime.now(UTC)) + timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def pick_api_key_role(roles: list[dict[str, Any]]) -> dict[str, Any]:
    assignable = [r for r in roles if r.get("canBeAssignedToApiKeys")]
    for role in assignable:
        if role.get("label") == "Admin":
            return role
    if assignable:
        return assignable[0]
    raise BootstrapError("no role in the workspace can be assigned to API keys (getRoles)")


async def sign_up_first_workspace(
    call: MetadataCall,
    base_url: str,
    email: str,
    password: str,
    *,
    workspace_name: str,
    on_secret: Callable[[str], object] = lambda _s: None,
) -> tuple[str, str]:
    """Steps 1-4: sign up the first user, create and activate their workspace.
    Returns (workspace id, the user's access token)."""
    data = await call(SIGN_UP, {"email": email, "password": password}, None)
    agnostic = data["signUp"]["tokens"]["accessOrWorkspaceAgnosticToken"]["token"]
    on_secret(agnostic)

    data = await call(SIGN_UP_IN_NEW_WORKSPACE, {"input": {"displayName": workspace_name}}, agnostic)
    signed_up = data["signUpInNewWorkspace"]
    on_secret(signed_up["loginToken"]["token"])
    workspace_id = signed_up["workspace"]["id"]
    urls = signed_up["workspace"].get("workspaceUrls") or {}
    origin = urls.get("customUrl") or urls.get("subdomainUrl") or base_url

    data = await call(
        EXCHANGE_LOGIN,
        {"loginToken": signed_up["loginToken"]["token"], "origin": origin},
        None,
    )
    access = data["getAuthTokensFromLoginToken"]["tokens"]["accessOrWorkspaceAgnosticToken"]["token"]
    on_secret(access)

    data = await call(ACTIVATE_WORKSPACE, {"data": {"displayName": workspace_name}}, access)
    status = data["activateWorkspace"].get("activationStatus")
    if status not in (None, "ACTIVE"):
        raise BootstrapError(f"workspace {workspace_id} is {status} after activateWorkspace, not ACTIVE")
    return workspace_id, access


async def mint_api_key(
    call: MetadataCall,
    access: str,
    *,
    key_name: str = "twenty-gcp deploy",
    key_days: int = 90,
    on_secret: Callable[[str], object] = lambda _s: None,
) -> tuple[str, str, str]:
    """Steps 5-7: an API key with the Admin role (or the first role API keys may have).
    Returns (key id, key, role label)."""
    role = pick_api_key_role((await call(GET_ROLES, None, access))["getRoles"])
    expires = _expiry(key_days)
    data = await call(
        CREATE_API_KEY, {"input": {"name": key_name, "expiresAt": expires, "roleId": role["id"]}}, access
    )
    key_id = data["createApiKey"]["id"]
    data = await call(MINT_API_KEY, {"id": key_id, "exp": expires}, access)
    api_key = data["generateApiKeyToken"]["token"]
    on_secret(api_key)
    return key_id, api_key, str(role.get("label"))


async def bootstrap_workspace(
    call: MetadataCall,
    base_url: str,
    email: str,
    password: str,
    *,
    workspace_name: str,
    key_name: str = "twenty-gcp deploy",
    key_days: int = 90,
    on_secret: Callable[[str], object] = lambda _s: None,
) -> Bootstrapped:
    """Sign up the first user, create + activate their workspace, mint an Admin API key.

    `on_secret` sees every token the moment it arrives, so output masking never lags behind.
    """
    workspace_id, access = await sign_up_first_workspace(
        call, base_url, email, password, workspace_name=workspace_name, on_secret=on_secret
    )
    key_id, api_key, _ = await mint_api_key(call, access, key_name=key_name, key_days=key_days,
                                            on_secret=on_secret)
    return Bootstrapped(
        workspace_id=workspace_id,
        api_key=api_key,
        api_key_id=key_id,
        access_token=access,
    )
