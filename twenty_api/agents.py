"""AI agents and roles on ``/metadata`` (contract examples 141, 142, 150–156; app-sync agents).

2.21 answers these to an API key with the Admin role; ``getRoles`` is also what a fresh
workspace's first user asks to pick a role for a new API key (example 142).
"""

from __future__ import annotations

from twenty_api.operations import mutation, query

FIND_AGENTS = query(
    "findManyAgents",
    "query FindManyAgents { findManyAgents { id name label icon description prompt modelId "
    "responseFormat roleId isCustom applicationId modelConfiguration } }",
)
CREATE_AGENT = mutation(
    "createOneAgent",
    "mutation CreateOneAgent($input: CreateAgentInput!) { "
    "createOneAgent(input: $input) { id name label roleId } }",
)
UPDATE_AGENT = mutation(
    "updateOneAgent",
    "mutation UpdateOneAgent($input: UpdateAgentInput!) { "
    "updateOneAgent(input: $input) { id name label roleId } }",
)
DELETE_AGENT = mutation(
    "deleteOneAgent",
    "mutation DeleteOneAgent($input: AgentIdInput!) { deleteOneAgent(input: $input) { id } }",
)
GET_ROLES = query(
    "getRoles",
    "query GetRoles { getRoles { id label description isEditable canUpdateAllSettings canAccessAllTools "
    "canReadAllObjectRecords canUpdateAllObjectRecords canSoftDeleteAllObjectRecords "
    "canDestroyAllObjectRecords canBeAssignedToUsers canBeAssignedToAgents canBeAssignedToApiKeys } }",
)
CREATE_ROLE = mutation(
    "createOneRole",
    "mutation CreateOneRole($input: CreateRoleInput!) { "
    "createOneRole(createRoleInput: $input) { id label } }",
)
UPDATE_ROLE = mutation(
    "updateOneRole",
    "mutation UpdateOneRole($input: UpdateRoleInput!) { "
    "updateOneRole(updateRoleInput: $input) { id label } }",
)
ASSIGN_ROLE_TO_AGENT = mutation(
    "assignRoleToAgent",
    "mutation AssignRoleToAgent($agentId: UUID!, $roleId: UUID!) { "
    "assignRoleToAgent(agentId: $agentId, roleId: $roleId) }",
)
