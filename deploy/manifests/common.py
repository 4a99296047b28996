"""Shared by every manifest kind: names and constants of Twenty 2.21, the strict base models,
``ManifestError`` and the value checks (kebab names, ``${stack.<key>}`` references, cron, URLs,
event names)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    field_validator,
)

from twenty_api.workflow_steps import (  # noqa: F401 - re-exported
    REQUIRED_STEP_INPUT,
    STEP_ID_RE,
    STEP_REF_RE,
    STEP_TYPES,
    validate_cron,
)

# Namespace of every deterministic id we derive (step ids, universal identifiers); changing it
# would make the deploy treat every existing item as new.
MANIFEST_NAMESPACE = uuid.UUID("6f1d3c52-0b8e-4d6a-9a57-3c2b9e1f7a10")

# Standard record objects of Twenty 2.21.0: REST `/rest/<plural>` of the captured workspace that
# twenty-sdk's STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS also lists (the others are the dev seed's
# custom objects). Connected accounts, channels and favorites are not record objects in 2.21
# (examples 041b/041c). Custom objects come from apps.yaml `objects`.
STANDARD_OBJECTS: frozenset[str] = frozenset(
    {
        "attachment",
        "blocklist",
        "calendarChannelEventAssociation",
        "calendarEvent",
        "calendarEventParticipant",
        "callRecording",
        "company",
        "dashboard",
        "message",
        "messageCampaign",
        "messageChannelMessageAssociation",
        "messageChannelMessageAssociationMessageFolder",
        "messageList",
        "messageListMember",
        "messageParticipant",
        "messageThread",
        "note",
        "noteTarget",
        "opportunity",
        "person",
        "task",
        "taskTarget",
        "timelineActivity",
        "workflow",
        "workflowRun",
        "workflowVersion",
        "workspaceMember",
    }
)
# DatabaseEventAction in 2.21 (twenty-shared); `*` is Twenty's wildcard.
EVENT_ACTIONS: frozenset[str] = frozenset(
    {"created", "updated", "deleted", "destroyed", "restored", "upserted", "*"}
)
# Step types, their required input, step ids, `{{step.…}}` references and cron: one definition in
# twenty_api.workflow_steps (shared with the MCP tools), re-exported here.
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
STACK_REF_RE = re.compile(r"\$\{stack\.([a-z][a-z0-9_]*)\}")
SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")  # Secret Manager secret id rules
ENV_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")


AGENT_NAME_PREFIX = "twenty-gcp-"


class ManifestError(ValueError):
    """A manifest is wrong; the message names the file, the field and the fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid manifests:\n" + "\n".join(f"  - {p}" for p in problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Named(_Strict):
    name: str

    @field_validator("name")
    @classmethod
    def _kebab(cls, value: str) -> str:
        return _check_name(value)


# ---------------------------------------------------------------- helpers


def _check_name(value: str) -> str:
    if not NAME_RE.match(value):
        raise ValueError(f"{value!r} must be kebab-case: lowercase letters, digits and single dashes")
    return value


def _check_stack_refs_only(value: str, what: str) -> str:
    """A value that is either a literal without `${` or uses only `${stack.<key>}` references."""
    leftover = STACK_REF_RE.sub("", value)
    if "${" in leftover:
        raise ValueError(f"{what} {value!r}: only `${{stack.<key>}}` references are allowed (lowercase key)")
    return value


def resolve_stack_refs(value: str, stack: Mapping[str, str]) -> str:
    """Replace every `${stack.<key>}` with the stack setting; a missing key is an error."""

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in stack:
            raise KeyError(f"stack setting {key!r} is not set (needed by {value!r})")
        return str(stack[key])

    return STACK_REF_RE.sub(sub, value)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def stack_keys(value: Any) -> set[str]:
    """Every `${stack.<key>}` key used anywhere inside `value` (str, dict, list or model dump)."""
    return {m for text in _strings(value) for m in STACK_REF_RE.findall(text)}


def stable_uuid(*parts: str) -> str:
    """Deterministic id for an item we own, so a re-run finds it instead of duplicating it."""
    return str(uuid.uuid5(MANIFEST_NAMESPACE, "/".join(parts)))


def check_url(url: str, shown: str) -> str:
    """An absolute https URL (http only for loopback, for local tests)."""
    match = re.match(r"^(https?)://([^/\s:?#@]+)(:\d+)?([/?#]\S*)?$", url)
    if not match:
        raise ValueError(f"targetUrl {shown!r} is not an absolute http(s) URL like https://host/path")
    if match.group(1) != "https" and match.group(2) not in {"localhost", "127.0.0.1"}:
        raise ValueError(f"targetUrl {shown!r} must use https (Twenty posts record data to it)")
    return url


def check_event_name(event: str, known_objects: Iterable[str], what: str = "event") -> str:
    """`<object>.<action>` with Twenty's wildcards; the object must exist in the workspace."""
    obj, dot, action = event.partition(".")
    if not dot or not obj or not action:
        raise ValueError(f"{what} {event!r} must look like `<object>.<action>`, e.g. `person.created`")
    if action not in EVENT_ACTIONS:
        raise ValueError(f"{what} {event!r}: action {action!r} is not one of {sorted(EVENT_ACTIONS)}")
    known = set(known_objects)
    if obj != "*" and obj not in known:
        raise ValueError(
            f"{what} {event!r}: unknown object {obj!r}; use the singular API name of a standard object "
            f"({', '.join(sorted(known)[:8])}, …) or add the custom object to apps.yaml `objects`"
        )
    return event
