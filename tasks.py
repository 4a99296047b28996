"""Invoke namespaces. Task logic lives in the packages; this file only composes them.

Each namespace module imports its heavy dependencies inside the task bodies, so `inv --list`
stays fast.
"""

import os
import sys

from invoke import Collection

from deploy import tasks as deploy_tasks
from deploy.mcp_image import tasks as mcp_tasks
from deploy.ops import tasks as ops_tasks
from infra import tasks as infra_tasks
from staging import tasks as staging_tasks
from tooling import tasks as tooling_tasks

# Invoke turns bytecode writing off (sys.dont_write_bytecode) unless given --write-pyc, so every
# `inv plan` compiled pulumi_gcp from source again: 27-55 s instead of 15-20 s on the shared box.
# Write .pyc for what the tasks import, as Python does by default (PYTHONDONTWRITEBYTECODE wins).
# The task bodies import their heavy dependencies, so this applies to them.
sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))

ns = Collection()
ns.add_task(infra_tasks.plan)
ns.add_collection(infra_tasks.ns, name="infra")
ns.add_collection(deploy_tasks.deploy_ns, name="deploy")
ns.add_task(deploy_tasks.bootstrap)
ns.add_collection(mcp_tasks.ns, name="mcp")
ns.add_collection(ops_tasks.ns, name="ops")
ns.add_collection(staging_tasks.ns, name="stage")
ns.add_task(tooling_tasks.test)
ns.add_task(tooling_tasks.live)
ns.add_task(tooling_tasks.lint)
