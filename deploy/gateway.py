# ruff: noqa: E501  (GraphQL documents read best one per line)
"""Every Twenty call the reconciler makes, as named methods over the one client (`twenty_api`).

The GraphQL documents are the ones the captured 2.21.0 contract shows (shared/twenty-api/
examples and app-sync/calls); the gateway counts the writes it sends so the report (and the tests)
can prove a no-change deploy writes nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

ALREADY_CLAIMED = "UNIVERSAL_IDENTIFIER_ALREADY_CLAIMED"

Q_AGENTS = ("query FindManyAgents { findManyAgents { id name label icon description prompt modelId "
            "responseFormat roleId isCustom applicationId modelConfiguration } }")
M_CREATE_AGENT = ("mutation CreateOneAgent($input: CreateAgentInput!) { createOneAgent(input: $input) "
                  "{ id name label roleId } }")
M_UPDATE_AGENT = ("mutation UpdateOneAgent($input: UpdateAgentInput!) { updateOneAgent(input: $input) "
                  "{ id name label roleId } }")
Q_ROLES = ("query GetRoles { getRoles { id label description canUpdateAllSettings canAccessAllTools "
           "canReadAllObjectRecords canUpdateAllObjectRecords canSoftDeleteAllObjectRecords "
           "canDestroyAllObjectRecords canBeAssignedToUsers canBeAssignedToAgents canBeAssignedToApiKeys } }")
M_CREATE_ROLE = ("mutation CreateOneRole($input: CreateRoleInput!) { createOneRole(createRoleInput: $input) "
                 "{ id label } }")
M_UPDATE_ROLE = ("mutation UpdateOneRole($input: UpdateRoleInput!) { updateOneRole(updateRoleInput: $input) "
                 "{ id label } }")
M_ASSIGN_ROLE = ("mutation AssignRoleToAgent($agentId: UUID!, $roleId: UUID!) { assignRoleToAgent(agentId: $agentId, roleId: $roleId) }")
Q_WEBHOOKS = "query Webhooks { webhooks { id targetUrl operations description secret } }"
M_CREATE_WEBHOOK = ("mutation CreateWebhook($input: CreateWebhookInput!) { createWebhook(input: $input) "
                    "{ id targetUrl operations description } }")
M_UPDATE_WEBHOOK = ("mutation UpdateWebhook($input: UpdateWebhookInput!) { updateWebhook(input: $input) "
                    "{ id targetUrl operations description } }")
Q_OBJECT_NAMES = ("query ObjectNames { objects(paging: {first: 1000}) { edges { node { id nameSingular "
                  "namePlural universalIdentifier applicationId } } } }")
M_SYNC = ("mutation SyncApplication($manifest: JSON!, $dryRun: Boolean) { syncApplication(manifest: $manifest, "
          "dryRun: $dryRun) { applicationUniversalIdentifier actions } }")
M_REGISTER = ("mutation CreateApplicationRegistration($input: CreateApplicationRegistrationInput!) { "
              "createApplicationRegistration(input: $input) { applicationRegistration { id universalIdentifier "
              "oAuthClientId } clientSecret } }")
Q_REGISTRATION = ("query FindApplicationRegistrationByUniversalIdentifier($universalIdentifier: String!) { "
                  "findApplicationRegistrationByUniversalIdentifier(universalIdentifier: $universalIdentifier) "
                  "{ id universalIdentifier name oAuthClientId } }")
M_DEV_APP = ("mutation CreateDevelopmentApplication($universalIdentifier: String!, $name: String!) { "
             "createDevelopmentApplication(universalIdentifier: $universalIdentifier, name: $name) "
             "{ id universalIdentifier } }")
M_UPLOAD = ("mutation UploadApplicationFile($file: Upload!, $applicationUniversalIdentifier: String!, "
            "$fileFolder: FileFolder!, $filePath: String!) { uploadApplicationFile(file: $file, "
            "applicationUniversalIdentifier: $applicationUniversalIdentifier, fileFolder: $fileFolder, "
            "filePath: $filePath) { path } }")
Q_APPLICATION = ("query FindOneApplication($universalIdentifier: UUID!) { findOneApplication(universalIdentifier: "
                 "$universalIdentifier) { id name universalIdentifier applicationVariables { key value isSecret } } }")
M_SET_VARIABLE = ("mutation UpdateOneApplicationVariable($key: String!, $value: String!, $applicationId: UUID!) { "
                  "updateOneApplicationVariable(key: $key, value: $value, applicationId: $applicationId) }")
M_ACTIVATE = "mutation ActivateWorkflowVersion($id: UUID!) { activateWorkflowVersion(workflowVersionId: $id) }"
M_CREATE_STEP = ("mutation CreateWorkflowVersionStep($input: CreateWorkflowVersionStepInput!) { "
                 "createWorkflowVersionStep(input: $input) { triggerDiff stepsDiff } }")
M_UPDATE_STEP = ("mutation UpdateWorkflowVersionStep($input: UpdateWorkflowVersionStepInput!) { "
                 "updateWorkflowVersionStep(input: $input) { id } }")


class Client(Protocol):  # the part of twenty_api.TwentyClient the reconciler uses
    async def graphql(self, query: str, variables: dict[str, Any] | None = None,
                      endpoint: str = "graphql") -> dict[str, Any]: ...


class Gateway:
    def __init__(self, client: Any, *, user_client: Any = None) -> None:
        self.client = client
        self.user_client = user_client
        self.writes: Counter[str] = Counter()
        self.calls = 0

    async def query(self, doc: str, variables: dict[str, Any] | None = None, *,
                    endpoint: str = "metadata", as_user: bool = False) -> dict[str, Any]:
        self.calls += 1
        client = self.user_client if as_user and self.user_client is not None else self.client
        return await client.graphql(doc, variables, endpoint=endpoint)

    async def plan(self, doc: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """A mutation that only plans (``syncApplication(dryRun: true)``): not a write, and safe to
        retry when Twenty or the network fails half-way."""
        self.calls += 1
        return await self.client.graphql(doc, variables, endpoint="metadata", safe=True)

    async def client_config(self) -> dict[str, Any]:
        self.calls += 1
        return await self.client.client_config()

    async def workspace_ai_settings(self) -> dict[str, Any]:
        self.calls += 1
        return await self.client.workspace_ai_settings()

    async def mutate(self, label: str, doc: str, variables: dict[str, Any] | None = None, *,
                     endpoint: str = "metadata", as_user: bool = False) -> dict[str, Any]:
        self.writes[label] += 1
        return await self.query(doc, variables, endpoint=endpoint, as_user=as_user)

    @property
    def write_count(self) -> int:
        return sum(self.writes.values())

    async def workspace_id(self) -> str:
        """`currentWorkspace` once (the client caches it)."""
        self.calls += 1
        return str(await self.client.workspace_id())

    def _pick(self, as_user: bool) -> Any:
        return self.user_client if as_user and self.user_client is not None else self.client

    # ---- REST through the client's own methods

    async def list_webhooks(self) -> list[dict[str, Any]]:
        self.calls += 1
        return await self.client.list_webhooks()

    async def create_webhook(self, body: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        self.writes["createWebhook"] += 1
        return await self.client.create_webhook(body["targetUrl"], body["operations"], body.get("description"),
                                                body.get("secret"))

    async def list_records(self, plural: str, *, filter: Any = None, as_user: bool = False,
                           limit: int = 200) -> list[dict[str, Any]]:
        self.calls += 1
        page = await self._pick(as_user).list_records(plural, filter=filter, limit=limit)
        return list(page.records)

    async def create_record(self, plural: str, data: dict[str, Any], *, as_user: bool = False) -> dict[str, Any]:
        self.calls += 1
        self.writes[f"create:{plural}"] += 1
        return await self._pick(as_user).create_record(plural, data)

    async def update_record(self, plural: str, id: str, data: dict[str, Any], *,
                            as_user: bool = False) -> dict[str, Any]:
        self.calls += 1
        self.writes[f"update:{plural}"] += 1
        return await self._pick(as_user).update_record(plural, id, data)

    async def upload(self, variables: dict[str, Any], filename: str, content: bytes,
                     content_type: str) -> dict[str, Any]:
        """`uploadApplicationFile` as a GraphQL multipart request (app-sync/calls 05-07)."""
        self.calls += 1
        self.writes["uploadApplicationFile"] += 1
        return await self.client.graphql_upload(
            M_UPLOAD, variables, {"variables.file": (filename, content, content_type)}, endpoint="metadata")
