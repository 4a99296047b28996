"""Invoke tasks for staging stacks (filled in by the staging work)."""

from invoke import Collection

ns = Collection()
