"""Win-probability benchmark (issue 16): the deal-intelligence app's model against the stage-only
baseline, on held-out deals, plus training and scoring times.

The model is the app's own TypeScript (apps/deal-intelligence/src/lib: record -> snapshot ->
features -> L2 logistic regression by Newton/IRLS); this script runs it through its node entry
point (apps/deal-intelligence/bench/run.ts, loaded with tsx from apps/node_modules) and computes the
metrics here. The baseline is the app's stage prior (its fallback): the training split's win rate
per last open stage, smoothed towards a default funnel (NEW 10 %, SCREENING 20 %, MEETING 35 %,
PROPOSAL 55 %) with the weight of 5 deals.

Generated workspace — the deal-outcome process (apps/deal-intelligence/bench/synthetic.ts draws
it, with a seeded generator, as Twenty records: opportunities, companies, timeline activities):

    company.employees    log-uniform on [1, 5000], missing for 20 % of companies
    amount               log-normal, median 20 000 USD (sigma 1 in log space)
    source               inbound 40 %, outbound 30 %, referral 15 %, event 15 %
    point of contact     set on 70 % of deals
    last open stage k    NEW 30 %, SCREENING 25 %, MEETING 25 %, PROPOSAL 20 %   (k = 0..3)
    days in that stage   exponential, mean 20
    age at close         days in stage + 10 k + exponential(mean 15)
    deal activities      Poisson(1 + 2k) in the 90 days before closing
    account activities   Poisson(4)
    days since activity  exponential, mean 12 (365 when there is none)
    logit P(won) = -1.3 + 0.75 k - 0.35 ln(amount / 20 000) + 0.35 ln(1 + deal activities)
                   - 0.45 ln(1 + days since activity / 7) + 0.7 [referral] - 0.3 [outbound]
                   + 0.4 [point of contact] - 0.25 ln(1 + days in stage / 30)
    won ~ Bernoulli(sigmoid(logit));  company size has no effect.

The split is a seeded random 70/30 by deal, made before any outcome is looked at; the model and
the baseline see only the training part; nothing is tuned (the app's lambda = 1 is fixed in the
code, not chosen here). Each workspace size is drawn with its own seed.

Seeded workspace: the captured 2.21.0 seed (contract/twenty-2.21.0/seed) — its closed deals are
evaluated when it has both outcomes; Twenty's default pipeline has no lost stage, so it reports
the counts and that the app falls back to the stage prior there.

    uv run python bench/win_probability_bench.py [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "apps" / "deal-intelligence"
SEED_DIR = REPO / "contract" / "twenty-2.21.0" / "seed"
SIZES = ((300, 11), (2_000, 12), (10_000, 13))  # closed deals, seed


def run_node(args: dict[str, Any]) -> dict[str, Any]:
    env = dict(os.environ)
    try:
        from tooling.node import NodeMissing, node_env

        with contextlib.suppress(NodeMissing):
            env.update(node_env(install=False))
    except ImportError:
        pass
    if shutil.which("node", path=env.get("PATH")) is None:
        sys.exit("node is not on PATH: install Node (see apps/README.md) and run `npm ci` in apps/")
    if not (REPO / "apps" / "node_modules" / "tsx").exists():
        sys.exit("apps/node_modules is missing: run `npm ci --prefix apps` first")
    out = subprocess.run(
        ["node", "--import", "tsx", "bench/run.ts", json.dumps(args)],
        cwd=APP,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"the node entry point failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout)


def auc(labels: list[int], scores: list[float]) -> float:
    """Mann-Whitney: the chance a won deal outscores a lost one (ties count half)."""
    ranked = sorted(zip(scores, labels, strict=True))
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + 1 + j) / 2
        rank_sum += average_rank * sum(label for _, label in ranked[i:j])
        i = j
    positives = sum(labels)
    negatives = len(labels) - positives
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def brier(labels: list[int], scores: list[float]) -> float:
    return sum((p - y) ** 2 for p, y in zip(scores, labels, strict=True)) / len(labels)


def calibration_error(labels: list[int], scores: list[float], bins: int = 10) -> float:
    """Expected calibration error over deciles of the predicted probability."""
    # Sorted by score only: ties keep the data's (random) order, never grouped by outcome.
    order = sorted(zip(scores, labels, strict=True), key=lambda pair: pair[0])
    err = 0.0
    for b in range(bins):
        part = order[b * len(order) // bins : (b + 1) * len(order) // bins]
        if part:
            err += abs(sum(p for p, _ in part) / len(part) - sum(y for _, y in part) / len(part)) * len(part)
    return err / len(order)


def metrics(result: dict[str, Any]) -> dict[str, Any]:
    y = result["labels"]
    out = {}
    for name in ("model", "stageOnly", "oracle"):
        if name not in result:
            continue
        out[name] = {
            "auc": round(auc(y, result[name]), 4),
            "brier": round(brier(y, result[name]), 4),
            "ece": round(calibration_error(y, result[name]), 4),
        }
    out["beats_baseline"] = out["model"]["auc"] > out["stageOnly"]["auc"] and (
        out["model"]["brier"] < out["stageOnly"]["brier"]
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    args = parser.parse_args()

    report: dict[str, Any] = {"generated": [], "seeded": None, "timing": None}
    for closed, seed in SIZES:
        result = run_node({"mode": "synthetic", "closed": closed, "seed": seed, "testFraction": 0.3})
        report["generated"].append(
            {
                "closed_deals": closed,
                "train": result["train"],
                "test": result["test"],
                "mode": result["mode"],
                **metrics(result),
            }
        )
    report["timing"] = run_node({"mode": "timing", "closed": 10_000, "seed": 2})
    seeded = run_node({"mode": "seed", "dir": str(SEED_DIR)})
    if seeded.get("evaluable"):
        seeded = {k: v for k, v in seeded.items() if k not in ("labels", "model", "stageOnly")} | metrics(
            seeded
        )
    report["seeded"] = seeded

    if args.json:
        print(json.dumps(report, indent=2))
        return
    print("Win probability: the app's model vs the stage-only baseline, held-out 30 % (seeded split);")
    print("true-p AUC: the generating process's own probabilities, the ceiling on that test set\n")
    print(
        f"{'workspace':<28}{'model AUC':>10}{'stage AUC':>10}{'model Brier':>12}{'stage Brier':>12}"
        f"{'model ECE':>10}{'stage ECE':>10}{'true-p AUC':>11}  verdict"
    )
    for g in report["generated"]:
        m, s = g["model"], g["stageOnly"]
        verdict = "model beats baseline" if g["beats_baseline"] else "model does NOT beat baseline"
        name = f"generated, {g['closed_deals']:,} closed"
        print(
            f"{name:<28}{m['auc']:>10.3f}{s['auc']:>10.3f}{m['brier']:>12.4f}{s['brier']:>12.4f}"
            f"{m['ece']:>10.3f}{s['ece']:>10.3f}{g['oracle']['auc']:>11.3f}  {verdict}"
        )
    sd = report["seeded"]
    if sd.get("evaluable"):
        m, s = sd["model"], sd["stageOnly"]
        print(
            f"{'seeded 2.21.0':<28}{m['auc']:>10.3f}{s['auc']:>10.3f}{m['brier']:>12.4f}{s['brier']:>12.4f}"
        )
    else:
        print(
            f"seeded 2.21.0: {sd['opportunities']} opportunities, {sd['closed']} closed "
            f"({sd['won']} won, {sd['lost']} lost): not evaluable (one outcome only); the app uses "
            f"the {sd['mode']} there"
        )
    t = report["timing"]
    print(
        f"\nTraining on {t['closed']:,} closed deals ({t['timeline']:,} timeline activities): "
        f"snapshots {t['snapshotMs']:.0f} ms + fit {t['fitMs']:.0f} ms ({t['iterations']} Newton steps); "
        f"scoring {t['scoreUsPerDeal']:.1f} µs per deal (probability + reasons)"
    )


if __name__ == "__main__":
    main()
