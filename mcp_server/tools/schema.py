"""Schema, webhooks, raw GraphQL and the primer."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from ..gate import GateError
from ..models import (
    CreatedMetadata,
    Deleted,
    FieldSummary,
    GraphQLResult,
    ObjectList,
    ObjectSchema,
    ObjectSummary,
    Primer,
    WebhookList,
    WebhookResult,
)
from ..registry import tool
from ..runtime import connection, jsonable
from ..scoped_args import field_kinds
from ._common import ObjectName

Refresh = Annotated[bool, Field(default=False, description="Re-read the live schema, bypassing the cache")]


def _summary(obj: Any) -> ObjectSummary:
    return ObjectSummary(
        name_singular=obj.name_singular,
        name_plural=obj.name_plural,
        label=getattr(obj, "label_singular", None),
        is_custom=bool(getattr(obj, "is_custom", False)),
    )


def field_summary(f: Any) -> FieldSummary:
    options = getattr(f, "options", None)
    return FieldSummary(
        name=f.name,
        type=str(f.type),
        label=getattr(f, "label", None),
        is_nullable=getattr(f, "is_nullable", None),
        description=getattr(f, "description", None),
        options=[jsonable(o) for o in options] if options else None,
    )


@tool("core")
async def twenty_list_objects(refresh: Refresh = False) -> ObjectList:
    """List the workspace's objects (standard and custom) with singular and plural API names.
    Record tools accept either name. The list is cached per workspace; refresh=true re-reads it
    (after someone added an object)."""
    conn = await connection()
    return ObjectList(objects=[_summary(o) for o in await conn.objects(refresh=refresh)])


@tool("core")
async def twenty_get_object_schema(object: ObjectName, refresh: Refresh = False) -> ObjectSchema:
    """Fields of one object: name, type, label, select options. Composite types: FULL_NAME
    (name.firstName/lastName), EMAILS (emails.primaryEmail), PHONES, LINKS (domainName.primaryLinkUrl),
    CURRENCY (amount.amountMicros + currencyCode), ADDRESS. RELATION fields are written as
    <field>Id. Read this before creating or filtering records."""
    conn = await connection()
    obj = await conn.resolve(object, refresh=refresh)
    full = await conn.client.get_object(obj.name_plural)
    return ObjectSchema(
        name_singular=full.name_singular,
        name_plural=full.name_plural,
        label=getattr(full, "label_singular", None),
        id=str(full.id) if getattr(full, "id", None) else None,
        is_custom=bool(getattr(full, "is_custom", False)),
        fields=[field_summary(f) for f in full.fields],
    )


CamelName = Annotated[str, Field(min_length=1, max_length=63, pattern=r"^[a-z][a-zA-Z0-9]*$")]
Label = Annotated[str, Field(min_length=1, max_length=63)]


@tool("schema", writes=True, idempotent=False)
async def twenty_create_custom_object(
    name_singular: CamelName,
    name_plural: CamelName,
    label_singular: Label,
    label_plural: Label,
    description: Annotated[str | None, Field(default=None, max_length=500)] = None,
) -> CreatedMetadata:
    """Create a custom object (a new table) in the workspace schema. Names are camelCase and must
    differ (websiteLead / websiteLeads); reserved names are refused by Twenty. The schema cache is
    refreshed so record tools see the new object at once."""
    conn = await connection()
    if not conn.scope.allows_names(name_singular, name_plural):
        raise GateError(f"Object '{name_plural}' would be outside this connection's allowed objects.")
    if name_singular == name_plural:
        raise GateError("name_singular and name_plural must differ (e.g. websiteLead / websiteLeads).")
    extra = {"description": description} if description else {}
    created = await conn.client.create_object(
        name_singular, name_plural, label_singular, label_plural, **extra
    )
    await conn.client.refresh_schema()
    return CreatedMetadata(kind="object", result=jsonable(created))


FieldType = Literal[
    "TEXT",
    "NUMBER",
    "BOOLEAN",
    "DATE_TIME",
    "DATE",
    "SELECT",
    "MULTI_SELECT",
    "CURRENCY",
    "EMAILS",
    "PHONES",
    "LINKS",
    "FULL_NAME",
    "ADDRESS",
    "RATING",
    "RAW_JSON",
    "ARRAY",
    "UUID",
    "NUMERIC",
    "RELATION",
]


class RelationSpec(BaseModel):
    """The other side of a RELATION field (2.21 creates both in one call)."""

    model_config = ConfigDict(extra="forbid")
    target: ObjectName
    type: Literal["MANY_TO_ONE", "ONE_TO_MANY"] = Field(
        description="MANY_TO_ONE: each record of `object` points to one `target` record (a lead's company); "
        "ONE_TO_MANY: one record of `object` has many `target` records (a company's leads)"
    )
    target_field_label: Label = Field(
        description="Label of the field on `target` (its name comes from it: 'Website leads' -> websiteLeads)"
    )


@tool("schema", writes=True, idempotent=False)
async def twenty_add_field_to_object(
    object: ObjectName,
    name: CamelName,
    type: FieldType,
    label: Label,
    description: Annotated[str | None, Field(default=None, max_length=500)] = None,
    options: Annotated[
        list[dict[str, Any]] | None,
        Field(
            default=None,
            max_length=100,
            description="SELECT/MULTI_SELECT options: "
            "[{value: 'HOT', label: 'Hot', color: 'red', position: 0}] "
            "(value in capitals)",
        ),
    ] = None,
    relation: Annotated[
        RelationSpec | None,
        Field(default=None, description="RELATION only: {target, type, target_field_label}"),
    ] = None,
) -> CreatedMetadata:
    """Add a field to an object (standard or custom). SELECT and MULTI_SELECT need options. A
    RELATION field links two objects and names both sides: e.g. object=websiteLeads, name=company,
    label=Company, type=RELATION, relation={target: companies, type: MANY_TO_ONE, target_field_label:
    'Website leads'} gives each lead a company (written as companyId) and each company its leads."""
    if type in ("SELECT", "MULTI_SELECT") and not options:
        raise GateError(f"A {type} field needs 'options', e.g. [{{'value': 'HOT', 'label': 'Hot'}}].")
    if (type == "RELATION") != (relation is not None):
        raise GateError(
            "A RELATION field needs 'relation' ({target, type, target_field_label}); other types take none."
        )
    conn = await connection()
    obj = await conn.resolve(object)
    if relation is not None:
        return await _add_relation(conn, obj, name, label, relation, description)
    extra: dict[str, Any] = {}
    if description:
        extra["description"] = description
    if options:
        extra["options"] = [{"position": i, "color": "gray", **o} for i, o in enumerate(options)]
    created = await conn.client.create_field(obj, name, type, label, **extra)
    await conn.client.refresh_schema()
    return CreatedMetadata(kind="field", result=jsonable(created))


async def _add_relation(
    conn: Any, obj: Any, name: str, label: str, relation: RelationSpec, description: str | None
) -> CreatedMetadata:
    """Both sides checked before the one createOneField (twenty_api.fields): the names must be free
    on their objects (with the join column a many-to-one side adds)."""
    from twenty_api import fields as api

    conn.scope.require_write("Adding a field")
    target = await conn.resolve(relation.target)
    source_full = await conn.client.get_object(obj.name_plural)
    target_full = await conn.client.get_object(target.name_plural)
    try:
        target_name = api.name_from_label(relation.target_field_label)
    except ValueError as err:
        raise GateError(str(err)) from err
    sides = [
        (source_full, name, relation.type == "MANY_TO_ONE"),
        (target_full, target_name, relation.type == "ONE_TO_MANY"),
    ]
    if obj.id == target.id and name == target_name:
        raise GateError("Both sides of a relation on one object need different names.")
    for side, field_name, joins in sides:
        taken = {f.name for f in side.fields} | set(field_kinds(side.fields))
        for wanted in (field_name, f"{field_name}Id") if joins else (field_name,):
            if wanted in taken:
                raise GateError(
                    f"'{wanted}' is already a field of {side.name_plural}; pick another "
                    f"{'name' if side is source_full else 'target_field_label'}."
                )
    created = await conn.client.run(
        api.CREATE_FIELD,
        {
            "input": api.relation_field_input(
                str(obj.id),
                name,
                label,
                relation.type,
                str(target.id),
                relation.target_field_label,
                description=description,
            )
        },
        what="Adding a field",
    )
    await conn.client.refresh_schema()
    return CreatedMetadata(kind="relation", result=jsonable(created) or {})


Operation = Annotated[
    str,
    Field(pattern=r"^(\*|[a-zA-Z][a-zA-Z0-9]*)\.(\*|created|updated|deleted|destroyed|restored|upserted)$"),
]


@tool("webhooks", writes=True, idempotent=False, open_world=True)
async def twenty_create_webhook(
    target_url: AnyHttpUrl,
    operations: Annotated[list[Operation], Field(min_length=1, max_length=50)],
    description: Annotated[str | None, Field(default=None, max_length=500)] = None,
    secret: Annotated[str | None, Field(default=None, min_length=16, max_length=200)] = None,
) -> WebhookResult:
    """Register a webhook: Twenty POSTs record events to target_url. operations are
    '<objectSingular>.<action>' such as 'person.created', 'company.updated', '*.*'. Deliveries are
    signed: hex(HMAC_SHA256(secret, X-Twenty-Webhook-Timestamp + ':' + body))."""
    from ..runtime import runtime
    from ..webhook_targets import check_webhook_target

    await check_webhook_target(str(target_url), runtime().settings.mcp_webhooks_allow_private)
    conn = await connection()
    hook = await conn.client.create_webhook(
        str(target_url), list(operations), description=description, secret=secret
    )
    return WebhookResult(webhook=_redact(jsonable(hook)))


def _redact(hook: dict[str, Any]) -> dict[str, Any]:
    return {k: ("<redacted>" if k == "secret" and v else v) for k, v in (hook or {}).items()}


@tool("webhooks")
async def twenty_list_webhooks() -> WebhookList:
    """List the workspace's webhooks (target URL, operations). Secrets are never shown."""
    conn = await connection()
    return WebhookList(webhooks=[_redact(jsonable(h)) for h in await conn.client.list_webhooks()])


