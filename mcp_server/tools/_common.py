"""Argument types and small helpers shared by the tool modules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from ..models import RecordPage

if TYPE_CHECKING:
    from ..runtime import Connection

ObjectName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z][A-Za-z0-9_ ]*$",
        description="Object name, singular or plural, any case: people, Person, companies, or a custom "
        "one such as websiteLeads (twenty_list_objects lists them)",
    ),
]
RecordId = Annotated[UUID, Field(description="Record id (UUID)")]
FilterStr = Annotated[
    str | None,
    Field(
        default=None,
        max_length=4000,
        description="Twenty's REST filter: field[op]:value, ops eq neq gt gte lt lte in is like ilike "
        "startsWith containsAny; strings in double quotes; combine with and(...), or(...), not(...). "
        'Composite subfields use a dot: name.firstName[eq]:"Ada", emails.primaryEmail[ilike]:"%@x.io". '
        'Relations filter on their id field: companyId[eq]:"<uuid>". Example: '
        'and(stage[eq]:"MEETING",amount.amountMicros[gte]:1000000000)',
    ),
]
OrderBy = Annotated[
    str | None,
    Field(
        default=None,
        max_length=500,
        description="field[AscNullsFirst|AscNullsLast|DescNullsFirst|DescNullsLast], comma-separated: "
        "createdAt[DescNullsLast],name[AscNullsFirst]",
    ),
]
Limit = Annotated[int, Field(default=20, ge=1, le=200, description="Page size, 1-200 (Twenty caps at 200)")]
Cursor = Annotated[
    str | None, Field(default=None, max_length=2000, description="end_cursor of the previous page")
]
Depth = Annotated[
    Literal[0, 1],
    Field(default=0, description="0: the record only (relations as <relation>Id); 1: embed related records"),
]
Data = Annotated[
    dict[str, Any],
    Field(
        min_length=1,
        description="Field values. Friendly input is mapped to Twenty's composite shapes: firstName/lastName "
        "-> name, email -> emails.primaryEmail, phone -> phones, domain -> domainName, amount + currency -> "
        "amount {amountMicros, currencyCode} (amountMicros = amount x 1,000,000). Relations are set by id: "
        "companyId, pointOfContactId, assigneeId (the field name + 'Id').",
    ),
]
IdList = Annotated[list[UUID], Field(max_length=50, description="Record ids to link")]


def page_result(plural: str, page: Any) -> RecordPage:
    # Built without validation: the records are Twenty's parsed JSON, the rest typed by the client.
    return RecordPage.model_construct(
        object=plural,
        records=list(page.records),
        total_count=page.total_count,
        has_next_page=bool(page.has_next_page),
        end_cursor=page.end_cursor,
    )


def user_session_required(what: str, alternative: str) -> ToolError:
    from mcp.server.auth.middleware.auth_context import get_access_token

    if get_access_token() is not None:  # a remote connection with an API key (not signed in with Twenty)
        how = (
            "This remote connection carries an API key, not a user session: connect again and choose "
            "'Sign in with Twenty' on the consent page."
        )
    else:
        how = "Set TWENTY_USER_EMAIL and TWENTY_USER_PASSWORD for this server so it can sign in as that user."
    return ToolError(
        f"{what} needs a logged-in Twenty user session: Twenty 2.21 refuses API keys for it. {how} "
        f"{alternative}"
    )


async def _list(conn: Connection, name: str, **kwargs: Any) -> RecordPage:
    obj = await conn.resolve(name)
    page = await conn.client.list_records(obj.name_plural, **kwargs)
    return page_result(obj.name_plural, page)
