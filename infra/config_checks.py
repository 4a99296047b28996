"""Checks and wording behind infra.config's error messages: sizes in the formats Google accepts,
"did you mean" ranked by closeness, YAML syntax errors with file:line:column, and pydantic's
field errors rewritten as the allowed format. Nothing here imports infra.config (it imports us).
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable
from typing import Any, Literal, get_args, get_origin

# What `twenty-gcp:dbTier` may be; the first ones are those a "did you mean" should land on.
SQL_TIER_EXAMPLES = (
    "db-f1-micro",
    "db-g1-small",
    "db-custom-1-3840",
    "db-custom-2-7680",
    "db-custom-4-15360",
    "db-perf-optimized-N-2",
    "db-perf-optimized-N-4",
)

# Cloud Run (https://cloud.google.com/run/docs/configuring/services/memory-limits and .../cpu):
# memory 512Mi (2nd gen) to 32Gi; CPU below 1 or 1, 2, 4, 6, 8; memory ceiling and floor per CPU.
RUN_MEMORY_MIB = (512, 32 * 1024)
RUN_CPUS = (1, 2, 4, 6, 8)
RUN_MEMORY_BY_CPU = {1: (512, 4096), 2: (512, 8192), 4: (2048, 16384), 6: (4096, 24576), 8: (4096, 32768)}
MEMORY_FORMAT = "a whole number with Mi or Gi, e.g. 512Mi, 1Gi, 2Gi (Cloud Run's units; not GB or MB)"
CPU_FORMAT = "1, 2, 4, 6 or 8 (whole vCPUs), or a fraction below 1 such as 0.5"
CIDR_FIELDS = ("subnet_cidr", "run_subnet_cidr", "connector_cidr")

# https://cloud.google.com/compute/docs/general-purpose-machines#e2_machine_types
E2_TYPES = (
    "e2-micro", "e2-small", "e2-medium",
    *(f"e2-standard-{n}" for n in (2, 4, 8, 16, 32)),
    *(f"e2-highmem-{n}" for n in (2, 4, 8, 16)),
    *(f"e2-highcpu-{n}" for n in (2, 4, 8, 16, 32)),
)  # fmt: skip

Problem = tuple[str, str, str]  # (field, what is wrong, the fix)


def closest(value: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice nearest to `value` (difflib's ratio, case-insensitive), or None when none is close."""
    ranked = sorted(
        ((difflib.SequenceMatcher(None, value.lower(), c.lower()).ratio(), c) for c in choices),
        key=lambda pair: -pair[0],
    )
    return ranked[0][1] if ranked and ranked[0][0] >= cutoff else None


def memory_mib(value: str) -> int | None:
    """`512Mi` → 512, `2Gi` → 2048; None when not in Cloud Run's Mi/Gi format."""
    m = re.fullmatch(r"([1-9]\d{0,5})(Mi|Gi)", value.strip())
    if not m:
        return None
    return int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1)


def cpu_count(value: str) -> float | None:
    """`1` → 1.0, `0.5` → 0.5, `500m` → 0.5; None when not a Cloud Run CPU value."""
    text = value.strip()
    m = re.fullmatch(r"(\d+)m", text)
    try:
        cpu = int(m.group(1)) / 1000 if m else float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None
    except ValueError:
        return None
    if cpu is None or not (0.08 <= cpu < 1 or cpu in RUN_CPUS):
        return None
    return cpu


