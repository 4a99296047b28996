"""Schema and loader for what `inv deploy` puts into Twenty besides app code.

Layout under ``apps/`` (see docs/apps.md):

- ``apps.yaml``            index of the twenty-sdk app folders, the custom objects they create and
                           the Secret Manager secret behind each secret application variable
- ``agents/<name>.yaml``   one AI agent each (prompt, model, least-privileged role)
- ``workflows/<name>.yaml`` one workflow template each (trigger + steps, Twenty 2.21 shapes)
- ``webhooks.yaml``        outbound Twenty webhooks (target URL, operations)

Crons are not a separate manifest: they are ``cronTriggerSettings`` on the apps' logic functions
(Twenty runs them) or ``CRON`` workflow triggers.

``load_manifests(apps_dir)`` validates everything and raises ``ManifestError`` whose message names
the file, the field and what to change. Values written ``${stack.<key>}`` are resolved by the deploy
from the stack settings (``resolve_stack_refs``); secrets are never values here, only the names of
Secret Manager secrets.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
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
        "attachment", "blocklist", "calendarChannelEventAssociation", "calendarEvent",
        "calendarEventParticipant", "callRecording", "company", "dashboard", "message",
        "messageCampaign", "messageChannelMessageAssociation",
        "messageChannelMessageAssociationMessageFolder", "messageList", "messageListMember",
        "messageParticipant", "messageThread", "note", "noteTarget",
        "opportunity", "person", "task", "taskTarget", "timelineActivity", "workflow",
        "workflowRun", "workflowVersion", "workspaceMember",
    }
)
# DatabaseEventAction in 2.21 (twenty-shared); `*` is Twenty's wildcard.
EVENT_ACTIONS: frozenset[str] = frozenset(
    {"created", "updated", "deleted", "destroyed", "restored", "upserted", "*"}
)
# WorkflowActionType in 2.21 (twenty-shared/workflow).
STEP_TYPES: tuple[str, ...] = (
    "CODE", "LOGIC_FUNCTION", "SEND_EMAIL", "DRAFT_EMAIL", "CREATE_CALENDAR_EVENT",
    "CREATE_RECORD", "UPDATE_RECORD", "DELETE_RECORD", "UPSERT_RECORD", "FIND_RECORDS",
    "PICK_RECORD", "FORM", "FILTER", "IF_ELSE", "HTTP_REQUEST", "AI_AGENT", "ITERATOR", "DELAY",
    "EMPTY",
)
# Keys a step's `input` must have, per type: what the 2.21 executor reads (workflow-action input
# types in twenty-server); AI_AGENT uses our `agent` name, mapped to `agentId` at deploy time.
REQUIRED_STEP_INPUT: dict[str, tuple[str, ...]] = {
    "CREATE_RECORD": ("objectName", "objectRecord"),
    "UPDATE_RECORD": ("objectName", "objectRecordId", "objectRecord"),
    "DELETE_RECORD": ("objectName", "objectRecordId"),
    "UPSERT_RECORD": ("objectName", "objectRecord"),
    "FIND_RECORDS": ("objectName",),
    "AI_AGENT": ("agent", "prompt"),
    "SEND_EMAIL": ("connectedAccountId", "recipients", "subject", "body"),
    "DRAFT_EMAIL": ("connectedAccountId", "recipients", "subject", "body"),
    "HTTP_REQUEST": ("url", "method"),
    "LOGIC_FUNCTION": ("logicFunction",),
}

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
STEP_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
STACK_REF_RE = re.compile(r"\$\{stack\.([a-z][a-z0-9_]*)\}")
SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")  # Secret Manager secret id rules
ENV_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
STEP_REF_RE = re.compile(r"\{\{\s*([A-Za-z0-9_-]+)\.")


M = TypeVar("M", bound=BaseModel)


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


_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_NAMES = ("minute", "hour", "day of month", "month", "day of week")


def validate_cron(pattern: str) -> str:
    """Check a 5-field cron expression (numbers, `*`, ranges, steps, lists); return it unchanged."""
    fields = pattern.split()
    if len(fields) != 5:
        raise ValueError(
            f"cron {pattern!r} has {len(fields)} fields; write 5: minute hour day-of-month month day-of-week"
        )
    for text, (low, high), label in zip(fields, _CRON_RANGES, _CRON_NAMES, strict=True):
        for part in text.split(","):
            _check_cron_part(part, low, high, label, pattern)
    return pattern


def _check_cron_part(part: str, low: int, high: int, label: str, pattern: str) -> None:
    base, _, step = part.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        raise ValueError(f"cron {pattern!r}: step {step!r} in the {label} field must be a positive number")
    if base == "*":
        return
    bounds = base.split("-")
    if len(bounds) > 2 or not all(b.isdigit() for b in bounds):
        raise ValueError(f"cron {pattern!r}: {part!r} is not valid in the {label} field")
    numbers = [int(b) for b in bounds]
    for n in numbers:
        if not low <= n <= high:
            raise ValueError(f"cron {pattern!r}: {n} is outside {low}-{high} in the {label} field")
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        raise ValueError(f"cron {pattern!r}: range {part!r} in the {label} field runs backwards")


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


# ---------------------------------------------------------------- apps.yaml


class AppEntry(_Named):
    path: str = Field(description="folder under apps/ holding the twenty-sdk app")
    description: str = ""
    objects: list[str] = Field(default_factory=list, description="custom objects (singular API name)")
    secrets: dict[str, str] = Field(
        default_factory=dict,
        description="secret application variable -> Secret Manager secret id",
    )
    settings: dict[str, str] = Field(
        default_factory=dict,
        description="plain application variable -> value, usually `${stack.<key>}`; deploy keeps it set "
        "(a reference to a setting the stack does not have leaves the app's value alone)",
    )


    @field_validator("objects")
    @classmethod
    def _objects(cls, value: list[str]) -> list[str]:
        for obj in value:
            if not re.match(r"^[a-z][A-Za-z0-9]*$", obj):
                raise ValueError(f"object {obj!r} must be a camelCase singular API name, e.g. websiteLead")
        return value

    @field_validator("secrets")
    @classmethod
    def _secrets(cls, value: dict[str, str]) -> dict[str, str]:
        for key, secret in value.items():
            if not ENV_KEY_RE.match(key):
                raise ValueError(f"variable {key!r} must be UPPER_SNAKE_CASE like the app declares it")
            if not SECRET_NAME_RE.match(secret):
                raise ValueError(
                    f"{key}: {secret!r} is not a Secret Manager secret id (letters, digits, - and _); "
                    "write the secret's NAME here, never its value"
                )
        return value

    @field_validator("settings")
    @classmethod
    def _settings(cls, value: dict[str, str]) -> dict[str, str]:
        for key, text in value.items():
            if not ENV_KEY_RE.match(key):
                raise ValueError(f"variable {key!r} must be UPPER_SNAKE_CASE like the app declares it")
            _check_stack_refs_only(text, key)
        return value


class AppsIndex(_Strict):
    apps: list[AppEntry]


# ---------------------------------------------------------------- agents


class AgentRole(_Strict):
    """The role created for the agent (CreateRoleInput); agents never manage settings or hard-delete."""

    label: str
    description: str = ""
    read_only: bool = Field(False, alias="readOnly")
    canReadAllObjectRecords: bool = True
    canUpdateAllObjectRecords: bool = False
    canSoftDeleteAllObjectRecords: bool = False
    canDestroyAllObjectRecords: Literal[False] = False
    canUpdateAllSettings: Literal[False] = False
    canAccessAllTools: bool = False

    @model_validator(mode="after")
    def _least_privilege(self) -> AgentRole:
        if self.read_only and (self.canUpdateAllObjectRecords or self.canSoftDeleteAllObjectRecords):
            raise ValueError(
                "readOnly role cannot set canUpdateAllObjectRecords or canSoftDeleteAllObjectRecords; "
                "remove them or drop readOnly"
            )
        if not self.canReadAllObjectRecords and self.canUpdateAllObjectRecords:
            raise ValueError("canUpdateAllObjectRecords needs canReadAllObjectRecords")
        return self

    def create_role_input(self) -> dict[str, Any]:
        """CreateRoleInput for /metadata (metadata-introspection.json)."""
        return {
            "label": self.label,
            "description": self.description,
            "canReadAllObjectRecords": self.canReadAllObjectRecords,
            "canUpdateAllObjectRecords": self.canUpdateAllObjectRecords,
            "canSoftDeleteAllObjectRecords": self.canSoftDeleteAllObjectRecords,
            "canDestroyAllObjectRecords": False,
            "canUpdateAllSettings": False,
            "canAccessAllTools": self.canAccessAllTools,
            "canBeAssignedToAgents": True,
            "canBeAssignedToUsers": False,
            "canBeAssignedToApiKeys": False,
        }


class ResponseFormat(_Strict):
    type: Literal["text", "json"] = "text"
    schema_: dict[str, Any] | None = Field(None, alias="schema")

    @model_validator(mode="after")
    def _schema_for_json(self) -> ResponseFormat:
        if self.type == "json" and not self.schema_:
            raise ValueError("responseFormat type json needs a `schema` (an object JSON schema)")
        return self


class ToolSwitch(_Strict):
    enabled: bool
    configuration: dict[str, Any] | None = None


class ModelConfiguration(_Strict):
    """2.21's agent modelConfiguration (twenty-shared ModelConfiguration). There is no per-agent
    reasoning setting in 2.21: reasoning options are set per model, and only for Anthropic and
    Bedrock (ai-model-config.service.ts); an OpenAI-compatible deployment uses its own default."""

    webSearch: ToolSwitch | None = None
    twitterSearch: ToolSwitch | None = None


class AgentManifest(_Named):
    label: str
    description: str = ""
    icon: str = "IconRobot"
    model: str = Field(description="model id, or `${stack.<key>}` to take it from the stack settings")
    prompt: str = Field(min_length=20)
    role: AgentRole
    responseFormat: ResponseFormat = Field(default_factory=ResponseFormat)
    modelConfiguration: ModelConfiguration = Field(default_factory=ModelConfiguration)


    @field_validator("model")
    @classmethod
    def _model(cls, value: str) -> str:
        return _check_stack_refs_only(value, "model")

    @property
    def universal_identifier(self) -> str:
        return stable_uuid("agent", self.name)

    @property
    def twenty_name(self) -> str:
        """The agent's key inside Twenty. 2.21 ships a standard agent named `helper` and agent names
        are unique per workspace, so ours carry a prefix; manifests and workflows use `name`."""
        return AGENT_NAME_PREFIX + self.name

    def create_agent_input(self, stack: Mapping[str, str], role_id: str | None) -> dict[str, Any]:
        """CreateAgentInput (metadata-introspection.json; example 141); `name` is the agent's key."""
        body: dict[str, Any] = {
            "name": self.twenty_name,
            "label": self.label,
            "icon": self.icon,
            "description": self.description,
            "prompt": self.prompt,
            "modelId": resolve_stack_refs(self.model, stack),
            "responseFormat": self.responseFormat.model_dump(by_alias=True, exclude_none=True),
        }
        config = self.modelConfiguration.model_dump(exclude_none=True)
        if config:
            body["modelConfiguration"] = config
        if role_id:
            body["roleId"] = role_id
        return body


