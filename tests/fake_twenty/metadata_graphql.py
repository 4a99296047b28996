"""``/metadata`` GraphQL: schema objects/fields, webhooks, API keys, agents, logic functions, apps, login.

Documents are validated against the captured /metadata introspection (2.21 validates here, unlike
record types on /graphql). Lists the fake cannot derive (roles, agents, navigation menu items,
connected accounts, seeded API keys) start from what the real server answered in the capture.
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from graphql import GraphQLSchema, build_client_schema

from . import contract_data, filters, metadata
from .agents import AgentRoleResolvers
from .apps import Apps
from .auth_flow import AuthFlowResolvers
from .errors import GraphQLError, TwentyHttpError
from .events import Events
from .gql import Executor, Projectable, Request
from .layouts import LayoutResolvers
from .oauth import PUBLIC_OPERATIONS as OAUTH_PUBLIC
from .oauth import OAuthMetadataResolvers
from .runtime import Principal, Runtime
from .schema import ObjectMeta
from .store import USER_ACTOR, Actor, now_iso
from .user_session import TIM_USER_WORKSPACE_ID, UserSessionResolvers
from .views import ViewResolvers

PUBLIC_MUTATIONS = (
    frozenset(
        {"getLoginTokenFromCredentials", "getAuthTokensFromLoginToken", "signUp", "signIn", "renewToken"}
    )
    | OAUTH_PUBLIC
)
USER_ONLY = frozenset({"createApiKey", "myConnectedAccounts", "currentUser"})
SEEDED_API_KEY_ID = "20202020-f401-4d8a-a731-64d007c27bad"


@cache
def metadata_schema() -> GraphQLSchema:
    return build_client_schema(contract_data.load_json("metadata-introspection.json")["data"])


@dataclass
class MetadataContext:
    runtime: Runtime
    principal: Principal | None
    files: dict[str, bytes] = field(default_factory=dict)


def _cursor(value: str) -> str:
    return base64.b64encode(json.dumps({"id": value}, separators=(",", ":")).encode()).decode()


class MetaConnection(Projectable):
    def __init__(self, items: list[Any], typename: str, paging: dict[str, Any] | None) -> None:
        paging = paging or {}
        start = 0
        if paging.get("after"):
            ids = [_item_id(i) for i in items]
            after = json.loads(base64.b64decode(paging["after"]).decode())["id"]
            start = ids.index(after) + 1 if after in ids else 0
        first = paging.get("first")
        self.total = len(items)
        self.items = items[start : start + first] if first else items[start:]
        self.has_next = start + len(self.items) < len(items)
        self.typename = typename

    def resolve_field(self, req: Request) -> Any:
        name = req.field.name.value
        if name == "edges":
            return [{"cursor": _cursor(_item_id(i)), "node": i} for i in self.items]
        if name == "pageInfo":
            return {
                "hasNextPage": self.has_next,
                "hasPreviousPage": False,
                "startCursor": _cursor(_item_id(self.items[0])) if self.items else None,
                "endCursor": _cursor(_item_id(self.items[-1])) if self.items else None,
            }
        if name == "totalCount":
            return self.total
        return None


def _item_id(item: Any) -> str:
    return item.obj.id if isinstance(item, ObjectNode) else item["id"]


class ObjectNode(Projectable):
    typename = "Object"

    def __init__(self, obj: ObjectMeta) -> None:
        self.obj = obj

    def resolve_field(self, req: Request) -> Any:
        name = req.field.name.value
        if name == "fields":
            return MetaConnection(
                _filter_raw(self.obj.raw["fields"], req.args.get("filter")),
                "FieldConnection",
                req.args.get("paging"),
            )
        if name == "fieldsList":
            return self.obj.raw["fields"]
        if name == "isCustom":
            return self.obj.raw.get("applicationId") == metadata.CUSTOM_APPLICATION_ID
        return self.obj.raw.get(name)


def _filter_raw(items: list[dict[str, Any]], raw_filter: Any) -> list[dict[str, Any]]:
    node = _meta_filter(raw_filter)
    return [i for i in items if filters.matches(node, i)]


def _meta_filter(raw_filter: Any) -> filters.Node | None:
    if not raw_filter:
        return None
    children: list[filters.Node] = []
    for key, spec in raw_filter.items():
        for op, value in (spec or {}).items():
            children.append(
                filters.Cond(
                    (key,),
                    op,
                    "NOT_NULL"
                    if op == "is" and value is False
                    else ("NULL" if op == "is" and value is None else value),
                )
            )
    node: filters.Node | None = (
        children[0] if len(children) == 1 else filters.Junction("and", tuple(children))
    )
    return _boolean_is(node)


def _boolean_is(node: filters.Node | None) -> filters.Node | None:
    """Metadata filters use ``{isActive: {is: true}}``: a boolean comparison, not a null check."""
    if isinstance(node, filters.Cond) and node.op == "is" and isinstance(node.value, bool):
        return filters.Cond(node.path, "eq", node.value)
    if isinstance(node, filters.Junction):
        return filters.Junction(node.kind, tuple(_boolean_is(c) for c in node.children))  # type: ignore[misc]
    return node


class MetadataResolvers(
    AgentRoleResolvers,
    UserSessionResolvers,
    AuthFlowResolvers,
    OAuthMetadataResolvers,
    LayoutResolvers,
    ViewResolvers,
):
    def __init__(self, runtime: Runtime, events: Events) -> None:
        self.rt = runtime
        self.events = events

    @property
    def apps(self) -> Apps:
        return self.rt.apps

    def executor(self) -> Executor:
        ex = Executor(schema=metadata_schema(), introspection_schema=metadata_schema())
        for name in dir(self):
            if name.startswith("q_"):
                ex.query_resolvers[name[2:]] = self._guard(name[2:], getattr(self, name))
            elif name.startswith("m_"):
                ex.mutation_resolvers[name[2:]] = self._guard(name[2:], getattr(self, name))
        return ex

    def _guard(self, name: str, fn: Any) -> Any:
        def resolver(req: Request) -> Any:
            ctx: MetadataContext = req.context
            if ctx.principal is None and name not in PUBLIC_MUTATIONS:
                raise GraphQLError(
                    "Missing authentication token", code="UNAUTHENTICATED", friendly="You must be logged in."
                )
            if name in USER_ONLY and (ctx.principal is None or not ctx.principal.is_user):
                raise GraphQLError(
                    "This endpoint requires a session access token",
                    code="FORBIDDEN",
                    sub_code="FORBIDDEN_EXCEPTION",
                    friendly="You do not have permission to perform this action.",
                )
            with self.rt.lock:
                try:
                    return fn(req)
                except TwentyHttpError as err:
                    body = err.body
                    message = body.get("messages", [body.get("message", "Error")])[0]
                    raise GraphQLError(message, code="BAD_USER_INPUT", extra={"response": body}) from None

        return resolver

    def _seed(self, example: str, key: str) -> list[dict[str, Any]]:
        cache_key = f"seed:{key}"
        table = self.rt.store.entity_table(cache_key)
        if not table:
            for item in copy.deepcopy(contract_data.load_example(example)["response_body"]["data"][key]):
                table[item["id"]] = item
        return list(table.values())

    # ---- schema ------------------------------------------------------------------------------
    def q_objects(self, req: Request) -> Any:
        objs = [o for o in self.rt.store.schema.objects.values()]
        node = _meta_filter(req.args.get("filter"))
        chosen = [
            ObjectNode(o)
            for o in objs
            if filters.matches(
                node, {**o.raw, "isCustom": o.raw.get("applicationId") == metadata.CUSTOM_APPLICATION_ID}
            )
        ]
        return MetaConnection(chosen, "ObjectConnection", req.args.get("paging"))

    def q_object(self, req: Request) -> Any:
        obj = self.rt.store.schema.by_id(str(req.args.get("id")))
        if obj is None:
            raise GraphQLError("Object not found", code="NOT_FOUND")
        return ObjectNode(obj)

    def _all_fields(self) -> list[dict[str, Any]]:
        return [f for o in self.rt.store.schema.objects.values() for f in o.raw["fields"]]

    def q_fields(self, req: Request) -> Any:
        return MetaConnection(
            _filter_raw(self._all_fields(), req.args.get("filter")), "FieldConnection", req.args.get("paging")
        )

    def q_field(self, req: Request) -> Any:
        for f in self._all_fields():
            if f["id"] == req.args.get("id"):
                return f
        raise GraphQLError("Field not found", code="NOT_FOUND")

    def m_createOneObject(self, req: Request) -> Any:
        return ObjectNode(
            metadata.create_object(self.rt.store, (req.args.get("input") or {}).get("object") or {})
        )

    def m_updateOneObject(self, req: Request) -> Any:
        data = req.args.get("input") or {}
        obj = self.rt.store.schema.by_id(str(data.get("id")))
        if obj is None:
            raise GraphQLError("Object not found", code="NOT_FOUND")
        for key, value in (data.get("update") or {}).items():
            if key in ("labelSingular", "labelPlural", "description", "icon", "isActive"):
                obj.raw[key] = value
        return ObjectNode(obj)

    def m_deleteOneObject(self, req: Request) -> Any:
        obj = self.rt.store.schema.by_id(str((req.args.get("input") or {}).get("id")))
        if obj is None:
            raise GraphQLError("Object not found", code="NOT_FOUND")
        del self.rt.store.schema.objects[obj.singular]
        self.rt.store.tables.pop(obj.plural, None)
        return ObjectNode(obj)

    def m_createOneField(self, req: Request) -> Any:
        return metadata.create_field(self.rt.store, (req.args.get("input") or {}).get("field") or {}).raw

    def m_updateOneField(self, req: Request) -> Any:
        data = req.args.get("input") or {}
        for f in self._all_fields():
            if f["id"] == data.get("id"):
                f.update({k: v for k, v in (data.get("update") or {}).items() if k != "id"})
                f["updatedAt"] = now_iso()
                return f
        raise GraphQLError("Field not found", code="NOT_FOUND")

    def m_deleteOneField(self, req: Request) -> Any:
        field_id = (req.args.get("input") or {}).get("id")
        for obj in self.rt.store.schema.objects.values():
            for f in list(obj.raw["fields"]):
                if f["id"] == field_id:
                    obj.raw["fields"].remove(f)
                    obj.fields.pop(f["name"], None)
                    return f
        raise GraphQLError("Field not found", code="NOT_FOUND")

    # ---- webhooks ----------------------------------------------------------------------------
    def q_webhooks(self, req: Request) -> Any:
        return metadata.list_webhooks(self.rt.store)

    def q_webhook(self, req: Request) -> Any:
        return self.rt.store.entity_table("webhooks").get(str(req.args.get("id")))

    def m_createWebhook(self, req: Request) -> Any:
        return metadata.create_webhook(self.rt.store, req.args.get("input") or {})

    def m_updateWebhook(self, req: Request) -> Any:
        data = req.args.get("input") or {}
        return metadata.update_webhook(self.rt.store, str(data.get("id")), data.get("update") or {})

    def m_deleteWebhook(self, req: Request) -> Any:
        return metadata.delete_webhook(self.rt.store, str(req.args.get("id")))

    # ---- agents, roles, API keys ----------------------------------------------------------------
    # findManyAgents … assignRoleToAgent, getRoles: agents.AgentRoleResolvers

    def q_apiKeys(self, req: Request) -> Any:
        return self._seed("146-metadata-apiKeys", "apiKeys")

    def q_apiKey(self, req: Request) -> Any:
        key_id = (req.args.get("input") or {}).get("id")
        return next((k for k in self.q_apiKeys(req) if k["id"] == key_id), None)

    def m_createApiKey(self, req: Request) -> Any:
        data = req.args.get("input") or {}
        stamp = now_iso()
        key = {
            "__typename": "ApiKey",
            "id": str(uuid.uuid4()),
            "name": data["name"],
            "expiresAt": data["expiresAt"],
            "revokedAt": data.get("revokedAt"),
            "createdAt": stamp,
            "updatedAt": stamp,
            "role": self._role(str(data["roleId"])),
        }
        self._seed("146-metadata-apiKeys", "apiKeys")
        self.rt.store.entity_table("seed:apiKeys")[key["id"]] = key
        return key

    def _api_key(self, key_id: str) -> dict[str, Any]:
        self._seed("146-metadata-apiKeys", "apiKeys")
        key = self.rt.store.entity_table("seed:apiKeys").get(key_id)
        if key is None:
            raise GraphQLError(f"API key {key_id} not found", code="NOT_FOUND")
        return key

    def m_updateApiKey(self, req: Request) -> Any:
        data = req.args.get("input") or {}
        key = self._api_key(str(data.get("id")))
        key.update({k: v for k, v in data.items() if k in ("name", "expiresAt", "revokedAt")})
        return key

    def m_revokeApiKey(self, req: Request) -> Any:
        key = self._api_key(str((req.args.get("input") or {}).get("id")))
        key["revokedAt"] = now_iso()
        for token, principal in list(self.rt.extra_tokens.items()):
            if principal.api_key_id == key["id"]:
                del self.rt.extra_tokens[token]
        return key

    def m_generateApiKeyToken(self, req: Request) -> Any:
        key = self._api_key(str(req.args.get("apiKeyId")))
        token = "fake-api-key-" + secrets.token_hex(16)
        self.rt.extra_tokens[token] = Principal(
            "api_key", Actor("api_key", name=key["name"]), api_key_id=key["id"]
        )
        return {"__typename": "ApiKeyToken", "token": token}

    # ---- workspace, user, login ---------------------------------------------------------------
    def q_currentWorkspace(self, req: Request) -> Any:
        stamp = "2026-11-22T03:39:52.494Z"
        return {
            "__typename": "Workspace",
            "id": contract_data.workspace_id(),
            "displayName": "Apple",
            "logo": None,
            "createdAt": stamp,
            "updatedAt": stamp,
            "deletedAt": None,
            "subdomain": "apple",
            "activationStatus": "ACTIVE",
            "metadataVersion": 1,
            "allowImpersonation": True,
            "isPublicInviteLinkEnabled": self.rt.workspace_settings.get("isPublicInviteLinkEnabled", True),
            "workspaceMembersCount": 3,
            # 2.21 defaults (workspace.entity.ts): recommended models, none enabled by hand
            "useRecommendedModels": True,
            "enabledAiModelIds": [],
            "fastModel": "default-fast-model",
            "smartModel": "default-smart-model",
        }

    def q_currentUser(self, req: Request) -> Any:
        return {
            "__typename": "User",
            "id": "20202020-9e3b-46d4-a556-88b9ddc2b034",
            "firstName": "Tim",
            "lastName": "Apple",
            "email": self.rt.user_email,
            "isEmailVerified": True,
            "locale": "en",
            "canImpersonate": True,
            "canAccessFullAdminPanel": True,
            "hasPassword": True,
            "workspaceMember": {
                "id": USER_ACTOR.workspace_member_id,
                "name": {"firstName": "Tim", "lastName": "Apple"},
                "userEmail": self.rt.user_email,
            },
            "currentWorkspace": self.q_currentWorkspace(req),
            # User.currentUserWorkspace (metadata-introspection.json): Tim's, dev seed
            "currentUserWorkspace": {
                "__typename": "UserWorkspace",
                "id": TIM_USER_WORKSPACE_ID,
                "userId": "20202020-9e3b-46d4-a556-88b9ddc2b034",
            },
        }

    def q_navigationMenuItems(self, req: Request) -> Any:
        """The workspace's items plus the caller's own (navigation-menu-item.resolver.ts: NoPermissionGuard,
        userWorkspaceId allowUndefined; navigation-menu-item.service.ts findAll scope 'all'): an API key
        reads the shared sidebar, a user token also that user's favorites."""
        principal = getattr(req.context, "principal", None)
        own = TIM_USER_WORKSPACE_ID if principal is not None and principal.is_user else None
        items = self._seed("093-metadata-navigationMenuItems", "navigationMenuItems")
        return [i for i in items if i.get("userWorkspaceId") in (None, own)]

    def q_myConnectedAccounts(self, req: Request) -> Any:
        return self._seed("094-metadata-myConnectedAccounts", "myConnectedAccounts")

    # ---- logic functions ---------------------------------------------------------------------------
    def q_findManyLogicFunctions(self, req: Request) -> Any:
        return [f for _, f in self.apps.all_functions()]

    def q_findOneLogicFunction(self, req: Request) -> Any:
        return self.apps.get_function((req.args.get("input") or {}).get("id"))

    def m_createOneLogicFunction(self, req: Request) -> Any:
        return self.apps.create_function(req.args.get("input") or {})

    def q_getLogicFunctionSourceCode(self, req: Request) -> Any:
        return self.apps.get_function((req.args.get("input") or {}).get("id")).get("_source")

    def m_updateOneLogicFunction(self, req: Request) -> Any:
        data = req.args.get("input") or {}
        return self.apps.update_function(str(data.get("id")), data.get("update") or {})

    def m_deleteOneLogicFunction(self, req: Request) -> Any:
        return self.apps.delete_function(str((req.args.get("input") or {}).get("id")))

    def m_executeOneLogicFunction(self, req: Request) -> Any:
        data = req.args.get("input") or {}
        return self.apps.execute(str(data.get("id")), data.get("payload"))

    # ---- apps --------------------------------------------------------------------------------
    def m_createApplicationRegistration(self, req: Request) -> Any:
        return self.apps.create_registration(req.args.get("input") or {})

    def q_findApplicationRegistrationByUniversalIdentifier(self, req: Request) -> Any:
        return self.apps.registrations.get(str(req.args.get("universalIdentifier")))

    def m_createDevelopmentApplication(self, req: Request) -> Any:
        return self.apps.create_development_app(str(req.args["universalIdentifier"]), str(req.args["name"]))

    def m_uploadApplicationFile(self, req: Request) -> Any:
        ctx: MetadataContext = req.context
        content = ctx.files.get("variables.file", b"")
        return self.apps.upload(
            str(req.args["applicationUniversalIdentifier"]),
            str(req.args["fileFolder"]),
            str(req.args["filePath"]),
            content,
        )

    def m_syncApplication(self, req: Request) -> Any:
        manifest = req.args.get("manifest")
        if not isinstance(manifest, dict):
            raise GraphQLError("manifest must be a JSON object", code="BAD_USER_INPUT")
        return self.apps.sync(manifest, bool(req.args.get("dryRun")))

    def m_generateApplicationToken(self, req: Request) -> Any:
        app = self.apps.app_by_id(str(req.args.get("applicationId")))
        access = "fake-app-token-" + secrets.token_hex(16)
        self.rt.extra_tokens[access] = Principal("api_key", Actor("api_key", name=app["name"]))
        return {
            "__typename": "ApplicationTokenPair",
            "applicationAccessToken": {"token": access, "expiresAt": _in(minutes=30)},
            "applicationRefreshToken": {
                "token": "fake-app-refresh-" + secrets.token_hex(16),
                "expiresAt": _in(days=60),
            },
        }

    def m_updateOneApplicationVariable(self, req: Request) -> Any:
        return self.apps.set_variable(
            str(req.args["applicationId"]), str(req.args["key"]), str(req.args["value"])
        )

    def q_findOneApplication(self, req: Request) -> Any:
        app = self.apps.app_by_id(req.args.get("id"), req.args.get("universalIdentifier"))
        return self.apps.public_app(app)

    def q_findManyApplications(self, req: Request) -> Any:
        return [self.apps.public_app(a) for a in self.apps.applications.values()]

    def m_uninstallApplication(self, req: Request) -> Any:
        return self.apps.uninstall(str(req.args["universalIdentifier"]))


def _in(**delta: int) -> str:
    moment = datetime.now(UTC) + timedelta(**delta)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
