"""Invoke tasks for deploy, mcp and ops (filled in by the deploy work)."""

from invoke import Collection

deploy_ns = Collection()
mcp_ns = Collection()
ops_ns = Collection()