# ---------------------------------------------------------------- workflows


class DatabaseEventTrigger(_Strict):
    type: Literal["DATABASE_EVENT"]
    eventName: str
    fields: list[str] = Field(default_factory=list, description="updated fields that fire it (updates)")


class CronTrigger(_Strict):
    type: Literal["CRON"]
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return validate_cron(value)

    def settings(self) -> dict[str, Any]:
        # 2.21's CRON trigger (twenty-shared cron-trigger-schema.ts): CUSTOM + pattern covers every schedule.
        return {"type": "CUSTOM", "pattern": self.pattern, "outputSchema": {}}


class ManualTrigger(_Strict):
    type: Literal["MANUAL"]
    objectType: str | None = None


class WebhookTrigger(_Strict):
    type: Literal["WEBHOOK"]
    httpMethod: Literal["GET", "POST"] = "POST"
    authentication: Literal["API_KEY"] | None = None
    expectedBody: dict[str, Any] = Field(default_factory=dict)


Trigger = Annotated[
    DatabaseEventTrigger | CronTrigger | ManualTrigger | WebhookTrigger, Field(discriminator="type")
]


class Step(_Strict):
    id: str = Field(description="short id, unique in the workflow; `{{<id>.field}}` refers to its output")
    name: str
    type: Literal[STEP_TYPES]  # type: ignore[valid-type]
    input: dict[str, Any] = Field(default_factory=dict)
    next: list[str] = Field(default_factory=list)
    continueOnFailure: bool = False
    retryOnFailure: bool = False

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if value == "trigger" or not STEP_ID_RE.match(value):
            raise ValueError(f"step id {value!r} must be snake_case and not `trigger`")
        return value

    @model_validator(mode="after")
    def _required_input(self) -> Step:
        missing = [k for k in REQUIRED_STEP_INPUT.get(self.type, ()) if k not in self.input]
        if missing:
            raise ValueError(f"step {self.id!r} ({self.type}) needs input keys {missing}")
        for text in _strings(self.input):
            _check_stack_refs_only(text, f"step {self.id!r} input value")
        if self.type == "FIND_RECORDS" and "filter" in self.input:
            _check_record_filter(self.id, self.input["filter"])
        return self


