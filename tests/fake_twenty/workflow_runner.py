"""Runs a workflow version's steps along its edges, as 2.21's executor does, synchronously.

Read in Twenty 2.21.0 (6f3c158):
- twenty-shared/src/utils/variable-resolver.ts (resolveInput): `{{path}}` alone yields the value
  itself, inside text its string (objects as JSON);
- workflow-executor.workspace-service.ts: after a step, its nextStepIds run; an ITERATOR runs
  initialLoopStepIds per item (get-next-step-ids-for-iterator.util.ts; the body's way back to the
  iterator brings the next item), then its nextStepIds; an IF_ELSE runs the matching branch
  (if-else.workflow-action.ts); a FILTER that does not match ends that path
  (filter.workflow-action.ts, shouldEndWorkflowRun); a failed step fails the run — the step's
  errorHandlingOptions.continueOnFailure is stored but 2.21.0's executor never reads it — unless
  it sits in the loop of an ITERATOR with shouldContinueOnIterationFailure
  (find-enclosing-iterator-with-continue-on-failure.util.ts): then it FAILED_SAFELY, the rest of
  that iteration is skipped and the iterator goes on with the next item;
- action results: CREATE/UPDATE_RECORD → the record, FIND_RECORDS → {first, all, totalCount},
  AI_AGENT → {response} (agent-async-executor.service.ts, text answers), CODE → what `main`
  returned (the fake runs the step's source with node), ITERATOR → {currentItem, currentItemIndex,
  hasProcessedAllItems}.
HTTP_REQUEST and SEND_EMAIL leave the machine in 2.21; the fake answers {} and {success: true}.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

VARIABLE = re.compile(r"\{\{([^{}]+)\}\}")
MAX_STEPS = 500


class StepFailed(Exception):
    pass


def lookup(path: str, context: dict[str, Any]) -> Any:
    value: Any = context
    for part in path.strip().split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def resolve(value: Any, context: dict[str, Any]) -> Any:
    if isinstance(value, str):
        tokens = VARIABLE.findall(value)
        if len(tokens) == 1 and value == "{{" + tokens[0] + "}}":
            return lookup(tokens[0], context)

        def text(match: re.Match[str]) -> str:
            got = lookup(match.group(1), context)
            if isinstance(got, dict | list):
                return json.dumps(got)
            return "" if got is None else str(got)

        return VARIABLE.sub(text, value)
    if isinstance(value, list):
        return [resolve(v, context) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, context) for k, v in value.items()}
    return value


def run_code(source: str, params: Any) -> Any:
    """The step's `main(params)` under node (the fake's stand-in for 2.21's logic function driver)."""
    node = shutil.which("node")
    if node is None:
        raise StepFailed("node is not installed; the fake runs CODE steps with node")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.mjs"
        path.write_text(source, encoding="utf-8")
        runner = (
            f"import {{ main }} from {json.dumps(path.as_uri())};"
            "const out = await main(JSON.parse(process.argv[1]));"
            "process.stdout.write(JSON.stringify(out ?? {}));"
        )
        done = subprocess.run(
            [node, "--input-type=module", "-e", runner, json.dumps(params)],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise StepFailed(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "code failed")
    return json.loads(done.stdout or "{}")


def matches(filters: list[dict[str, Any]], groups: list[dict[str, Any]], context: dict[str, Any]) -> bool:
    """evaluate-filter-conditions.util.ts for text-like filters: IS, IS_NOT, CONTAINS, … per group."""

    def one(f: dict[str, Any]) -> bool:
        left, right = resolve(f.get("stepOutputKey"), context), resolve(f.get("value"), context)
        op = f.get("operand")
        if str(f.get("type")).upper() == "BOOLEAN":  # evaluateBooleanFilter: IS only, both sides parsed
            if op != "IS":
                raise StepFailed(f"Operand {op} not supported for boolean filter")
            return _bool(left) == _bool(right)
        if op == "IS":
            return bool(left == right or str(left) == str(right))
        if op == "IS_NOT":
            return not (left == right or str(left) == str(right))
        if op == "CONTAINS":
            return str(right) in str(left)
        if op == "DOES_NOT_CONTAIN":
            return str(right) not in str(left)
        if op == "IS_EMPTY":
            return left in (None, "", [], {})
        if op == "IS_NOT_EMPTY":
            return left not in (None, "", [], {})
        if op in ("GREATER_THAN_OR_EQUAL", "LESS_THAN_OR_EQUAL"):
            a, b = float(left or 0), float(right or 0)
            return a >= b if op == "GREATER_THAN_OR_EQUAL" else a <= b
        raise StepFailed(f"Operand {op} not supported by the fake")

    results = []
    for group in groups or [{"id": None, "logicalOperator": "AND"}]:
        mine = [
            one(f)
            for f in filters
            if f.get("stepFilterGroupId") == group.get("id") or group.get("id") is None
        ]
        results.append(all(mine) if group.get("logicalOperator") != "OR" else any(mine))
    return all(results)


def _bool(value: Any) -> Any:
    """parseBooleanFromStringValue (twenty-shared/src/workflow/utils): only 'true' / 'false' parse."""
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


class Runner:
    """One run: `execute(step)` is the fake's action table (records through `records`)."""

    def __init__(self, steps: list[dict[str, Any]], context: dict[str, Any], actions: Any) -> None:
        self.by_id = {s.get("id"): s for s in steps}
        self.context = context
        self.actions = actions
        self.infos: dict[str, Any] = {"trigger": {"result": context.get("trigger"), "status": "SUCCESS"}}
        self.count = 0
        self.failed: str | None = None

    def run(self, start: list[str]) -> None:
        for sid in start:
            self._path(sid)

    def _path(self, sid: str) -> None:
        if self.failed is not None or sid not in self.by_id:
            return
        self.count += 1
        if self.count > MAX_STEPS:
            self.failed = "too many steps"
            return
        step = self.by_id[sid]
        kind = step.get("type")
        if kind == "ITERATOR":
            self._iterate(step)
            return
        settings = step.get("settings") or {}
        inp = resolve(copy_of(settings.get("input")), self.context)
        try:
            result = self.actions(step, inp, self.context)
        except Exception as err:
            safe = any(
                (self.by_id[i].get("settings") or {}).get("input", {}).get("shouldContinueOnIterationFailure")
                for i in self._loop_owners(sid)
            )
            self.infos[sid] = {"status": "FAILED_SAFELY" if safe else "FAILED", "error": str(err)}
            if not safe:
                self.failed = f"{step.get('name')}: {err}"
            return
        if result is not None:
            self.infos[sid] = {"status": "SUCCESS", "result": result}
            self.context[sid] = result
        if kind == "FILTER" and isinstance(result, dict) and result.get("matchesFilter") is False:
            self.infos[sid]["status"] = "STOPPED"
            return
        nxt = list(step.get("nextStepIds") or [])
        if kind == "IF_ELSE" and isinstance(result, dict):
            branch = next(
                (b for b in inp.get("branches") or [] if b.get("id") == result.get("matchingBranchId")), {}
            )
            nxt = list(branch.get("nextStepIds") or [])
        for n in nxt:
            if self.by_id.get(n, {}).get("type") == "ITERATOR" and n in self._loop_owners(sid):
                continue  # the loop body's way back: the iterator drives the next item
            self._path(n)

    def _loop_owners(self, sid: str) -> set[str]:
        return {i for i, s in self.by_id.items() if s.get("type") == "ITERATOR" and self._in_loop(i, sid)}

    def _in_loop(self, iterator_id: str, sid: str) -> bool:
        inp = (self.by_id[iterator_id].get("settings") or {}).get("input") or {}
        todo, seen = list(inp.get("initialLoopStepIds") or []), set()
        while todo:
            cur = todo.pop()
            if cur == sid:
                return True
            if cur in seen or cur == iterator_id or cur not in self.by_id:
                continue
            seen.add(cur)
            todo += self.by_id[cur].get("nextStepIds") or []
        return False

    def _iterate(self, step: dict[str, Any]) -> None:
        sid = step["id"]
        inp = resolve(copy_of((step.get("settings") or {}).get("input")), self.context) or {}
        items = inp.get("items")
        items = json.loads(items) if isinstance(items, str) and items.strip().startswith("[") else items
        if not isinstance(items, list):
            self.infos[sid] = {"status": "FAILED", "error": "Iterator input items must be an array"}
            self.failed = "Iterator input items must be an array"
            return
        for index, item in enumerate(items):
            result = {"currentItemIndex": index, "currentItem": item, "hasProcessedAllItems": False}
            self.context[sid] = result
            self.infos[sid] = {"status": "RUNNING", "result": result}
            for first in inp.get("initialLoopStepIds") or []:
                self._path(first)
            if self.failed is not None:
                return
        done = {"currentItemIndex": len(items), "hasProcessedAllItems": True}
        self.context[sid] = done
        self.infos[sid] = {"status": "SUCCESS", "result": done}
        for n in step.get("nextStepIds") or []:
            self._path(n)


def copy_of(value: Any) -> Any:
    return json.loads(json.dumps(value)) if value is not None else None
