"""Schema and loader for what `inv deploy` puts into Twenty besides app code.

Layout under ``apps/`` (see docs/apps.md):

- ``apps.yaml``            index of the twenty-sdk app folders, the custom objects they create and
                           the Secret Manager secret behind each secret application variable
- ``agents/<name>.yaml``   one AI agent each (prompt, model, least-privileged role)
- ``workflows/<name>.yaml`` one workflow template each (trigger + steps, Twenty 2.21 shapes)
- ``webhooks.yaml``        outbound Twenty webhooks (target URL, operations)
- ``dashboards/<name>.yaml`` one dashboard each (a tab of charts, record tables, rich text)

Crons are not a separate manifest: they are ``cronTriggerSettings`` on the apps' logic functions
(Twenty runs them) or ``CRON`` workflow triggers.

``load_manifests(apps_dir)`` validates everything and raises ``ManifestError`` whose message names
the file, the field and what to change. Values written ``${stack.<key>}`` are resolved by the deploy
from the stack settings (``resolve_stack_refs``); secrets are never values here, only the names of
Secret Manager secrets.

One module per kind: ``apps`` (apps.yaml), ``agents``, ``workflows``, ``webhooks``; ``common`` holds
what they share and ``loader`` reads them all. Every name is re-exported here.
"""

from __future__ import annotations

from deploy.manifests.agents import (
    AgentManifest,
    AgentRole,
    ModelConfiguration,
    ResponseFormat,
    ToolSwitch,
)
from deploy.manifests.apps import (
    AppEntry,
    AppsIndex,
)
from deploy.manifests.common import (
    AGENT_NAME_PREFIX,
    ENV_KEY_RE,
    EVENT_ACTIONS,
    MANIFEST_NAMESPACE,
    NAME_RE,
    REQUIRED_STEP_INPUT,
    SECRET_NAME_RE,
    STACK_REF_RE,
    STANDARD_OBJECTS,
    STEP_ID_RE,
    STEP_REF_RE,
    STEP_TYPES,
    ManifestError,
    check_event_name,
    check_url,
    resolve_stack_refs,
    stable_uuid,
    stack_keys,
    validate_cron,
)
from deploy.manifests.dashboards import DashboardManifest
from deploy.manifests.loader import (
    M,
    Manifests,
    load_manifests,
)
from deploy.manifests.webhooks import (
    WebhookManifest,
    WebhooksFile,
)
from deploy.manifests.workflows import (
    CronTrigger,
    DatabaseEventTrigger,
    ManualTrigger,
    Step,
    Trigger,
    WebhookTrigger,
    WorkflowManifest,
)

__all__ = [
    "AGENT_NAME_PREFIX",
    "ENV_KEY_RE",
    "EVENT_ACTIONS",
    "MANIFEST_NAMESPACE",
    "NAME_RE",
    "REQUIRED_STEP_INPUT",
    "SECRET_NAME_RE",
    "STACK_REF_RE",
    "STANDARD_OBJECTS",
    "STEP_ID_RE",
    "STEP_REF_RE",
    "STEP_TYPES",
    "AgentManifest",
    "AgentRole",
    "AppEntry",
    "AppsIndex",
    "CronTrigger",
    "DashboardManifest",
    "DatabaseEventTrigger",
    "M",
    "ManifestError",
    "Manifests",
    "ManualTrigger",
    "ModelConfiguration",
    "ResponseFormat",
    "Step",
    "ToolSwitch",
    "Trigger",
    "WebhookManifest",
    "WebhookTrigger",
    "WebhooksFile",
    "WorkflowManifest",
    "check_event_name",
    "check_url",
    "load_manifests",
    "resolve_stack_refs",
    "stable_uuid",
    "stack_keys",
    "validate_cron",
]