def _check_record_filter(step_id: str, value: Any) -> None:
    """2.21 turns recordFilters into a query by field metadata id (find-records.workflow-action.ts):
    a filter without ids, or without its groups, silently matches every record."""
    if not isinstance(value, dict) or not isinstance(value.get("recordFilters"), list):
        raise ValueError(f"step {step_id!r}: filter needs a recordFilters list")
    if not isinstance(value.get("recordFilterGroups"), list) or not value["recordFilterGroups"]:
        raise ValueError(f"step {step_id!r}: filter needs recordFilterGroups (at least one group)")
    for i, item in enumerate(value["recordFilters"]):
        missing = [k for k in ("fieldMetadataId", "operand", "value", "recordFilterGroupId") if k not in item]
        if missing:
            raise ValueError(
                f"step {step_id!r}: recordFilters[{i}] needs {missing}; field ids differ per workspace, so "
                "prefer an AI_AGENT step or a trigger value over a hard-coded filter"
            )


class WorkflowManifest(_Named):
    label: str
    description: str = ""
    trigger: Trigger
    start: list[str] = Field(description="ids of the steps the trigger runs first")
    steps: list[Step] = Field(min_length=1)
    activate: bool = True


    @model_validator(mode="after")
    def _graph(self) -> WorkflowManifest:
        ids = [s.id for s in self.steps]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate step ids {dupes}: give each step its own id")
        known = set(ids)
        edges = [("start", self.start), *((f"step {s.id!r} next", s.next) for s in self.steps)]
        for source, targets in edges:
            unknown = [t for t in targets if t not in known]
            if unknown:
                raise ValueError(f"{source} points at unknown steps {unknown}; known: {sorted(known)}")
        for step in self.steps:
            for ref in STEP_REF_RE.findall(repr(step.input)):
                if ref != "trigger" and ref not in known:
                    raise ValueError(f"step {step.id!r} uses `{{{{{ref}.…}}}}` but there is no step {ref!r}")
        self._check_acyclic()
        return self

    def _check_acyclic(self) -> None:
        edges = {s.id: s.next for s in self.steps}
        state: dict[str, int] = {}

        def visit(node: str, path: list[str]) -> None:
            if state.get(node) == 1:
                raise ValueError(f"steps form a loop: {' -> '.join([*path, node])}; use an ITERATOR step")
            if state.get(node) == 2:
                return
            state[node] = 1
            for nxt in edges[node]:
                visit(nxt, [*path, node])
            state[node] = 2

        for sid in edges:
            visit(sid, [])

    def step_uuid(self, step_id: str) -> str:
        return stable_uuid("workflow", self.name, "step", step_id)

    def to_twenty(self, stack: Mapping[str, str], agent_ids: Mapping[str, str]) -> dict[str, Any]:
        """`trigger` and `steps` in the shape 2.21's workflowVersion stores (examples 154/158, seed)."""
        id_map = {s.id: self.step_uuid(s.id) for s in self.steps}
        trigger_settings: dict[str, Any]
        t = self.trigger
        if isinstance(t, DatabaseEventTrigger):
            trigger_settings = {"eventName": t.eventName, "outputSchema": {}}
            if t.fields:
                trigger_settings["fields"] = t.fields
        elif isinstance(t, CronTrigger):
            trigger_settings = t.settings()
        elif isinstance(t, WebhookTrigger):
            trigger_settings = {
                "httpMethod": t.httpMethod, "authentication": t.authentication,
                "expectedBody": t.expectedBody, "outputSchema": {},
            }
        else:
            trigger_settings = {"outputSchema": {}, "availability": {"type": "GLOBAL"}}
            if t.objectType:
                trigger_settings["objectType"] = t.objectType
                trigger_settings["availability"] = {
                    "type": "SINGLE_RECORD", "objectNameSingular": t.objectType,
                }
        trigger = {
            "name": self.label, "type": t.type, "settings": trigger_settings,
            "nextStepIds": [id_map[s] for s in self.start], "position": {"x": 0, "y": 0},
        }
        steps = [
            {
                "id": id_map[s.id], "name": s.name, "type": s.type, "valid": True,
                "settings": {
                    "input": _step_input(s, id_map, stack, agent_ids),
                    "outputSchema": {},
                    "errorHandlingOptions": {
                        "retryOnFailure": {"value": s.retryOnFailure},
                        "continueOnFailure": {"value": s.continueOnFailure},
                    },
                },
                "nextStepIds": [id_map[n] for n in s.next],
                "position": {"x": 0, "y": 200 * (i + 1)},
            }
            for i, s in enumerate(self.steps)
        ]
        return {"trigger": trigger, "steps": steps}


