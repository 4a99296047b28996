"""``workflows/<name>.yaml``: one workflow template each (trigger + steps + edges).

The step, trigger and graph checks are twenty_api.workflow_steps' (the same the MCP tools use);
a manifest adds what only a deployed template has:
- `${stack.<key>}` references (resolved from the stack's settings at deploy time);
- `${secret.<NAME>}` references, NAME a key of the manifest's `secrets` map whose value is the
  Secret Manager secret id (the value is read at deploy time and never written in a manifest);
- AI_AGENT steps name one of our agents (`agent: <agents/ name>`), mapped to its id at deploy time;
- a CODE step's source may live in a file beside the manifests (`codeFile: code/x.mjs`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from deploy.manifests.common import (
    SECRET_NAME_RE,
    STACK_REF_RE,
    _Named,
    _strings,
    resolve_stack_refs,
    stable_uuid,
)
from twenty_api.workflow_shapes import step_to_twenty, trigger_to_twenty
from twenty_api.workflow_steps import (
    CronTrigger,
    DatabaseEventTrigger,
    ManualTrigger,
    Trigger,
    WebhookTrigger,
    WorkflowStep,
    check_graph,
    graph_objects,
)

__all__ = [
    "CronTrigger",
    "DatabaseEventTrigger",
    "ManualTrigger",
    "Step",
    "WebhookTrigger",
    "WorkflowManifest",
]

SECRET_REF_RE = re.compile(r"\$\{secret\.([A-Z][A-Z0-9_]*)\}")
CODE_DIR = "code"


class Step(WorkflowStep):
    codeFile: str | None = Field(default=None, description="CODE: the source file, relative to workflows/")

    @model_validator(mode="before")
    @classmethod
    def _read_code(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or not data.get("codeFile"):
            return data
        if data.get("code"):
            raise ValueError(f"step {data.get('id')!r}: give `code` or `codeFile`, not both")
        base = (info.context or {}).get("base_dir")
        if base is None:
            raise ValueError(
                f"step {data.get('id')!r}: codeFile needs the manifest's folder (load it with load_manifests)"
            )
        path = (Path(base) / str(data["codeFile"])).resolve()
        if Path(base).resolve() not in path.parents:
            raise ValueError(
                f"step {data.get('id')!r}: codeFile {data['codeFile']!r} must stay inside workflows/"
            )
        if not path.is_file():
            raise ValueError(
                f"step {data.get('id')!r}: codeFile {data['codeFile']!r} does not exist ({path})"
            )
        return {**data, "code": path.read_text(encoding="utf-8")}

    @model_validator(mode="after")
    def _manifest_input(self) -> Step:
        for text in _strings(self.input):
            leftover = SECRET_REF_RE.sub("", STACK_REF_RE.sub("", text))
            if "${" in leftover:
                raise ValueError(
                    f"step {self.id!r} input value {text!r}: only `${{stack.<key>}}` and "
                    "`${secret.<NAME>}` references are allowed"
                )
        if (
            self.type == "AI_AGENT"
            and isinstance(self.input, dict)
            and ("agent" not in self.input or "agentId" in self.input)
        ):
            raise ValueError(f"step {self.id!r} (AI_AGENT) needs `agent`: the name of one of agents/*.yaml")
        if self.type == "CODE" and self.code is None:
            raise ValueError(f"step {self.id!r} (CODE) needs `codeFile` (or `code`)")
        return self


class WorkflowManifest(_Named):
    label: str
    description: str = ""
    trigger: Trigger
    start: list[str] = Field(min_length=1, description="ids of the steps the trigger runs first")
    steps: list[Step] = Field(min_length=1)
    secrets: dict[str, str] = Field(
        default_factory=dict, description="`${secret.NAME}` → Secret Manager secret id (never a value)"
    )
    activate: bool = True

    @field_validator("secrets")
    @classmethod
    def _secrets(cls, value: dict[str, str]) -> dict[str, str]:
        for key, secret in value.items():
            if not re.match(r"^[A-Z][A-Z0-9_]*$", key):
                raise ValueError(f"secrets: {key!r} must be UPPER_SNAKE (it is used as ${{secret.{key}}})")
            if not SECRET_NAME_RE.match(secret):
                raise ValueError(
                    f"secrets.{key}: {secret!r} is not a Secret Manager secret id; write its NAME"
                )
        return value

    @model_validator(mode="after")
    def _graph(self) -> WorkflowManifest:
        check_graph(self.start, list(self.steps))
        used = {m for s in self.steps for text in _strings(s.input) for m in SECRET_REF_RE.findall(text)}
        unknown = sorted(used - set(self.secrets))
        if unknown:
            raise ValueError(
                f"${{secret.…}} names {unknown} are not in `secrets` (known: {sorted(self.secrets)})"
            )
        return self

    def step_uuid(self, step_id: str) -> str:
        return stable_uuid("workflow", self.name, "step", step_id)

    def objects(self) -> set[str]:
        return graph_objects(self.trigger, self.steps)

    def secret_ids(self) -> list[str]:
        return sorted(set(self.secrets.values()))

    def code(self) -> dict[str, str]:
        """CODE step id (UUID) → its source."""
        return {self.step_uuid(s.id): s.code for s in self.steps if s.type == "CODE" and s.code is not None}

    def to_twenty(
        self, stack: Mapping[str, str], agent_ids: Mapping[str, str], secrets: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """`trigger` and `steps` in the shape 2.21's workflowVersion stores (examples 154/158, seed).
        `secrets` maps a Secret Manager id to its value (KeyError names a missing one)."""
        steps = [
            step_to_twenty(s, i, self.step_uuid, self.steps, agent_ids) for i, s in enumerate(self.steps)
        ]

        def resolve(value: Any) -> Any:
            if isinstance(value, str):
                value = resolve_stack_refs(value, stack)
                return SECRET_REF_RE.sub(lambda m: _secret(m.group(1)), value)
            if isinstance(value, list):
                return [resolve(v) for v in value]
            if isinstance(value, dict):
                return {k: resolve(v) for k, v in value.items()}
            return value

        def _secret(name: str) -> str:
            sid = self.secrets[name]
            if secrets is None or sid not in secrets:
                raise KeyError(f"secret {sid!r} (${{secret.{name}}}) is not available")
            return secrets[sid]

        for step in steps:
            step["settings"]["input"] = resolve(step["settings"]["input"])
        trigger = trigger_to_twenty(self.trigger, [self.step_uuid(s) for s in self.start], self.label)
        return {"trigger": trigger, "steps": steps}
