"""A small apps/ tree for the reconciler tests: one built twenty-sdk app (shaped like the captured
app-sync manifest), two agents, one workflow using an agent, one webhook."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

APP_UID = "3a9f1c2e-8b4d-4e6f-a1b2-c3d4e5f60719"
HANDLER_V1 = "export default { config: { handler: async () => ({ version: 'v1' }) } };\n"

AGENT = """\
name: {name}
label: {label}
description: Test agent {name}
model: ${{stack.ai_model}}
prompt: |
  You answer questions about the CRM records precisely and briefly. {extra}
role:
  label: "Agent: {name}"
  description: Reads records.
  readOnly: true
"""

WORKFLOW = """\
name: new-lead
label: "New lead: triage"
description: Triage new people.
trigger:
  type: DATABASE_EVENT
  eventName: person.created
start: [triage]
steps:
  - id: triage
    name: Triage the person
    type: AI_AGENT
    input:
      agent: analyst
      prompt: "Who is {{trigger.properties.after.name.firstName}}?"
    next: [note]
  - id: note
    name: Store a note
    type: CREATE_RECORD
    input:
      objectName: note
      objectRecord:
        title: "{title}"
"""

WORKFLOW_PLAIN = """\
name: new-lead
label: "New lead: triage"
description: Triage new people.
trigger:
  type: DATABASE_EVENT
  eventName: person.created
start: [note]
steps:
  - id: note
    name: Store a note
    type: CREATE_RECORD
    input:
      objectName: note
      objectRecord:
        title: "{title}"
    next: [task]
  - id: task
    name: Plan a call
    type: CREATE_RECORD
    input:
      objectName: task
      objectRecord:
        title: "Call {{trigger.properties.after.name.firstName}}"
"""

WEBHOOKS = """\
webhooks:
  - name: crm-events
    description: CRM events to the sink
    targetUrl: ${{stack.sink_url}}
    operations: [{ops}]
    secret: test-webhook-secret
"""

STACK = {"ai_model": "gpt-4o-mini", "sink_url": "https://sink.example.com/twenty"}
SECRETS = {"test-webhook-secret": "whsec_test_123", "test-hello-secret": "s3cr3t-value-123",
           "twenty-deploy-user": ""}


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def write_app(root: Path, handler: str = HANDLER_V1) -> None:
    app = root / "hello"
    out = app / ".twenty" / "output"
    (out / "src" / "logic-functions").mkdir(parents=True, exist_ok=True)
    (app / "package.json").write_text('{"name": "hello", "version": "0.1.0"}\n')
    pkg = '{"name": "hello", "version": "0.1.0", "dependencies": {}}\n'
    (out / "package.json").write_text(pkg)
    (out / "src" / "logic-functions" / "hello.mjs").write_text(handler)
    manifest = {
        "application": {
            "universalIdentifier": APP_UID, "displayName": "Hello sync", "description": "test app",
            "defaultRoleUniversalIdentifier": "7d0c3a52-5b3e-4c51-9d0e-2f6a1b9c4e01",
            "applicationVariables": {
                "GREETING": {"universalIdentifier": "5e1b2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d41",
                             "description": "Greeting", "value": "Hello"},
                "SECRET_TOKEN": {"universalIdentifier": "5e1b2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d42",
                                 "description": "secret", "isSecret": True},
            },
            "galleryImages": [], "yarnLockChecksum": None, "packageJsonChecksum": md5(pkg),
            "requiredServerVersionRange": None,
        },
        "objects": [], "fields": [], "indexes": [], "permissionFlags": [], "roles": [], "skills": [],
        "agents": [], "connectionProviders": [],
        "logicFunctions": [{
            "universalIdentifier": "9c2d4e6f-1a3b-4c5d-8e7f-0a1b2c3d4e51", "name": "hello-sync",
            "description": "Says hello", "timeoutSeconds": 30,
            "httpRouteTriggerSettings": {"path": "/hello-sync", "httpMethod": "GET", "isAuthRequired": False},
            "handlerName": "default.config.handler", "sourceHandlerPath": "src/logic-functions/hello.ts",
            "builtHandlerPath": "src/logic-functions/hello.mjs", "builtHandlerChecksum": md5(handler),
        }],
        "frontComponents": [], "publicAssets": [], "views": [], "viewFields": [], "navigationMenuItems": [],
        "pageLayouts": [], "pageLayoutTabs": [], "commandMenuItems": [],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))


def make_apps_dir(root: Path, *, title: str = "Lead {{trigger.properties.after.name.firstName}}",
                  analyst_extra: str = "", ops: str = "person.created, company.*",
                  agents: bool = True) -> Path:
    """`agents=False`: no agents and a workflow without an AI step — what the fake Twenty can take
    in full (it answers createOneAgent as the captured server without an AI provider did)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "apps.yaml").write_text(
        "apps:\n  - name: hello\n    path: hello\n    secrets:\n      SECRET_TOKEN: test-hello-secret\n")
    write_app(root)
    if agents:
        (root / "agents").mkdir(exist_ok=True)
        (root / "agents" / "analyst.yaml").write_text(AGENT.format(name="analyst", label="Analyst",
                                                                   extra=analyst_extra))
        (root / "agents" / "writer.yaml").write_text(AGENT.format(name="writer", label="Writer", extra=""))
    (root / "workflows").mkdir(exist_ok=True)
    (root / "workflows" / "new-lead.yaml").write_text((WORKFLOW if agents else WORKFLOW_PLAIN)
                                                      .replace("{title}", title))
    (root / "webhooks.yaml").write_text(WEBHOOKS.format(ops=ops))
    return root