def _step_input(
    step: Step, id_map: Mapping[str, str], stack: Mapping[str, str], agent_ids: Mapping[str, str]
) -> Any:
    def walk(value: Any) -> Any:
        if isinstance(value, str):
            value = resolve_stack_refs(value, stack)
            for short, full in id_map.items():
                value = re.sub(r"\{\{\s*" + re.escape(short) + r"\.", "{{" + full + ".", value)
            return value
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    data = walk(step.input)
    if step.type == "AI_AGENT":
        data = {"agentId": agent_ids[data.pop("agent")], **data}
    return data


# ---------------------------------------------------------------- webhooks


class WebhookManifest(_Named):
    description: str = ""
    targetUrl: str
    operations: list[str] = Field(min_length=1)
    secret: str | None = Field(None, description="Secret Manager secret id holding the signing secret")


    @field_validator("targetUrl")
    @classmethod
    def _url(cls, value: str) -> str:
        _check_stack_refs_only(value, "targetUrl")
        if STACK_REF_RE.fullmatch(value):
            return value  # the whole URL comes from the stack; checked again once resolved
        check_url(STACK_REF_RE.sub("example.invalid", value), value)
        return value

    def resolved_url(self, stack: Mapping[str, str]) -> str:
        url = resolve_stack_refs(self.targetUrl, stack)
        check_url(url, f"{self.targetUrl} = {url}")
        return url

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None and not SECRET_NAME_RE.match(value):
            raise ValueError(f"secret {value!r} must be a Secret Manager secret id, never the secret itself")
        return value

    def create_input(self, stack: Mapping[str, str], secret_value: str | None) -> dict[str, Any]:
        """Body for POST /rest/metadata/webhooks (example 130)."""
        body: dict[str, Any] = {
            "targetUrl": self.resolved_url(stack),
            "operations": list(self.operations),
            "description": self.description or f"[twenty-gcp:{self.name}]",
        }
        if secret_value is not None:
            body["secret"] = secret_value
        return body


