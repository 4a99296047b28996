"""Wall time of the offline plan (`inv plan --stack staging`), against baselines from the same run.

Run: uv run python bench/plan_bench.py [--repeat N] [--stack NAME]

Each measurement is a fresh Python process, as a user would start it, in two conditions:
  - cold: no bytecode cache (PYTHONDONTWRITEBYTECODE=1, as on CI machines that set it): every
    pulumi_gcp module is compiled from source on each run (most of the time is that);
  - warm: bytecode cached in a temporary PYTHONPYCACHEPREFIX (what a developer sees from the
    second run on; the venv itself is not written to).
Baselines:
  - `import pulumi`: the floor any Pulumi program pays;
  - a one-resource Pulumi program under the same mocks: the floor of a mock run.
Target: the full plan (program + policies + costs + rendering) in ≤ 10 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 10.0

BASELINE_IMPORT = "import pulumi"
BASELINE_ONE_RESOURCE = """
import pulumi, pulumi_gcp as gcp
from infra.plan import PlanMocks
mocks = PlanMocks("bench-project", "us-central1")
pulumi.runtime.set_mocks(mocks, project="twenty-gcp", stack="bench", preview=False)
@pulumi.runtime.test
def run():
    return gcp.storage.Bucket("one", location="US-CENTRAL1").urn
run()
"""


def _env(cache_dir: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    if cache_dir is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def _median(cmd: list[str], repeat: int, env: dict[str, str]) -> float:
    return statistics.median(_time(cmd, env) for _ in range(repeat))


def _report(title: str, results: dict[str, float]) -> None:
    floor = results["baseline: import pulumi"]
    one = results["baseline: one-resource program under mocks"]
    print(f"\n{title}")
    print(f"{'measurement':48} {'seconds':>8} {'× import':>9} {'× 1-res':>8}")
    for name, seconds in results.items():
        print(f"{name:48} {seconds:8.2f} {seconds / floor:9.2f} {seconds / one:8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stack", default="staging")
    args = parser.parse_args()
    py = sys.executable
    runs = {
        "baseline: import pulumi": [py, "-c", BASELINE_IMPORT],
        "baseline: one-resource program under mocks": [py, "-c", BASELINE_ONE_RESOURCE],
        f"plan program only ({args.stack})": [
            py,
            "-c",
            f"from infra.plan import plan_stack; plan_stack({args.stack!r})",
        ],
        f"inv plan --stack {args.stack}": [py, "-m", "invoke", "plan", "--stack", args.stack],
    }
    print(f"median of {args.repeat} fresh processes each; cpus={os.cpu_count()}")
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="plan-bench-pycache-") as cache:
        for title, env in (("cold (no bytecode cache)", _env(None)), ("warm (bytecode cached)", _env(cache))):
            if env.get("PYTHONPYCACHEPREFIX"):
                for cmd in runs.values():  # fill the cache once
                    _time(cmd, env)
            results = {name: _median(cmd, args.repeat, env) for name, cmd in runs.items()}
            _report(title, results)
            full = results[f"inv plan --stack {args.stack}"]
            verdicts.append(full <= TARGET_S)
            print(
                f"target: inv plan ≤ {TARGET_S:.0f} s on 2 cores → {full:.2f} s "
                f"{'meets' if full <= TARGET_S else 'MISSES'} it"
            )
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
