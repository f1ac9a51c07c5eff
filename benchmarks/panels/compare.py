"""Samverkan's panel lottery against the Sortition Foundation's ``sortition-algorithms``, in one run.

Setup (once; the reference is a benchmark-only dependency and stays out of the product's venv):

    python3 -m venv .venv-bench && echo '*' > .venv-bench/.gitignore
    .venv-bench/bin/pip install -r requirements/bench.txt
    .venv-bench/bin/pip install --no-deps -e .

Run:  .venv-bench/bin/python benchmarks/panels/compare.py [--runs 3] [--time-limit 300] [--no-docs]

On the same synthetic, seeded instances (benchmarks/panels/instances.py: pools skewed against the
quotas, as volunteer pools are), written once as features.csv/people.csv and read by each tool's
own CSV loader, it computes:

* Samverkan ``find_distribution(instance, "leximin")`` and ``find_distribution(instance, "legacy")``
  (legacy: the empirical lottery of 1,000 seeded runs of the greedy);
* the reference's ``find_distribution_maximin`` on HiGHS (its leximin needs Gurobi, which is not
  installed here; its own dispatcher falls back to maximin then too) and its legacy greedy,
  ``find_random_sample_legacy``, repeated ``--legacy-draws`` times to estimate each person's chance.

Each job runs in a fresh forked process with a wall-clock limit (``--time-limit``; a job that
hits it is reported as "> N s"); time is the algorithm's alone (reading the files excluded) and
the median of ``--runs`` runs (legacy jobs run once). It reports each method's minimum probability,
compares the full sorted probability vectors (largest difference, and whether Samverkan's
leximin lexicographically dominates the reference's maximin), how many volunteers legacy gives
no chance, and checks the targets: Samverkan's minimum >= the reference maximin's - 1e-6; at least
5x faster than the reference maximin; 2,000/100 in under 30 s. It also lists how Samverkan's leximin
solved each instance (its ``stats``) and the machine's load averages before and after the run (timings
on a shared machine vary). The results go between
``<!-- panels:start -->`` and ``<!-- panels:end -->`` in docs/benchmarks.md (unless --no-docs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
if str(ROOT / "src") not in sys.path:
    sys.path.insert(1, str(ROOT / "src"))

import instances  # noqa: E402  (benchmarks/panels/instances.py, beside this file)

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- panels:start -->", "<!-- panels:end -->"
TOLERANCE = 1e-6
SPEEDUP_TARGET = 5.0
BIG_TARGET_SECONDS = 30.0

Job = Callable[..., dict[str, Any]]


# --------------------------------------------------------------------------------------------------
# Jobs (each runs in a child process; heavy imports happen there)


def ours(
    algorithm: str, spec: instances.Spec, features: str, people: str, time_limit: float
) -> dict[str, Any]:
    """Samverkan: read the files with its reader, then time ``find_distribution``."""
    from samverkan.panels.lottery import find_distribution
    from samverkan.panels.lottery.files import read_instance

    instance = read_instance(
        people,
        features,
        size=spec.panel,
        id_column="id",
        household_columns=["address"] if spec.households else [],
    )
    start = time.perf_counter()
    distribution = find_distribution(instance, algorithm, time_limit=time_limit)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "probabilities": dict(distribution.probabilities),
        "panels": len(distribution.panels),
        "stats": dict(distribution.stats),
    }


def _reference_load(spec: instances.Spec, features: str, people: str) -> tuple[Any, Any, list[str]]:
    """The reference's own CSV loading (CSVFileDataSource + SelectionData), quietened."""
    import logging

    from sortition_algorithms.adapters import CSVFileDataSource, SelectionData
    from sortition_algorithms.settings import Settings
    from sortition_algorithms.utils import set_log_level

    set_log_level(logging.ERROR)
    scratch = Path(features).parent
    source = CSVFileDataSource(
        features_file=Path(features),
        people_file=Path(people),
        already_selected_file=None,
        selected_file=scratch / "selected.csv",
        remaining_file=scratch / "remaining.csv",
    )
    data = SelectionData(source)
    feature_collection, _ = data.load_features(spec.panel)
    address = ["address"] if spec.households else []
    settings = Settings(
        id_column="id",
        columns_to_keep=[],
        check_same_address=bool(address),
        check_same_address_columns=address,
    )
    pool, _ = data.load_people(settings, feature_collection)
    return feature_collection, pool, address