class WebhooksFile(_Strict):
    webhooks: list[WebhookManifest] = Field(default_factory=list)


# ---------------------------------------------------------------- loader


class Manifests(_Strict):
    apps_dir: Path
    apps: list[AppEntry]
    agents: list[AgentManifest]
    workflows: list[WorkflowManifest]
    webhooks: list[WebhookManifest]

    @property
    def known_objects(self) -> frozenset[str]:
        return STANDARD_OBJECTS | {o for a in self.apps for o in a.objects}

    def required_stack_keys(self, kinds: Iterable[str] = ("agents", "workflows", "webhooks")) -> set[str]:
        """Stack settings the deploy must supply to resolve every `${stack.<key>}` of these kinds."""
        by_kind = {"agents": self.agents, "workflows": self.workflows, "webhooks": self.webhooks}
        dumped = [m.model_dump(by_alias=True) for kind in kinds for m in by_kind.get(kind, ())]
        return stack_keys(dumped)

    def agent(self, name: str) -> AgentManifest:
        return next(a for a in self.agents if a.name == name)

    def app_path(self, app: AppEntry) -> Path:
        return self.apps_dir / app.path

    def built_manifest(self, app: AppEntry) -> dict[str, Any] | None:
        """The manifest `twenty dev:build` wrote for the app (`<app>/.twenty/output`), if built."""
        path = self.app_path(app) / ".twenty" / "output" / "manifest.json"
        if not path.is_file():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def routes(self, app: AppEntry) -> list[tuple[str, str]]:
        """(HTTP method, path under /s/) of the app's route triggers, from its built manifest."""
        manifest = self.built_manifest(app) or {}
        return [
            (fn["httpRouteTriggerSettings"]["httpMethod"], "/s" + fn["httpRouteTriggerSettings"]["path"])
            for fn in manifest.get("logicFunctions", [])
            if fn.get("httpRouteTriggerSettings")
        ]