def size_problems(values: Any) -> list[Problem]:
    """Every size-like string setting in the format Google accepts (checked before any plan)."""
    problems: list[Problem] = []
    mem = memory_mib(values.server_memory)
    if mem is None:
        problems.append(
            ("server_memory", f"`{values.server_memory}` is not a memory size", f"use {MEMORY_FORMAT}")
        )
    elif not RUN_MEMORY_MIB[0] <= mem <= RUN_MEMORY_MIB[1]:
        problems.append(
            (
                "server_memory",
                f"`{values.server_memory}` is outside Cloud Run's 512Mi to 32Gi",
                "use a value from 512Mi to 32Gi, e.g. 1Gi or 2Gi",
            )
        )
    cpu = cpu_count(values.server_cpu)
    if cpu is None:
        problems.append(
            ("server_cpu", f"`{values.server_cpu}` is not a Cloud Run CPU value", f"use {CPU_FORMAT}")
        )
    elif mem is not None and not problems:
        low, high = memory_range_mib(cpu)
        if not low <= mem <= high:
            problems.append(
                (
                    "server_memory",
                    f"Cloud Run allows {_mib(low)} to {_mib(high)} with "
                    f"serverCpu {values.server_cpu}, not {values.server_memory}",
                    f"set serverMemory within {_mib(low)}–{_mib(high)} or change serverCpu",
                )
            )
    for field in CIDR_FIELDS:
        text = getattr(values, field)
        try:
            if "/" not in text:
                raise ValueError("no /prefix length")
            net = ipaddress.IPv4Network(text, strict=True)
        except ValueError as err:
            problems.append(
                (
                    field,
                    f"`{text}` is not an IPv4 range ({err})",
                    "use CIDR notation with the host bits zero, e.g. 10.10.0.0/24",
                )
            )
            continue
        if not net.is_private:
            problems.append(
                (
                    field,
                    f"`{text}` is not a private range",
                    "use a range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
                )
            )
    if not re.fullmatch(r"POSTGRES_\d{2}", values.db_version):
        problems.append(
            (
                "db_version",
                f"`{values.db_version}` is not a Cloud SQL PostgreSQL version",
                "use POSTGRES_16 (what Twenty 2.21 is tested with) or POSTGRES_15",
            )
        )
    machine = values.worker_machine_type
    if (
        machine.startswith("e2-")
        and machine not in E2_TYPES
        and not re.fullmatch(r"e2-custom-\d+-\d+", machine)
    ):
        close = closest(machine, E2_TYPES)
        hint = f"did you mean `{close}`?" if close else "use e2-small (2 GB) or e2-medium (4 GB)"
        problems.append(("worker_machine_type", f"`{machine}` is not a Compute Engine E2 machine type", hint))
    elif not re.fullmatch(r"[a-z][a-z0-9]*-[a-z0-9-]+", machine):
        problems.append(
            (
                "worker_machine_type",
                f"`{machine}` is not a machine type name",
                "use e.g. e2-small or e2-medium",
            )
        )
    return problems


def memory_range_mib(cpu: float) -> tuple[int, int]:
    """Cloud Run's memory floor and ceiling (MiB) for a CPU value: below 0.5 vCPU up to 512Mi,
    below 1 up to 1Gi, then the table."""
    if cpu < 0.5:
        return 512, 512
    if cpu < 1:
        return 512, 1024
    return RUN_MEMORY_BY_CPU[int(cpu)]


def _mib(mib: int) -> str:
    return f"{mib // 1024}Gi" if mib and mib % 1024 == 0 else f"{mib}Mi"


def allowed(annotation: Any, metadata: list[Any], default: Any) -> str:
    """The allowed values of a field, in words, from its type and bounds."""
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(annotation))
    bounds = {
        name: getattr(m, name.lower()) for m in metadata for name in ("Ge", "Le") if hasattr(m, name.lower())
    }
    rng = ""
    if "Ge" in bounds and "Le" in bounds:
        rng = f" from {bounds['Ge']:g} to {bounds['Le']:g}"
    elif "Ge" in bounds:
        rng = f" of at least {bounds['Ge']:g}"
    example = f", e.g. {default}" if default not in (None, "") and not isinstance(default, bool) else ""
    if annotation is int:
        return f"a whole number{rng} with no unit{example}"
    if annotation is float:
        return f"a number{rng} with no unit{example}"
    if annotation is bool:
        return "true or false"
    return "text"


def field_problem(key: str, err: Any, annotation: Any, metadata: list[Any], default: Any) -> str | None:
    """One pydantic error about one field as `key: what is wrong. Fix: the allowed format`."""
    kind, got = err.get("type", ""), err.get("input")
    want = allowed(annotation, metadata, default)
    if kind == "literal_error":
        close = closest(str(got), [str(a) for a in get_args(annotation)], cutoff=0.5)
        hint = f"did you mean `{close}`? ({want})" if close else f"use {want}"
        return f"{key}: `{got}` is not allowed. Fix: {hint}; see docs/infra.md"
    if kind in (
        "int_parsing",
        "int_from_float",
        "float_parsing",
        "int_type",
        "float_type",
        "bool_parsing",
        "bool_type",
        "greater_than_equal",
        "less_than_equal",
        "greater_than",
        "less_than",
    ):
        return f"{key}: `{got}` is not valid. Fix: write {want}; see docs/infra.md"
    return None