@tool("webhooks", writes=True, destructive=True, idempotent=True, open_world=True)
async def twenty_delete_webhook(id: Annotated[UUID, Field(description="The webhook id")]) -> Deleted:
    """Delete a webhook for good (Twenty stops delivering at once). Confirm with the user first."""
    conn = await connection()
    await conn.client.delete_webhook(str(id))
    return Deleted(id=str(id))


@tool("core", may_write=True, destructive=True)
async def twenty_graphql(
    query: Annotated[str, Field(min_length=1, max_length=20000, description="A GraphQL document")],
    variables: Annotated[dict[str, Any] | None, Field(default=None)] = None,
    endpoint: Annotated[
        Literal["graphql", "metadata"],
        Field(default="graphql", description="'graphql' = records, 'metadata' = schema/webhooks/API"),
    ] = "graphql",
) -> GraphQLResult:
    """Raw GraphQL escape hatch for what no tool covers. /graphql root fields follow Twenty's naming:
    people(filter:{...}, first:N){edges{node{...}}}, createPerson(data:{...}), personDuplicates,
    peopleGroupBy, search(searchInput:...). Mutations are refused on read-only connections; under an
    object allow-list only root fields of allowed objects pass and relations cannot be followed."""
    conn = await connection()
    data = await conn.client.graphql(query, variables, endpoint=endpoint)
    return GraphQLResult(endpoint=endpoint, data=data)


@tool("core")
async def twenty_get_primer() -> Primer:
    """The organisation's context for this CRM (conventions, pipeline meaning, who is who) plus a
    compact live schema of the objects in scope. Read it at the start of a session."""
    from ..primer import build_primer

    conn = await connection()
    return await build_primer(conn)
