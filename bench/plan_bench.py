"""Wall time of the offline plan (`inv plan --stack staging`), against baselines from the same run.

Run: uv run python bench/plan_bench.py [--repeat N] [--stack NAME]

Each measurement is a fresh Python process, as a user would start it. Baselines:
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


def _time(cmd: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def _median(cmd: list[str], repeat: int) -> float:
    return statistics.median(_time(cmd) for _ in range(repeat))


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
    results = {name: _median(cmd, args.repeat) for name, cmd in runs.items()}
    floor = results["baseline: import pulumi"]
    one = results["baseline: one-resource program under mocks"]
    print(f"median of {args.repeat} fresh processes each; cpus={os.cpu_count()}")
    print(f"{'measurement':48} {'seconds':>8} {'× import':>9} {'× 1-res':>8}")
    for name, seconds in results.items():
        print(f"{name:48} {seconds:8.2f} {seconds / floor:9.2f} {seconds / one:8.2f}")
    full = results[f"inv plan --stack {args.stack}"]
    verdict = "meets" if full <= TARGET_S else "MISSES"
    print(f"target: inv plan ≤ {TARGET_S:.0f} s on 2 cores → {full:.2f} s {verdict} it")
    return 0 if full <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