def reference_maximin(spec: instances.Spec, features: str, people: str, time_limit: float) -> dict[str, Any]:
    """sortition-algorithms' maximin on HiGHS."""
    from sortition_algorithms.committee_generation import find_distribution_maximin, standardize_distribution

    feature_collection, pool, address = _reference_load(spec, features, people)
    start = time.perf_counter()
    committees, weights, _ = find_distribution_maximin(
        feature_collection, pool, spec.panel, address, "highspy"
    )
    seconds = time.perf_counter() - start
    committees, weights = standardize_distribution(committees, weights)
    probabilities = dict.fromkeys(pool, 0.0)
    for committee, weight in zip(committees, weights, strict=True):
        for person in committee:
            probabilities[person] += weight
    return {"seconds": seconds, "probabilities": probabilities, "panels": len(committees)}


def reference_legacy(
    spec: instances.Spec, features: str, people: str, time_limit: float, draws: int = 1000
) -> dict[str, Any]:
    """sortition-algorithms' legacy greedy, repeated ``draws`` times (seeded) within ``time_limit``."""
    from sortition_algorithms import errors
    from sortition_algorithms.committee_generation import find_random_sample_legacy
    from sortition_algorithms.utils import set_random_provider

    feature_collection, pool, address = _reference_load(spec, features, people)
    set_random_provider(spec.seed)
    counts = dict.fromkeys(pool, 0)
    done = failed = 0
    start = time.perf_counter()
    while done + failed < draws and time.perf_counter() - start < time_limit:
        try:
            committees, _ = find_random_sample_legacy(
                pool, feature_collection, spec.panel, address, max_attempts=100
            )
        except errors.SelectionError:
            failed += 1
            continue
        done += 1
        for person in committees[0]:
            counts[person] += 1
    seconds = time.perf_counter() - start
    probabilities = {person: count / max(done, 1) for person, count in counts.items()}
    return {"seconds": seconds, "probabilities": probabilities, "draws": done, "failed_draws": failed}


def _child(job: Job, args: tuple[Any, ...], sender: Any) -> None:
    try:
        sender.send(job(*args))
    except BaseException as error:  # report any failure to the parent
        sender.send({"error": f"{type(error).__name__}: {error}"})
    finally:
        sender.close()


