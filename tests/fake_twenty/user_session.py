"""``/metadata`` mutations whose answer depends on who calls: sendEmail, createNavigationMenuItem, renewToken.

Read in the 2.21.0 source (git mirror, commit 6f3c158, packages/twenty-server/src/):
- modules/messaging/message-outbound-manager/resolvers/send-email.resolver.ts: `@AuthUserWorkspaceId()`
  (engine/decorators/auth/auth-user-workspace-id.decorator.ts) throws a Nest ForbiddenException
  "This endpoint requires a user context. API keys are not supported." for API keys, rendered by
  engine/utils/global-exception-handler.util.ts as FORBIDDEN (with `response` in development mode,
  as the captured "Forbidden resource" answers show). For a user, ConnectedAccountMetadataService
  .verifyOwnership (connected-account-metadata.service.ts:73-103) must find the account and it must
  belong to the caller; any other error is caught and answered `{success: false, error}`.
- engine/metadata-modules/navigation-menu-item/navigation-menu-item.resolver.ts:88-105 and
  services/navigation-menu-item-access.service.ts: without `userWorkspaceId` in the input the item is
  workspace-level and needs the LAYOUTS permission (the fake's API key and user are admins, so both
  may); with `userWorkspaceId` it is the caller's own favorite (the server substitutes the caller's
  userWorkspaceId, navigation-menu-item.service.ts createMany) and an API key is refused with
  INVALID_NAVIGATION_MENU_ITEM_INPUT (utils/navigation-menu-item-graphql-api-exception-handler.util.ts
  → UserInputError). Defaults: flat-navigation-menu-item/utils/from-create-navigation-menu-item-
  input-to-flat-navigation-menu-item-to-create.util.ts (position = max of that user/folder + 1).
- engine/core-modules/auth/auth.resolver.ts renewToken(appToken) → AuthTokens {tokens: AuthTokenPair}
  from a refresh token (services/renew-token.service.ts); an unknown/used refresh token is refused.
"""

from __future__ import annotations

import uuid
from typing import Any

from .errors import GraphQLError
from .gql import Request
from .runtime import Principal
from .store import now_iso

# dev-seeder/core/utils/seed-user-workspaces.util.ts USER_WORKSPACE_DATA_SEED_IDS.TIM (Apple)
TIM_USER_WORKSPACE_ID = "20202020-9e3b-46d4-a556-88b9ddc2b035"
NAV_EXAMPLE, NAV_KEY = "093-metadata-navigationMenuItems", "navigationMenuItems"
ACCOUNTS_EXAMPLE, ACCOUNTS_KEY = "094-metadata-myConnectedAccounts", "myConnectedAccounts"
NAV_FIELDS = (
    "targetRecordId",
    "targetObjectMetadataId",
    "viewId",
    "name",
    "link",
    "icon",
    "color",
    "folderId",
    "pageLayoutId",
)


def _principal(req: Request) -> Principal | None:
    return getattr(req.context, "principal", None)


class UserSessionResolvers:
    """Mixed into MetadataResolvers (which provides ``rt`` and ``_seed``)."""

    rt: Any

    def _seed(self, example: str, key: str) -> list[dict[str, Any]]:  # pragma: no cover - overridden
        raise NotImplementedError

    # ---- sendEmail ---------------------------------------------------------------------------------
    def m_sendEmail(self, req: Request) -> Any:
        principal = _principal(req)
        if principal is None or not principal.is_user:
            message = "This endpoint requires a user context. API keys are not supported."
            raise GraphQLError(
                message,
                code="FORBIDDEN",
                extra={"response": {"message": message, "error": "Forbidden", "statusCode": 403}},
            )
        data = req.args.get("input") or {}
        account_id = str(data.get("connectedAccountId"))
        accounts = {a["id"] for a in self._seed(ACCOUNTS_EXAMPLE, ACCOUNTS_KEY)}
        if account_id not in accounts:
            # verifyOwnership throws ConnectedAccountException; the resolver answers it as a failure
            return {
                "__typename": "SendEmailOutput",
                "success": False,
                "error": f"Connected account {account_id} not found",
                "messageThreadId": None,
            }
        self.rt.store.entity_table("sentEmails")[str(uuid.uuid4())] = {
            "connectedAccountId": account_id,
            **{k: data.get(k) for k in ("to", "cc", "bcc", "subject", "body", "inReplyTo")},
            "sentAt": now_iso(),
        }
        # messageThreadId is only looked up when a draft was sent (send-email.resolver.ts)
        return {"__typename": "SendEmailOutput", "success": True, "error": None, "messageThreadId": None}

    # ---- createNavigationMenuItem -------------------------------------------------------------------
    def m_createNavigationMenuItem(self, req: Request) -> Any:
        principal = _principal(req)
        data = req.args.get("input") or {}
        user_workspace_id = data.get("userWorkspaceId")
        if user_workspace_id is not None:
            if principal is None or not principal.is_user:
                raise GraphQLError(
                    "User-level navigation menu items can only be created by authenticated users",
                    code="BAD_USER_INPUT",
                    sub_code="INVALID_NAVIGATION_MENU_ITEM_INPUT",
                    friendly="Invalid navigation menu item input.",
                )
            user_workspace_id = TIM_USER_WORKSPACE_ID
        self._seed(NAV_EXAMPLE, NAV_KEY)
        table = self.rt.store.entity_table(f"seed:{NAV_KEY}")
        position = data.get("position")
        if position is None:
            same = [
                i.get("position") or 0
                for i in table.values()
                if i.get("userWorkspaceId") == user_workspace_id and i.get("folderId") == data.get("folderId")
            ]
            position = max([0, *same]) + 1
        stamp = now_iso()
        item = {
            "__typename": "NavigationMenuItem",
            "id": data.get("id") or str(uuid.uuid4()),
            "type": data["type"],
            "userWorkspaceId": user_workspace_id,
            **{k: data.get(k) for k in NAV_FIELDS},
            "position": position,
            "applicationId": None,
            "createdAt": stamp,
            "updatedAt": stamp,
            "targetRecordIdentifier": None,
        }
        table[item["id"]] = item
        return item

    # ---- renewToken ----------------------------------------------------------------------------------
    def m_renewToken(self, req: Request) -> Any:
        """The old refresh token is revoked and a new pair issued (renew-token.service.ts);
        refresh-token.service.ts:62/86 words the refusals (AuthException → auth-graphql-api-
        exception-handler: INVALID_INPUT → BAD_USER_INPUT, FORBIDDEN_EXCEPTION → FORBIDDEN).
        2.21's short grace period for a just-revoked token is not modelled."""
        refresh = str(req.args.get("appToken") or "")
        principal = self.rt.refresh_tokens.get(refresh)
        if principal is None:
            raise GraphQLError(
                "This refresh token doesn't exist" if refresh else "Refresh token not found",
                code="BAD_USER_INPUT",
                sub_code="INVALID_INPUT",
                friendly="Invalid input provided.",
            )
        if refresh in self.rt.revoked_refresh_tokens:
            raise GraphQLError(
                "This refresh token has been revoked.",
                code="FORBIDDEN",
                sub_code="FORBIDDEN_EXCEPTION",
                friendly="You do not have permission to perform this action.",
            )
        self.rt.revoked_refresh_tokens.add(refresh)
        return {"__typename": "AuthTokens", "tokens": self.rt.issue_user_tokens(principal)}
