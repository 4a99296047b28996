"""Stack outputs: where a stack's services live, as `infra.outputs.StackOutputs` types them.

Read from the Automation API wrapper (`infra.automation.outputs`) when the Pulumi CLI is there,
else from a JSON file named by `TWENTY_GCP_OUTPUTS` (CI, tests, or `pulumi stack output --json`
saved once). There is one set of names, the infra program's: a key it does not export is refused
with the closest one it does, and a missing one is named by `need()` with the command that makes it.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ConfigDict

from deploy.preconditions import PreconditionError, Problem
from infra.outputs import StackOutputs as ExportedOutputs


class StackOutputs(ExportedOutputs):
    """The infra program's outputs of one stack, plus the stack's name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stack: str = ""

    @classmethod
    def from_mapping(cls, stack: str, raw: Mapping[str, Any]) -> StackOutputs:
        plain = {k: getattr(v, "value", v) for k, v in raw.items()}
        known = set(ExportedOutputs.model_fields)
        unknown = sorted(set(plain) - known)
        if unknown:
            problems = []
            for key in unknown:
                close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.5)
                hint = f"did you mean `{close[0]}`?" if close else "see infra/outputs.py for the names"
                problems.append(Problem(
                    f"stack `{stack}` has an output `{key}` that the infra program does not export",
                    f"use the infra program's name ({hint})"))
            raise PreconditionError("stack outputs", problems)
        return cls(stack=stack, **{k: v for k, v in plain.items() if v is not None})

    # The names deploy's code grew up with, as typed views of the exported fields (not aliases of keys).
    @property
    def mcp_url(self) -> str | None:
        """The MCP server's public URL (what it publishes in its OAuth metadata)."""
        return self.mcp_public_url or self.mcp_uri

    @property
    def deploy_api_key_secret(self) -> str | None:
        return self.twenty_api_key_secret

    def need(self, *fields: str) -> list[Problem]:
        return [
            Problem(f"stack `{self.stack}` has no output `{f}`",
                    f"run `inv infra.up --stack {self.stack}` (or add `{f}` to the JSON file in "
                    "TWENTY_GCP_OUTPUTS)")
            for f in fields
            if getattr(self, f, None) in (None, "")
        ]


def load_outputs(stack: str, env: Mapping[str, str] | None = None) -> StackOutputs:
    env = os.environ if env is None else env
    path = env.get("TWENTY_GCP_OUTPUTS")
    if path:
        file = Path(path)
        if not file.is_file():
            raise PreconditionError("stack outputs", [Problem(
                f"TWENTY_GCP_OUTPUTS points to {path}, which is not a file",
                f"save them with `pulumi stack output --json --stack {stack} > outputs.json`")])
        try:
            raw = json.loads(file.read_text())
        except json.JSONDecodeError as e:
            raise PreconditionError("stack outputs", [Problem(
                f"{path} is not JSON ({e})", "write the output of `pulumi stack output --json`")]) from e
        return StackOutputs.from_mapping(stack, raw)
    from infra import automation  # the Automation API wrapper

    if automation.find_pulumi_cli() is None:
        raise PreconditionError("stack outputs", [Problem(
            f"cannot read the outputs of stack `{stack}`: the Pulumi CLI is not installed",
            "install it (curl -fsSL https://get.pulumi.com | sh) or set TWENTY_GCP_OUTPUTS to a JSON "
            "file holding the stack outputs")])
    try:
        raw = automation.outputs(stack)
    except automation.AutomationError as e:
        raise PreconditionError("stack outputs", [Problem(str(e), f"check `pulumi stack ls`; "
                                                  f"is `{stack}` deployed?")]) from e
    return StackOutputs.from_mapping(stack, raw)