def yaml_problem(file: str, exc: Exception) -> str:
    """`Pulumi.staging.yaml:15:3: YAML syntax error: <what>` plus the offending line."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    what = " ".join(str(getattr(exc, "problem", None) or exc).split())
    context = getattr(exc, "context", None)
    if context:
        what = f"{what} ({' '.join(str(context).split())})"
    if mark is None:
        return f"{file}: YAML syntax error: {what}. Fix: correct the file (indent with spaces, `key: value`)"
    line, column = mark.line + 1, mark.column + 1
    source = (getattr(mark, "buffer", None) or "").split("\n")
    shown = (
        f"\n  {line} | {source[mark.line]}\n  {' ' * len(str(line))} | {' ' * mark.column}^"
        if mark.line < len(source)
        else ""
    )
    hint = (
        "quote values that contain `: ` or start with `{`, `[`, `*`, `&`, `!`, `%` or `@`; indent with spaces"
    )
    return f"{file}:{line}:{column}: YAML syntax error: {what}.{shown}\nFix: {hint}"


# Cloud Scheduler's unix-cron ("Cron job format and time zone",
# https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules): five fields, each `*`,
# a value, a range `a-b`, a list `a,b`, or a step `*/n` / `a-b/n`; months and weekdays also by their
# first three letters in upper case; 7 is Sunday too; `L` (last day) is not supported.
CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    ("day of week", 0, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)
CRON_FORMAT = (
    "five fields `minute hour day-of-month month day-of-week` (Cloud Scheduler's unix-cron), "
    "e.g. `0 6 1 * *` for 06:00 on the 1st of every month, or `off` for no schedule"
)
SCHEDULE_OFF = ("", "off")


def cron_problem(text: str) -> str | None:
    """What is wrong with a Cloud Scheduler unix-cron schedule, or None when Google accepts it."""
    fields = text.split()
    if len(fields) != len(CRON_FIELDS):
        return f"has {len(fields)} field(s), not 5"
    for value, (name, low, high, names) in zip(fields, CRON_FIELDS, strict=True):
        for part in value.split(","):
            problem = _cron_part_problem(part, low, high, names)
            if problem:
                return f"{name} `{value}`: {problem}"
    return None


def _cron_part_problem(part: str, low: int, high: int, names: tuple[str, ...]) -> str | None:
    span, _, step = part.partition("/")
    if step and not (step.isdigit() and int(step) >= 1):
        return f"the step `/{step}` must be a whole number of at least 1"
    if span == "*":
        return None
    ends = span.split("-")
    if len(ends) > 2 or (step and len(ends) != 2):
        return f"`{part}` is not a value, a range a-b, `*` or a step */n or a-b/n"
    numbers = []
    for end in ends:
        if end in names:
            numbers.append(names.index(end) + low)
        elif end.isdigit():
            numbers.append(int(end))
        else:
            hint = f" (or {names[0]}-{names[-1]}, in upper case)" if names else ""
            return f"`{end}` is not a number from {low} to {high}{hint}"
        if not low <= numbers[-1] <= high:
            return f"{end} is outside {low}-{high}"
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        return f"the range {span} runs backwards"
    return None


def time_zone_problem(name: str) -> str | None:
    """None when `name` is a tz database zone (what Cloud Scheduler's timeZone takes)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*", name):
        return f"`{name}` is not a time zone name"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"`{name}` is not in the tz database"
    return None


def schedule_problems(values: Any) -> list[Problem]:
    """The usage-dashboard schedule and its time zone, in the forms Cloud Scheduler accepts."""
    problems: list[Problem] = []
    schedule = values.usage_dashboard_schedule.strip()
    if schedule.lower() not in SCHEDULE_OFF:
        problem = cron_problem(schedule)
        if problem:
            problems.append(
                (
                    "usage_dashboard_schedule",
                    f"`{schedule}` is not a Cloud Scheduler cron: {problem}",
                    f"write {CRON_FORMAT}",
                )
            )
    problem = time_zone_problem(values.usage_dashboard_time_zone)
    if problem:
        problems.append(
            ("usage_dashboard_time_zone", problem, "use a tz database name such as Etc/UTC or Europe/Berlin")
        )
    return problems
