"""The public auth flow on ``/metadata``: login, sign-up, sign-in, the first workspace, and the
workspace settings ``inv bootstrap`` changes. The fake has one workspace: ``--empty`` starts it
unowned (a fresh server, where the first sign-up creates it), seeded starts it owned by Tim.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from . import contract_data
from .errors import GraphQLError
from .gql import Request
from .runtime import Principal, Runtime
from .store import USER_ACTOR

# UpdateWorkspaceInput fields the fake keeps (metadata introspection); others are accepted and ignored.
WORKSPACE_SETTINGS = (
    "isPublicInviteLinkEnabled",
    "displayName",
    "isGoogleAuthEnabled",
    "isPasswordAuthEnabled",
)


def _in(**delta: int) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class AuthFlowResolvers:
    rt: Runtime

    def q_currentWorkspace(self, req: Request) -> Any:  # provided by MetadataResolvers
        raise NotImplementedError

    def m_getLoginTokenFromCredentials(self, req: Request) -> Any:
        email, password = req.args.get("email"), req.args.get("password")
        user = self.rt.store.entity_table("users").get(str(email))
        tim = (email, password) == (self.rt.user_email, self.rt.user_password)
        if not tim and (user is None or user["password"] != password):
            # Not captured: shaped like the other AuthException answers on /metadata.
            raise GraphQLError(
                "Wrong password",
                code="FORBIDDEN",
                sub_code="FORBIDDEN_EXCEPTION",
                friendly="You do not have permission to perform this action.",
            )
        token = "fake-login-token-" + secrets.token_hex(16)
        self.rt.store.entity_table("loginTokens")[token] = {"id": token}
        return {"__typename": "LoginToken", "loginToken": {"token": token, "expiresAt": _in(minutes=15)}}

    def m_getAuthTokensFromLoginToken(self, req: Request) -> Any:
        token = str(req.args.get("loginToken"))
        if self.rt.store.entity_table("loginTokens").pop(token, None) is None:
            raise GraphQLError(
                "Token has expired.",
                code="UNAUTHENTICATED",
                sub_code="UNAUTHENTICATED",
                friendly="You must be logged in.",
            )
        return {
            "__typename": "AuthTokens",
            "tokens": self.rt.issue_user_tokens(Principal("user", USER_ACTOR)),
        }

    # ---- sign-up / sign-in (the fake has one workspace; a new user joins it) --------------------
    def _token_pair(self, principal: Principal) -> dict[str, Any]:
        return self.rt.issue_user_tokens(principal)

    def _available(self) -> dict[str, Any]:
        workspace = {
            "id": contract_data.workspace_id(),
            "displayName": "Apple",
            "workspaceUrls": {"subdomainUrl": "http://apple.localhost", "customUrl": None},
        }
        return {
            "__typename": "AvailableWorkspaces",
            "availableWorkspacesForSignIn": [workspace],
            "availableWorkspacesForSignUp": [],
        }

    def m_signUp(self, req: Request) -> Any:
        users = self.rt.store.entity_table("users")
        email, password = str(req.args.get("email")), str(req.args.get("password"))
        if email == self.rt.user_email or email in users:
            raise GraphQLError(
                "User already exists",
                code="BAD_USER_INPUT",
                sub_code="USER_ALREADY_EXIST",
                friendly="User already exists.",
            )
        users[email] = {"id": str(uuid.uuid4()), "email": email, "password": password}
        return {
            "__typename": "AvailableWorkspacesAndAccessTokens",
            "tokens": self._token_pair(Principal("user", USER_ACTOR)),
            "availableWorkspaces": self._available(),
        }

    def m_signIn(self, req: Request) -> Any:
        email, password = str(req.args.get("email")), str(req.args.get("password"))
        user = self.rt.store.entity_table("users").get(email)
        known = (email, password) == (self.rt.user_email, self.rt.user_password) or (
            user is not None and user["password"] == password
        )
        if not known:
            raise GraphQLError(
                "Wrong password",
                code="FORBIDDEN",
                sub_code="FORBIDDEN_EXCEPTION",
                friendly="You do not have permission to perform this action.",
            )
        return {
            "__typename": "AvailableWorkspacesAndAccessTokens",
            "tokens": self._token_pair(Principal("user", USER_ACTOR)),
            "availableWorkspaces": self._available(),
        }

    def m_signUpInNewWorkspace(self, req: Request) -> Any:
        # sign-in-up.service.ts assertWorkspaceCreationAllowed: with IS_MULTIWORKSPACE_ENABLED=false
        # only the first workspace of a server can be created (not captured: ForbiddenError shape).
        if self.rt.workspace_settings.get("owned"):
            raise GraphQLError(
                "New workspace setup is disabled",
                code="FORBIDDEN",
                sub_code="SIGNUP_DISABLED",
                friendly="Sign up is disabled.",
            )
        self.rt.workspace_settings["owned"] = True
        token = "fake-login-token-" + secrets.token_hex(16)
        self.rt.store.entity_table("loginTokens")[token] = {"id": token}
        return {
            "__typename": "SignUp",
            "loginToken": {"token": token, "expiresAt": _in(minutes=15)},
            "workspace": {
                "id": contract_data.workspace_id(),
                "workspaceUrls": {"subdomainUrl": "http://apple.localhost", "customUrl": None},
            },
        }

    def m_activateWorkspace(self, req: Request) -> Any:
        return self.q_currentWorkspace(req)

    def m_updateWorkspace(self, req: Request) -> Any:
        data = req.args.get("data") or {}
        for key in WORKSPACE_SETTINGS:
            if key in data:
                self.rt.workspace_settings[key] = data[key]
        return self.q_currentWorkspace(req)