def isolated(job: Job, args: tuple[Any, ...], limit: float) -> dict[str, Any]:
    """Run ``job(*args)`` in a forked process; ``{"timeout": True}`` if it runs past ``limit`` s."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(job, args, sender))
    process.start()
    sender.close()
    result: dict[str, Any] = {"timeout": True}
    if receiver.poll(limit + 5):  # the job's own limit (if any) first; this is the backstop
        try:
            result = receiver.recv()
        except EOFError:
            result = {"error": "the process died"}
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join()
    return result


# --------------------------------------------------------------------------------------------------
# Comparison


def sorted_vector(probabilities: dict[str, float]) -> list[float]:
    return sorted(probabilities.values())


def dominance(ours_: list[float], theirs: list[float]) -> str:
    """'yes' if ``ours_`` (sorted ascending) is lexicographically greater, 'equal' within 1e-6, else 'no'."""
    for a, b in zip(ours_, theirs, strict=True):
        if a > b + TOLERANCE:
            return "yes"
        if a < b - TOLERANCE:
            return "no"
    return "equal"


def summarise(spec: instances.Spec, runs: dict[str, list[dict[str, Any]]], limit: float) -> dict[str, Any]:
    """The figures of one instance from the runs of every method."""
    row: dict[str, Any] = {"instance": spec.name, "pool": spec.pool, "panel": spec.panel}
    for method, results in runs.items():
        ok = [r for r in results if "probabilities" in r]
        entry: dict[str, Any] = {}
        if not ok:
            failed = results[0] if results else {}
            entry["failed"] = f"> {limit:.0f} s" if failed.get("timeout") else failed.get("error", "not run")
        else:
            probabilities = ok[0]["probabilities"]
            timeouts = sum(1 for r in results if r.get("timeout"))
            # runs stopped at the limit count as slower than every finished run
            median = statistics.median([r["seconds"] for r in ok] + [float("inf")] * timeouts)
            entry.update(
                seconds=median if median < float("inf") else limit,
                at_least=median == float("inf"),
                all_seconds=[round(r["seconds"], 3) for r in results if "seconds" in r],
                min=min(probabilities.values()),
                zero=sum(1 for p in probabilities.values() if p <= TOLERANCE),
                vector=sorted_vector(probabilities),
                by_person=probabilities,
            )
            for key in ("panels", "draws", "failed_draws", "stats"):
                if key in ok[0]:
                    entry[key] = ok[0][key]
            if timeouts:
                entry["timeouts"] = f"{timeouts} of {len(results)} runs > {limit:.0f} s"
        row[method] = entry
    lex, ref = row.get("ours_leximin", {}), row.get("ref_maximin", {})
    if "vector" in lex and "vector" in ref:
        row["max_abs_diff"] = max(abs(a - b) for a, b in zip(lex["vector"], ref["vector"], strict=True))
        row["dominates"] = dominance(lex["vector"], ref["vector"])
        row["min_ok"] = lex["min"] >= ref["min"] - TOLERANCE
        if ref["at_least"]:
            row["speedup_at_least"] = ref["seconds"] / lex["seconds"]
        else:
            row["speedup"] = ref["seconds"] / lex["seconds"]
    elif "vector" in lex and ref.get("failed", "").startswith(">"):
        row["speedup_at_least"] = limit / lex["seconds"]
    leg_ours, leg_ref = row.get("ours_legacy", {}), row.get("ref_legacy", {})
    if "by_person" in leg_ours and "by_person" in leg_ref:
        row["legacy_max_abs_diff"] = max(
            abs(leg_ours["by_person"][p] - leg_ref["by_person"].get(p, 0.0)) for p in leg_ours["by_person"]
        )
    return row


def _s(entry: dict[str, Any]) -> str:
    if "failed" in entry:
        return str(entry["failed"])
    text = f"> {entry['seconds']:.0f} s" if entry.get("at_least") else f"{entry['seconds']:.2f} s"
    return text + (f" ({entry['timeouts']})" if "timeouts" in entry else "")


def _p(entry: dict[str, Any], key: str = "min") -> str:
    return "—" if key not in entry else f"{entry[key]:.4f}"


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The section for docs/benchmarks.md."""
    lines = [
        "## Panel lottery: Samverkan's leximin vs. sortition-algorithms' maximin and legacy",
        "`benchmarks/panels/compare.py` — the same synthetic features.csv/people.csv (pools skewed against",
        "the quotas, as volunteer pools are; `benchmarks/panels/instances.py`), each read by each tool's own",
        "CSV loader. Reference: `sortition-algorithms` "
        f"{meta['versions'].get('sortition-algorithms', '?')}, maximin on HiGHS (its leximin needs Gurobi,",
        "not available here) and its legacy greedy. Time is the algorithm alone, each job in a fresh",
        f"process; medians of {meta['runs']} runs for the LP methods, one run of "
        f"{meta['legacy_draws']} seeded draws for each legacy.",
        "",
        "```sh",
        "python3 -m venv .venv-bench && echo '*' > .venv-bench/.gitignore",
        ".venv-bench/bin/pip install -r requirements/bench.txt && .venv-bench/bin/pip install --no-deps -e .",
        meta["command"],
        "```",
        "",
        f"Machine: {meta['machine']}. Measured {meta['date']}.",
        "",
        "| instance | Samverkan leximin: min p, time | reference maximin: min p, time | speed-up | "
        "sorted vectors: max abs diff, leximin dominates | Samverkan legacy: min p, zero-chance | "
        "reference legacy: min p, never drawn, time |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lex, ref = row.get("ours_leximin", {}), row.get("ref_maximin", {})
        leg, rleg = row.get("ours_legacy", {}), row.get("ref_legacy", {})
        if "speedup" in row:
            speed = f"{row['speedup']:.1f}×"
        elif "speedup_at_least" in row:
            speed = f"> {row['speedup_at_least']:.1f}×"
        else:
            speed = "—"
        vectors = f"{row['max_abs_diff']:.2g}, {row['dominates']}" if "max_abs_diff" in row else "—"
        leg_text = f"{_p(leg)}, {leg.get('zero', '—')}" if "min" in leg else _s(leg) if leg else "—"
        rleg_text = (
            f"{_p(rleg)}, {rleg.get('zero', '—')} of {row['pool']}, {_s(rleg)} ({rleg.get('draws', 0)} draws)"
            if "min" in rleg
            else _s(rleg)
            if rleg
            else "—"
        )
        lex_text = f"{_p(lex)}, {_s(lex) if lex else '—'}"
        ref_text = f"{_p(ref)}, {_s(ref) if ref else '—'}"
        cells = [row["instance"], lex_text, ref_text, speed, vectors, leg_text, rleg_text]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Min p is the smallest probability of selection over the pool. For both legacy columns the",
        "probabilities are frequencies over seeded runs of the greedy (Samverkan: 1,000 runs; reference:",
        'the draws shown), so "zero-chance" and "never drawn" count volunteers not drawn in any run —',
        "an estimate, with sampling error of about √(p(1−p)/runs) on each probability.",
        "",
        "Targets:",
        "",
    ]
    for row in rows:
        checks = []
        if "min_ok" in row:
            checks.append(f"min ≥ reference − 1e-6: {'met' if row['min_ok'] else 'MISSED'}")
        if "speedup" in row:
            checks.append(
                f"≥ {SPEEDUP_TARGET:.0f}× faster: {'met' if row['speedup'] >= SPEEDUP_TARGET else 'MISSED'}"
            )
        elif "speedup_at_least" in row:
            checks.append(f"≥ {SPEEDUP_TARGET:.0f}× faster: met (reference timed out)")
            if "min_ok" not in row:
                checks.append("min ≥ reference − 1e-6: not checked (the reference did not finish)")
        lex = row.get("ours_leximin", {})
        if row["pool"] >= 2000 and "seconds" in lex:
            verdict = "met" if lex["seconds"] < BIG_TARGET_SECONDS else "MISSED"
            checks.append(f"under {BIG_TARGET_SECONDS:.0f} s: {verdict}")
        if "legacy_max_abs_diff" in row:
            checks.append(
                f"legacy ports agree to {row['legacy_max_abs_diff']:.3f} per person (sampling error)"
            )
        lines.append(f"- {row['instance']}: " + ("; ".join(checks) if checks else "not measured"))
    lines += [
        "",
        "Samverkan's leximin, how each instance was solved (see `samverkan.panels.lottery.leximin`):",
        "",
    ]
    for row in rows:
        stats = row.get("ours_leximin", {}).get("stats")
        if stats:
            path = {0: "relaxation", 1: "relaxation without never-selectable types", 2: "staged fallback"}
            lines.append(
                f"- {row['instance']}: {stats.get('types')} types, "
                f"{path.get(stats.get('fallback', 0), '?')}, {stats.get('cuts', 0)} cuts, "
                f"{stats.get('walk_panels', 0)} walk panels, {stats.get('cover_rounds', 0)} pricing MIPs, "
                f"{stats.get('type_panels_in_support', 0)} type panels in the lottery"
            )
    lines += [
        "",
        "Times are wall-clock on a shared machine: other jobs (e.g. another engineer's test runs) used",
        "the same 2 cores, so single figures vary by tens of per cent (1/5/15-minute load averages:",
        f"{meta['load']}).",
        "",
        f"Raw times (s): {meta['raw_times']}",
    ]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    """Put ``section`` between the markers in docs/benchmarks.md (markers appended if missing)."""
    text = DOC.read_text(encoding="utf-8")
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{START}\n{section}\n{END}{tail}", encoding="utf-8")


