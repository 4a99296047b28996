"""The first workspace and an API key on a fresh Twenty 2.21.0, through its GraphQL auth flow.

Followed from the 2.21.0 source (packages/twenty-server/src/engine/core-modules/auth/auth.resolver.ts
and workspace/workspace.resolver.ts) and the captured /metadata schema; the API-key part is
contract examples 142, 144 and 145 verbatim:

1. ``signUp(email, password)`` (public) → a workspace-agnostic token;
2. ``signUpInNewWorkspace`` (that token) → a login token and the workspace id + URLs;
3. ``getAuthTokensFromLoginToken(loginToken, origin)`` (public) → the user's access token
   (origin = the workspace URL; single-workspace servers fall back to the default workspace);
4. ``activateWorkspace`` (access token) → the workspace is created and ACTIVE;
5. ``getRoles`` → a role that ``canBeAssignedToApiKeys`` (Admin for a deploy key);
6. ``createApiKey(input:{name, expiresAt, roleId})`` → id; 7. ``generateApiKeyToken`` → the key.

Used by ``inv bootstrap`` (deploy/bootstrap.py) and the staging run (staging/cloud.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from twenty_api.agents import GET_ROLES
from twenty_api.errors import TwentyError
from twenty_api.operations import mutation, query
from twenty_api.session import EXCHANGE_LOGIN_TOKEN

if TYPE_CHECKING:
    from twenty_api.client import TwentyClient

SIGN_UP = mutation(
    "signUp",
    "mutation SignUp($email: String!, $password: String!) { signUp(email: $email, password: $password) "
    "{ tokens { accessOrWorkspaceAgnosticToken { token } } } }",
)
SIGN_UP_IN_NEW_WORKSPACE = mutation(
    "signUpInNewWorkspace",
    "mutation SignUpInNewWorkspace($input: SignUpInNewWorkspaceInput) { signUpInNewWorkspace(input: $input) "
    "{ loginToken { token } workspace { id workspaceUrls { subdomainUrl customUrl } } } }",
)
ACTIVATE_WORKSPACE = mutation(
    "activateWorkspace",
    "mutation ActivateWorkspace($data: ActivateWorkspaceInput!) { activateWorkspace(data: $data) "
    "{ id activationStatus } }",
)
CURRENT_WORKSPACE = query(
    "currentWorkspace",
    "query CurrentWorkspace { currentWorkspace { id displayName isPublicInviteLinkEnabled } }",
)
UPDATE_WORKSPACE = mutation(
    "updateWorkspace",
    "mutation UpdateWorkspace($data: UpdateWorkspaceInput!) { updateWorkspace(data: $data) "
    "{ id isPublicInviteLinkEnabled } }",
)
# contract example 144
CREATE_API_KEY = mutation(
    "createApiKey",
    "mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) "
    "{ id name expiresAt revokedAt createdAt } }",
)
# contract example 145
GENERATE_API_KEY_TOKEN = mutation(
    "generateApiKeyToken",
    "mutation GenerateApiKeyToken($id: UUID!, $exp: String!) { generateApiKeyToken(apiKeyId: $id, "
    "expiresAt: $exp) { token } }",
)


class WorkspaceSetupError(TwentyError):
    """The sign-up flow did not end where 2.21 should leave it (no key role, workspace not ACTIVE)."""


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
    raise WorkspaceSetupError("no role in the workspace can be assigned to API keys (getRoles)")


def _client(base_url: str, access: str, transport: httpx.AsyncBaseTransport | None) -> TwentyClient:
    from twenty_api.client import TwentyClient

    return TwentyClient(base_url, access_token=access, rate_limit=None, transport=transport)


async def sign_up_first_workspace(
    base_url: str,
    email: str,
    password: str,
    *,
    workspace_name: str,
    on_secret: Callable[[str], object] = lambda _s: None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[str, str]:
    """Steps 1-4: sign up the first user, create and activate their workspace.
    Returns (workspace id, the user's access token). ``on_secret`` sees every token the moment
    it arrives, so output masking never lags behind."""
    from twenty_api.client import TwentyClient

    signed = await TwentyClient.public_run(
        base_url, SIGN_UP, {"email": email, "password": password}, transport=transport
    )
    agnostic = signed["tokens"]["accessOrWorkspaceAgnosticToken"]["token"]
    on_secret(agnostic)

    async with _client(base_url, agnostic, transport) as user:
        signed_up = await user.run(SIGN_UP_IN_NEW_WORKSPACE, {"input": {"displayName": workspace_name}})
    login_token = signed_up["loginToken"]["token"]
    on_secret(login_token)
    workspace_id = signed_up["workspace"]["id"]
    urls = signed_up["workspace"].get("workspaceUrls") or {}
    origin = urls.get("customUrl") or urls.get("subdomainUrl") or base_url

    tokens = await TwentyClient.public_run(
        base_url, EXCHANGE_LOGIN_TOKEN, {"loginToken": login_token, "origin": origin}, transport=transport
    )
    access = tokens["tokens"]["accessOrWorkspaceAgnosticToken"]["token"]
    on_secret(access)

    async with _client(base_url, access, transport) as user:
        activated = await user.run(ACTIVATE_WORKSPACE, {"data": {"displayName": workspace_name}})
    status = activated.get("activationStatus")
    if status not in (None, "ACTIVE"):
        raise WorkspaceSetupError(f"workspace {workspace_id} is {status} after activateWorkspace, not ACTIVE")
    return workspace_id, access


async def mint_api_key(
    user: TwentyClient,
    *,
    key_name: str = "twenty-gcp deploy",
    key_days: int = 90,
    on_secret: Callable[[str], object] = lambda _s: None,
) -> tuple[str, str, str]:
    """Steps 5-7, as the signed-in ``user``: an API key with the Admin role (or the first role API
    keys may have). Returns (key id, key, role label)."""
    role = pick_api_key_role(await user.run(GET_ROLES) or [])
    expires = _expiry(key_days)
    made = await user.run(
        CREATE_API_KEY, {"input": {"name": key_name, "expiresAt": expires, "roleId": role["id"]}}
    )
    minted = await user.run(GENERATE_API_KEY_TOKEN, {"id": made["id"], "exp": expires})
    api_key = minted["token"]
    on_secret(api_key)
    return str(made["id"]), api_key, str(role.get("label"))


async def bootstrap_workspace(
    base_url: str,
    email: str,
    password: str,
    *,
    workspace_name: str,
    key_name: str = "twenty-gcp deploy",
    key_days: int = 90,
    on_secret: Callable[[str], object] = lambda _s: None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Bootstrapped:
    """Sign up the first user, create + activate their workspace, mint an Admin API key."""
    workspace_id, access = await sign_up_first_workspace(
        base_url, email, password, workspace_name=workspace_name, on_secret=on_secret, transport=transport
    )
    async with _client(base_url, access, transport) as user:
        key_id, api_key, _ = await mint_api_key(
            user, key_name=key_name, key_days=key_days, on_secret=on_secret
        )
    return Bootstrapped(workspace_id=workspace_id, api_key=api_key, api_key_id=key_id, access_token=access)


async def current_workspace(user: TwentyClient) -> dict[str, Any]:
    return dict(await user.run(CURRENT_WORKSPACE) or {})


async def close_public_invite_link(user: TwentyClient) -> bool:
    """Turn the workspace's public invite link off; False when it already was."""
    if not (await current_workspace(user)).get("isPublicInviteLinkEnabled"):
        return False
    await user.run(UPDATE_WORKSPACE, {"data": {"isPublicInviteLinkEnabled": False}})
    return True