def _format_error(path: Path, err: ValidationError) -> list[str]:
    problems = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"] if not str(p).startswith("function-after"))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key; remove it or fix its spelling"
        elif e["type"] == "missing":
            msg = "required field is missing; add it"
        elif e["type"] == "literal_error":
            msg = f"{msg} (got {e.get('input')!r})"
        problems.append(f"{path}: {loc or '<top>'}: {msg}")
    return problems


def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(f"{path}: not valid YAML: {exc}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{path}: <top>: expected a mapping of keys, got {type(data).__name__}")
        return None
    return data


def _parse(model: type[M], path: Path, problems: list[str]) -> M | None:
    data = _read_yaml(path, problems)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems.extend(_format_error(path, err))
        return None


def _load_dir(model: type[M], folder: Path, problems: list[str]) -> list[tuple[Path, M]]:
    out: list[tuple[Path, M]] = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        if path.suffix == ".yml":
            problems.append(f"{path}: rename to {path.stem}.yaml (only .yaml files are read)")
        if path.suffix != ".yaml":
            continue
        item = _parse(model, path, problems)
        if item is None:
            continue
        if getattr(item, "name", None) != path.stem:
            name = getattr(item, "name", None)
            problems.append(f"{path}: name: {name!r} must equal the file name {path.stem!r}")
        out.append((path, item))
    return out


