"""Pulumi entry point: load and validate the stack's settings, build the environment, export outputs.

Pulumi runs this directory as the program with sys.path[0] = infra/, so the repository root is put
on sys.path to import the `infra` package.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi

from infra.config import load_from_pulumi
from infra.environment import build_environment

cfg, user_secrets = load_from_pulumi()
env = build_environment(cfg, user_secrets)
for key, value in env.outputs().items():
    pulumi.export(key, value)
