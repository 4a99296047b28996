"""What every task says when it cannot run yet, and where the checkout is.

One `PreconditionError` for the whole toolkit (infra's Automation API, `inv deploy`, `inv ops.*`,
`inv mcp.*`, `inv stage.test`): a task collects every `Problem` (what is missing + the exact fix)
and raises once, before anything is touched. Lives in `infra` because it is the lowest layer the
other packages build on (infra imports nothing of ours).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent  # the checkout: Pulumi's work dir, apps/, stacks


@dataclass(frozen=True)
class Problem:
    what: str
    fix: str = ""

    def __str__(self) -> str:
        return f"- {self.what}" + (f"\n    fix: {self.fix}" if self.fix else "")

    def __contains__(self, text: str) -> bool:  # `"gcloud" in problem` reads as it did for plain strings
        return text in self.what or text in self.fix


class UsageError(ValueError):
    """An argument the user gave a task is wrong; the message names it and what is allowed."""


class PreconditionError(RuntimeError):
    """Something a task needs is missing; nothing has been touched yet."""

    def __init__(self, task: str, problems: Iterable[Problem | str]) -> None:
        self.task = task
        self.problems = [p if isinstance(p, Problem) else Problem(p) for p in problems]
        body = "\n".join(str(p) for p in self.problems)
        super().__init__(f"`{task}` cannot run yet (nothing was touched):\n{body}")