def _check_unique(kind: str, items: Iterable[tuple[Path, Any]], attr: str, problems: list[str]) -> None:
    seen: dict[str, Path] = {}
    for path, item in items:
        key = getattr(item, attr)
        if key in seen:
            problems.append(f"{path}: {attr}: {kind} {key!r} is already defined in {seen[key]}; rename one")
        seen.setdefault(key, path)


def _cross_checks(
    apps_dir: Path,
    apps: list[tuple[Path, AppEntry]],
    agents: list[tuple[Path, AgentManifest]],
    workflows: list[tuple[Path, WorkflowManifest]],
    webhooks: list[tuple[Path, WebhookManifest]],
    problems: list[str],
) -> None:
    known = STANDARD_OBJECTS | {o for _, a in apps for o in a.objects}
    agent_names = {a.name for _, a in agents}
    for path, app in apps:
        if not (apps_dir / app.path / "package.json").is_file():
            problems.append(
                f"{path}: apps.{app.name}.path: {app.path!r} has no package.json; point it at the app folder"
            )
    for path, wf in workflows:
        t = wf.trigger
        if isinstance(t, DatabaseEventTrigger):
            _check_event(t.eventName, known, path, "trigger.eventName", problems)
        if isinstance(t, ManualTrigger) and t.objectType and t.objectType not in known:
            problems.append(f"{path}: trigger.objectType: unknown object {t.objectType!r}")
        for i, step in enumerate(wf.steps):
            obj = step.input.get("objectName")
            if isinstance(obj, str) and "{{" not in obj and obj not in known:
                problems.append(
                    f"{path}: steps.{i}.input.objectName: unknown object {obj!r}; use a singular API name "
                    "or add the custom object to apps.yaml `objects`"
                )
            agent = step.input.get("agent") if step.type == "AI_AGENT" else None
            if agent is not None and agent not in agent_names:
                problems.append(
                    f"{path}: steps.{i}.input.agent: no agent {agent!r} in agents/; "
                    f"known: {sorted(agent_names)}"
                )
    for path, hook in webhooks:
        for i, op in enumerate(hook.operations):
            _check_event(op, known, path, f"webhooks.{hook.name}.operations.{i}", problems)


def _check_event(event: str, known: frozenset[str], path: Path, loc: str, problems: list[str]) -> None:
    try:
        check_event_name(event, known, loc.rsplit(".", 1)[-1] if "operations" not in loc else "operation")
    except ValueError as exc:
        problems.append(f"{path}: {loc}: {exc}")


def load_manifests(apps_dir: Path | str) -> Manifests:
    """Read and validate everything under `apps_dir`; raise ManifestError listing every problem."""
    root = Path(apps_dir)
    problems: list[str] = []
    if not root.is_dir():
        raise ManifestError([f"{root}: not a directory; pass the repository's apps/ folder"])

    apps: list[tuple[Path, AppEntry]] = []
    index_path = root / "apps.yaml"
    if index_path.is_file():
        index = _parse(AppsIndex, index_path, problems)
        apps = [(index_path, a) for a in index.apps] if index else []
    agents = _load_dir(AgentManifest, root / "agents", problems)
    workflows = _load_dir(WorkflowManifest, root / "workflows", problems)
    webhooks: list[tuple[Path, WebhookManifest]] = []
    hooks_path = root / "webhooks.yaml"
    if hooks_path.is_file():
        hooks = _parse(WebhooksFile, hooks_path, problems)
        webhooks = [(hooks_path, h) for h in hooks.webhooks] if hooks else []

    _check_unique("app", apps, "name", problems)
    _check_unique("webhook", webhooks, "name", problems)
    _check_unique("agent label", agents, "label", problems)
    _check_unique("workflow label", workflows, "label", problems)
    _cross_checks(root, apps, agents, workflows, webhooks, problems)
    if problems:
        raise ManifestError(problems)
    return Manifests(
        apps_dir=root,
        apps=[a for _, a in apps],
        agents=[a for _, a in agents],
        workflows=[w for _, w in workflows],
        webhooks=[h for _, h in webhooks],
    )
