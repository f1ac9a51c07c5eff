"""Samverkan's placement optimizer against a greedy baseline and against HiGHS on the unpruned
model, with the same time limit, in one run.

    .venv/bin/python benchmarks/placement/compare.py [--runs 3] [--time-limit 30] [--target-gap 0.0025]
        [--scale 20000] [--no-docs]

Instances (samverkan.resettlement.optimizer.synthetic, seeded): the 290 real municipalities of
data/municipalities.csv with reception numbers proportional to their population (2016), about
2,000 cases and 5,000 persons, 9 % of persons with a need code, about 4 % of cases tied to a
municipality, invented scores. Methods:

* samverkan: ``solve(problem, time_limit, target_gap)``: it stops once within the target gap of
  the full LP bound (``--target-gap 0`` runs to the time limit, as before 2026-12-08);
* greedy: cases with the fewest options first, each to its best-scoring municipality that fits;
* highs-full: HiGHS's MIP on the model with every compatible pair (what the model would be without
  column generation, restricted MIPs and reduced-cost fixing), warm-started with nothing, the same
  time limit, single-threaded.

Each job runs in a fresh process; time is the method's alone (building the instance excluded,
building HiGHS's model included). The gap is against the full model's LP bound (computed once per
instance by Samverkan's column generation). Results go between ``<!-- placement:start -->`` and
``<!-- placement:end -->`` in docs/benchmarks.md; a part of that block between
``<!-- placement-before:start -->`` and ``<!-- placement-before:end -->`` (earlier figures) is kept.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- placement:start -->", "<!-- placement:end -->"
BEFORE_START, BEFORE_END = "<!-- placement-before:start -->", "<!-- placement-before:end -->"
TARGET_SECONDS = 10.0  # at --cases (2,000): within --target-gap of the full LP bound in this time


def _municipalities() -> list[tuple[str, str, int]]:
    with (ROOT / "data" / "municipalities.csv").open(encoding="utf-8") as stream:
        return [(r["code"], r["name"], int(r["population_2016"])) for r in csv.DictReader(stream)]


def _problem(cases: int, seed: int) -> Any:
    from samverkan.resettlement.optimizer.synthetic import instance

    return instance(_municipalities(), cases=cases, seed=seed)


def job_samverkan(cases: int, seed: int, time_limit: float, target_gap: float = 0.0025) -> dict[str, Any]:
    from samverkan.resettlement.optimizer import solve

    problem = _problem(cases, seed)
    start = time.monotonic()
    result = solve(problem, time_limit=time_limit, target_gap=target_gap or None)
    return {
        "seconds": time.monotonic() - start,
        "objective": result.objective,
        "placed": result.placed,
        "unplaced": result.unplaced,
        "lp_bound": result.lp_bound,
        "persons": sum(c.size for c in problem.cases),
        "pairs": result.stats.get("pairs"),
    }


def job_greedy(cases: int, seed: int, time_limit: float) -> dict[str, Any]:
    from samverkan.resettlement.optimizer.solver import Arrays, _value, greedy

    problem = _problem(cases, seed)
    start = time.monotonic()
    arr = Arrays(problem)
    assign = greedy(arr)
    seconds = time.monotonic() - start
    return {
        "seconds": seconds,
        "objective": _value(arr, assign),
        "placed": int((assign >= 0).sum()),
        "unplaced": int((assign < 0).sum()),
    }


def job_highs_full(cases: int, seed: int, time_limit: float) -> dict[str, Any]:
    import numpy as np

    from samverkan.resettlement.optimizer.solver import Arrays, _build, _value

    problem = _problem(cases, seed)
    start = time.monotonic()
    arr = Arrays(problem)
    kc, km = np.nonzero(arr.compat)
    h = _build(arr, kc, km, integer=True)
    h.setOptionValue("time_limit", max(time_limit - (time.monotonic() - start), 0.01))
    h.setOptionValue("mip_rel_gap", 1e-4)
    h.run()
    seconds = time.monotonic() - start
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    if info.primal_solution_status != 2:
        return {"seconds": seconds, "objective": None, "status": status}
    values = np.asarray(h.getSolution().col_value)[arr.C :]
    assign = np.full(arr.C, -1)
    chosen = values > 0.5
    assign[kc[chosen]] = km[chosen]
    return {
        "seconds": seconds,
        "objective": _value(arr, assign),
        "placed": int((assign >= 0).sum()),
        "unplaced": int((assign < 0).sum()),
        "status": status,
    }


def _run(target: Any, args: tuple[Any, ...], wall: float) -> dict[str, Any]:
    with multiprocessing.get_context("fork").Pool(1) as pool:
        pending = pool.apply_async(target, args)
        try:
            return pending.get(timeout=wall)
        except multiprocessing.TimeoutError:
            return {"seconds": None, "objective": None, "status": f"> {wall:.0f} s wall clock"}
        except Exception as error:  # the method failed: report it as its result
            return {"seconds": None, "objective": None, "status": f"failed: {error}"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--target-gap", type=float, default=0.0025)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--scale", type=int, default=20000)
    parser.add_argument("--scale-time-limit", type=float, default=120.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    plan = (
        (args.cases, args.seeds, args.runs, args.time_limit),
        (args.scale, args.seeds[:1], 1, args.scale_time_limit),
    )
    for cases, seeds, runs, limit in plan:
        wall = limit * 3 + 120
        for seed in seeds:
            ours = [_run(job_samverkan, (cases, seed, limit, args.target_gap), wall) for _ in range(runs)]
            lp = next((r["lp_bound"] for r in ours if r.get("lp_bound") is not None), None)
            base = _run(job_greedy, (cases, seed, limit), wall)
            full = _run(job_highs_full, (cases, seed, limit), wall)
            for name, results in (("samverkan", ours), ("greedy", [base]), ("highs-full", [full])):
                ok = [r for r in results if r.get("objective") is not None]
                row: dict[str, Any] = {
                    "cases": cases,
                    "persons": next((r["persons"] for r in ours if r.get("persons")), None),
                    "pairs": next((r["pairs"] for r in ours if r.get("pairs")), None),
                    "seed": seed,
                    "method": name,
                    "runs": len(results),
                    "lp_bound": lp,
                    "limit": limit,
                }
                if ok:
                    row["seconds"] = statistics.median(r["seconds"] for r in ok)
                    row["objective"] = statistics.median(r["objective"] for r in ok)
                    row["gap"] = (lp - row["objective"]) / abs(row["objective"]) if lp is not None else None
                    row["unplaced"] = max(r["unplaced"] for r in ok)
                row["status"] = results[0].get("status", "")
                rows.append(row)
                print(row, flush=True)
    if not args.no_docs:
        _write_docs(rows, args)
    return 0


def _fmt_gap(row: dict[str, Any]) -> str:
    if row.get("gap") is None:
        return "–"
    return f"{100 * row['gap']:.2f} %" if abs(row["gap"]) < 1 else "> 100 % (cases unplaced)"


def _write_docs(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    ours = {(r["cases"], r["seed"]): r for r in rows if r["method"] == "samverkan"}
    targets = [r for r in rows if r["method"] == "samverkan" and r["cases"] == args.cases]
    lines = [
        START,
        "## Placement of quota refugees: Samverkan vs. greedy vs. HiGHS on the unpruned model",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{dt.date.today().isoformat()}. Command: `taskset -c 1 .venv/bin/python "
        "benchmarks/placement/compare.py "
        f"--runs {args.runs} --time-limit {args.time_limit:g} --target-gap {args.target_gap:g}` "
        f"(median of {args.runs} runs for "
        "Samverkan; one run for the others, which are deterministic). Time limit "
        f"{args.time_limit:g} s ({args.scale_time_limit:g} s at {args.scale:,} cases) for Samverkan "
        "and for HiGHS on the full model. Instances: 290 real "
        "municipalities (reception numbers by population), invented cases and scores (see the script's "
        f"docstring). Samverkan stops once within {100 * args.target_gap:g} % of the full LP bound "
        "(``target_gap``).",
        "",
        "| cases | persons | compatible pairs | seed | method | time | objective | gap to full LP bound "
        "| unplaced | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        seconds = "–" if r.get("seconds") is None else f"{r['seconds']:.1f} s"
        objective = "–" if r.get("objective") is None else f"{r['objective']:.2f}"
        ratio = ""
        mine = ours.get((r["cases"], r["seed"]))
        if r["method"] != "samverkan" and mine and r.get("seconds") and mine.get("seconds"):
            ratio = f"time {r['seconds'] / mine['seconds']:.2f}× Samverkan's"
        note = "; ".join(x for x in (r.get("status", ""), ratio) if x)
        lines.append(
            f"| {r['cases']:,} | {r.get('persons') or '–'} | {r.get('pairs') or '–'} | {r['seed']} "
            f"| {r['method']} | {seconds} | {objective} | {_fmt_gap(r)} | {r.get('unplaced', '–')} | {note} |"
        )
    met = all(
        r.get("unplaced") == 0
        and r.get("gap") is not None
        and r["gap"] <= args.target_gap
        and r["seconds"] < TARGET_SECONDS
        for r in targets
    )
    lines += [
        "",
        f"Target at {args.cases:,} cases (every case placed, within {100 * args.target_gap:g} % of the full "
        f"LP bound, under {TARGET_SECONDS:g} s): "
        + ("met on every seed." if met else "**not met** on every seed (see the rows above)."),
        "",
        "HiGHS on the full model with no objective found no feasible placement within the limit. Times are "
        "wall clock and include reading the instance into arrays and pricing every pair; the time limit "
        "bounds the LP and MIP phases, so Samverkan can overrun it by that much (most visibly at 20,000 "
        "cases: 5.4 million pairs).",
        "",
        "The objective is the total score minus a penalty per unplaced case large enough that placing one "
        "more case always wins, so a method that leaves cases unplaced has a large negative objective.",
        "",
        "Samverkan stops at the target gap at every size, so at 20,000 cases it now ends near the target "
        "too, in less time, where before it used the whole limit and got closer (see below).",
        END,
    ]
    text = DOC.read_text(encoding="utf-8")
    if BEFORE_START in text:  # earlier figures kept beside the new ones
        before = BEFORE_START + text.split(BEFORE_START, 1)[1].split(BEFORE_END, 1)[0] + BEFORE_END
        lines[-1:-1] = ["", before]
    block = "\n".join(lines)
    if START in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