def machine() -> str:
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f", {kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores{memory}, {system}, Python {platform.python_version()}"


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"


def versions() -> dict[str, str]:
    out = {}
    for name in ("sortition-algorithms", "highspy", "numpy", "scipy", "samverkan"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each LP method (median reported)")
    parser.add_argument(
        "--time-limit", type=float, default=300.0, help="seconds per run before it is stopped"
    )
    parser.add_argument("--legacy-draws", type=int, default=1000, help="draws of the reference legacy")
    parser.add_argument(
        "--only", action="append", default=[], help="run only instances whose name contains this (repeatable)"
    )
    parser.add_argument("--reference-only", action="store_true", help="skip Samverkan (core not available)")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)

    specs = [s for s in instances.SPECS if not args.only or any(o in s.name for o in args.only)]
    load_before = _load()
    rows: list[dict[str, Any]] = []
    raw_times: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="panels-bench-") as scratch:
        for index, spec in enumerate(specs):
            features_path, people_path = instances.write(spec, Path(scratch) / f"i{index}")
            files = (str(features_path), str(people_path))
            plan: list[tuple[str, Job, tuple[Any, ...], int]] = []
            if not args.reference_only:
                plan += [
                    ("ours_leximin", ours, ("leximin", spec, *files, args.time_limit), args.runs),
                    ("ours_legacy", ours, ("legacy", spec, *files, args.time_limit), 1),
                ]
            plan += [
                ("ref_maximin", reference_maximin, (spec, *files, args.time_limit), args.runs),
                ("ref_legacy", reference_legacy, (spec, *files, args.time_limit, args.legacy_draws), 1),
            ]
            results: dict[str, list[dict[str, Any]]] = {}
            for method, job, job_args, count in plan:
                results[method] = []
                for run in range(count):
                    result = isolated(job, job_args, args.time_limit)
                    results[method].append(result)
                    shown = (
                        f"{result['seconds']:.2f} s"
                        if "seconds" in result
                        else "timeout"
                        if result.get("timeout")
                        else result.get("error")
                    )
                    print(f"{spec.name:36} {method:14} run {run + 1}: {shown}", flush=True)
                    if "seconds" not in result:
                        break  # a timeout or error will not improve on a second try
            raw_times[spec.name] = {
                m: [round(r["seconds"], 2) for r in rs if "seconds" in r] for m, rs in results.items()
            }
            rows.append(summarise(spec, results, args.time_limit))

    command = ".venv-bench/bin/python benchmarks/panels/compare.py" + (
        f" {' '.join(argv)}" if argv else f" {' '.join(sys.argv[1:])}" if sys.argv[1:] else ""
    )
    meta = {
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": versions(),
        "runs": args.runs,
        "legacy_draws": args.legacy_draws,
        "command": command.rstrip(),
        "raw_times": json.dumps(raw_times, ensure_ascii=False),
        "load": f"{load_before} at the start, {_load()} at the end",
    }
    section = markdown(rows, meta)
    print()
    print(section)
    if args.json:
        slim = [{k: v for k, v in row.items()} for row in rows]
        for row in slim:
            for method in ("ours_leximin", "ours_legacy", "ref_maximin", "ref_legacy"):
                if isinstance(row.get(method), dict):
                    row[method] = {k: v for k, v in row[method].items() if k not in ("by_person",)}
        args.json.write_text(json.dumps({"meta": meta, "rows": slim}, indent=1), encoding="utf-8")
    if not args.no_docs:
        write_docs(section)
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
