"""``load_manifests``: read every manifest kind under ``apps/``, validate each file and the
references between them, and report every problem at once."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import (
    BaseModel,
    Field,
    ValidationError,
)

from deploy.manifests.agents import AgentManifest
from deploy.manifests.apps import AppEntry, AppsIndex
from deploy.manifests.common import STANDARD_OBJECTS, ManifestError, _Strict, check_event_name, stack_keys
from deploy.manifests.dashboards import DashboardManifest
from deploy.manifests.webhooks import WebhookManifest, WebhooksFile
from deploy.manifests.workflows import DatabaseEventTrigger, ManualTrigger, WorkflowManifest

M = TypeVar("M", bound=BaseModel)


class Manifests(_Strict):
    apps_dir: Path
    apps: list[AppEntry]
    agents: list[AgentManifest]
    workflows: list[WorkflowManifest]
    webhooks: list[WebhookManifest]
    dashboards: list[DashboardManifest] = Field(default_factory=list)

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
        return model.model_validate(data, context={"base_dir": path.parent})
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
    dashboards: list[tuple[Path, DashboardManifest]],
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
            _check_event(t.event_name, known, path, "trigger", problems)
        if isinstance(t, ManualTrigger) and t.objectType and t.objectType not in known:
            problems.append(f"{path}: trigger.objectType: unknown object {t.objectType!r}")
        for i, step in enumerate(wf.steps):
            obj = step.input.get("objectName") if isinstance(step.input, dict) else None
            if isinstance(obj, str) and "{{" not in obj and obj not in known:
                problems.append(
                    f"{path}: steps.{i}.input.objectName: unknown object {obj!r}; use a singular API name "
                    "or add the custom object to apps.yaml `objects`"
                )
            agent = (
                step.input.get("agent") if step.type == "AI_AGENT" and isinstance(step.input, dict) else None
            )
            if agent is not None and agent not in agent_names:
                problems.append(
                    f"{path}: steps.{i}.input.agent: no agent {agent!r} in agents/; "
                    f"known: {sorted(agent_names)}"
                )
    for path, hook in webhooks:
        for i, op in enumerate(hook.operations):
            _check_event(op, known, path, f"webhooks.{hook.name}.operations.{i}", problems)
    for path, board in dashboards:
        for i, widget in enumerate(board.widgets):
            obj = getattr(widget, "object", None)
            if obj is not None and obj not in known:
                problems.append(
                    f"{path}: widgets.{i}.object: unknown object {obj!r}; use a singular API name "
                    "or add the custom object to apps.yaml `objects`"
                )


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
    dashboards = _load_dir(DashboardManifest, root / "dashboards", problems)
    webhooks: list[tuple[Path, WebhookManifest]] = []
    hooks_path = root / "webhooks.yaml"
    if hooks_path.is_file():
        hooks = _parse(WebhooksFile, hooks_path, problems)
        webhooks = [(hooks_path, h) for h in hooks.webhooks] if hooks else []

    _check_unique("app", apps, "name", problems)
    _check_unique("webhook", webhooks, "name", problems)
    _check_unique("agent label", agents, "label", problems)
    _check_unique("workflow label", workflows, "label", problems)
    _check_unique("dashboard title", dashboards, "title", problems)
    _cross_checks(root, apps, agents, workflows, webhooks, dashboards, problems)
    if problems:
        raise ManifestError(problems)
    return Manifests(
        apps_dir=root,
        apps=[a for _, a in apps],
        agents=[a for _, a in agents],
        workflows=[w for _, w in workflows],
        webhooks=[h for _, h in webhooks],
        dashboards=[d for _, d in dashboards],
    )
