"""``samverkan-panel``: draw a citizens' panel from CSV files, and let anyone verify a draw.

    samverkan-panel select --people people.csv --features features.csv --size 20 [--id-column id] \\
        [--household-column address ...] [--algorithm leximin|legacy] [--seed S] [--time-limit T] \\
        --json result.json
    samverkan-panel verify --people people.csv --features features.csv --result result.json

Runs without Django or a database: it reads the files (samverkan.panels.lottery.files), computes
the distribution over panels, draws one with the seed, and writes everything needed to check the
draw to result.json. The files are described in docs/panels-formats.md; the replication data of
Flanigan et al. (Nature 2021), categories.csv and respondents.csv, is read as it is published (without
``--id-column`` and an ``id`` column, the people are numbered 0..n-1 in file order, and ``select``
says so).

Exit codes: 0 done (verify: the draw checks out); 1 verify found a difference; 2 bad input, with
``file:line: reason`` on standard error; 3 the quotas cannot be met, with the conflicts and a
relaxation that can; 4 the solver did not finish within ``--time-limit``; 5 the lottery failed
otherwise (for instance legacy's greedy failed in every run). On any non-zero exit, ``select``
writes no result file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from samverkan.panels.lottery import (
    ALGORITHM_VERSION,
    Distribution,
    InfeasibleQuotas,
    Instance,
    LotteryTimeout,
    Quota,
    draw,
    select,
)
from samverkan.panels.lottery.files import InputError, read_instance_with_pool

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILED",
    "EXIT_INFEASIBLE",
    "EXIT_MISMATCH",
    "EXIT_TIMEOUT",
    "RESULT_FORMAT",
    "main",
]

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_TIMEOUT = 4
EXIT_FAILED = 5
RESULT_FORMAT = "samverkan-panel-result/1"
ALGORITHMS = ("leximin", "legacy")
TOLERANCE = 1e-6


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises instead of exiting, so ``main`` returns the exit code."""

    def error(self, message: str) -> Any:  # argparse's signature says NoReturn
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="samverkan-panel",
        description="Draw a citizens' panel by lottery from a pool (people.csv) and quotas (features.csv).",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    pick = commands.add_parser("select", help="compute the distribution over panels and draw one")
    _files(pick)
    pick.add_argument("--size", type=int, required=True, help="number of people on the panel")
    pick.add_argument(
        "--id-column",
        default=None,
        help="the column of people.csv that holds each person's id (default: the column named 'id'; "
        "without one, the people are numbered 0, 1, 2, ... in file order, as the research code of "
        "Flanigan et al. 2021 numbers respondents.csv)",
    )
    pick.add_argument(
        "--household-column",
        action="append",
        default=[],
        metavar="COLUMN",
        help="column(s) that together make an address: at most one person per address is drawn "
        "(repeat for several columns, e.g. street and postcode)",
    )
    pick.add_argument("--algorithm", choices=ALGORITHMS, default="leximin")
    pick.add_argument(
        "--seed",
        type=_seed,
        default=None,
        help="the lottery seed: a whole number >= 0 or any text, e.g. numbers drawn in public (announce "
        "how it is chosen before the draw; default: a random number, printed and recorded)",
    )
    pick.add_argument(
        "--time-limit", type=float, default=None, metavar="SECONDS", help="limit for the solver"
    )
    pick.add_argument("--json", required=True, type=Path, metavar="RESULT", help="where to write the result")

    check = commands.add_parser("verify", help="re-run a draw from its files and result.json and compare")
    _files(check)
    check.add_argument("--result", required=True, type=Path, help="the result.json of the draw")
    check.add_argument(
        "--time-limit", type=float, default=None, metavar="SECONDS", help="limit for the solver"
    )
    return parser


def _files(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", required=True, type=Path, help="people.csv: the pool")
    parser.add_argument("--features", required=True, type=Path, help="features.csv: the quotas")


def _seed(text: str) -> int | str:
    """A whole number >= 0 stays a number; any other non-empty text (say, a lottery's numbers) is kept."""
    text = text.strip()
    if not text:
        raise argparse.ArgumentTypeError("the seed is empty")
    if text.lstrip("-").isdigit():
        seed = int(text)
        if seed < 0:
            raise argparse.ArgumentTypeError(f"{seed} is negative")
        return seed
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        if args.command == "select":
            return _select(args, sys.stdout)
        return _verify(args, sys.stdout)
    except InputError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    except InfeasibleQuotas as error:
        _print_infeasible(error, sys.stderr)
        return EXIT_INFEASIBLE
    except LotteryTimeout as error:
        print(f"the solver did not finish in time: {error}", file=sys.stderr)
        return EXIT_TIMEOUT
    except (ValueError, RuntimeError) as error:  # the core refused the instance or could not finish
        print(f"the lottery failed: {error}", file=sys.stderr)
        return EXIT_FAILED


# --------------------------------------------------------------------------------------------------
# select


def _select(args: argparse.Namespace, out: TextIO) -> int:
    target: Path = args.json
    if not target.parent.is_dir():
        raise InputError(target, 0, "result_dir_missing", directory=str(target.parent))
    instance, pool = read_instance_with_pool(
        args.people,
        args.features,
        size=args.size,
        id_column=args.id_column,
        household_columns=args.household_column,
    )
    seed = args.seed if args.seed is not None else secrets.randbelow(2**63)
    selection = select(instance, args.algorithm, seed, time_limit=args.time_limit)
    result = _result(
        selection.distribution,
        panel=selection.panel,
        seed=seed,
        input_sha256=selection.input_sha256,
        algorithm_version=selection.algorithm_version,
        size=args.size,
        id_column=args.id_column,
        ids_numbered=pool.ids_numbered,
        household_columns=args.household_column,
        people=args.people,
        features=args.features,
    )
    _write_json(target, result)
    dist = selection.distribution
    zero = sum(1 for p in dist.probabilities.values() if p <= TOLERANCE)
    for note in pool.notes:
        print(f"note: {note.english()}", file=out)
    print(f"panel of {len(selection.panel)} drawn from {len(instance.people)} people", file=out)
    print(f"algorithm {dist.algorithm} ({selection.algorithm_version}), seed {seed}", file=out)
    print(
        f"lowest chance of selection {dist.min_probability:.6f} "
        f"({len(dist.panels)} panels in the distribution, {zero} people with no chance)",
        file=out,
    )
    print(f"input sha256 {selection.input_sha256}", file=out)
    print(f"result written to {target}", file=out)
    return 0


def _result(
    distribution: Distribution,
    *,
    panel: Sequence[str],
    seed: int | str,
    input_sha256: str,
    algorithm_version: str,
    size: int,
    id_column: str | None,
    ids_numbered: bool,
    household_columns: Sequence[str],
    people: Path,
    features: Path,
) -> dict[str, Any]:
    return {
        "format": RESULT_FORMAT,
        "panel": list(panel),
        "probabilities": {person: float(p) for person, p in distribution.probabilities.items()},
        "min_probability": float(distribution.min_probability),
        "algorithm": distribution.algorithm,
        "algorithm_version": algorithm_version,
        "seed": seed,
        "input_sha256": input_sha256,
        "seconds": float(distribution.seconds),
        "size": size,
        "id_column": id_column,
        "ids_numbered": ids_numbered,
        "household_columns": list(household_columns),
        "people_file": people.name,
        "features_file": features.name,
        "panels": [list(p) for p in distribution.panels],
        "weights": [float(w) for w in distribution.weights],
        "stats": {key: value for key, value in distribution.stats.items()},
    }


def _write_json(target: Path, result: Mapping[str, Any]) -> None:
    """Write ``result`` to ``target`` atomically: a temporary file beside it, then a rename."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(result, stream, ensure_ascii=False, indent=1)
            stream.write("\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _print_infeasible(error: InfeasibleQuotas, err: TextIO) -> None:
    print("the quotas cannot be met:", file=err)
    for conflict in error.conflicts:
        print(f"  {conflict}", file=err)
    if error.relaxation:
        was = {(new.feature, new.value): old for old, new in getattr(error, "changes", ())}
        print("these quotas can (feature,value,min,max):", file=err)
        for quota in error.relaxation:
            old = was.get((quota.feature, quota.value))
            note = f"   (was {old.min},{old.max})" if old is not None else ""
            print(f"  {_quota_text(quota)}{note}", file=err)


# --------------------------------------------------------------------------------------------------
# verify


def _verify(args: argparse.Namespace, out: TextIO) -> int:
    recorded = _read_result(args.result)
    instance, pool = read_instance_with_pool(
        args.people,
        args.features,
        size=recorded["size"],
        id_column=recorded["id_column"],
        household_columns=recorded["household_columns"],
    )
    for note in pool.notes:
        print(f"note: {note.english()}", file=out)
    failures: list[str] = []

    def check(ok: bool, what: str, why: str = "") -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {what}{'' if ok or not why else f': {why}'}", file=out)
        if not ok:
            failures.append(what)

    digest = instance.sha256()
    check(
        digest == recorded["input_sha256"],
        "the input files are those of the draw",
        f"sha256 {digest}, the result says {recorded['input_sha256']}",
    )
    distribution = _distribution(recorded)
    problems = _distribution_problems(instance, distribution, recorded)
    check(not problems, "every panel of the recorded distribution meets the quotas", "; ".join(problems[:5]))
    redrawn = list(draw(distribution, recorded["seed"]))
    check(
        sorted(redrawn) == sorted(recorded["panel"]),
        "the seed draws the recorded panel from the recorded distribution",
        f"it draws {redrawn}",
    )
    same_version = recorded["algorithm_version"] == ALGORITHM_VERSION
    if not same_version:
        print(
            f"note: the draw used algorithm version {recorded['algorithm_version']}, this is "
            f"{ALGORITHM_VERSION}; the re-run may differ",
            file=out,
        )
    rerun = select(instance, recorded["algorithm"], recorded["seed"], time_limit=args.time_limit)
    gap = max(
        abs(rerun.distribution.probabilities.get(p, 0.0) - recorded["probabilities"].get(p, 0.0))
        for p in instance.people
    )
    check(gap <= TOLERANCE, "a re-run gives the same chances to everyone", f"largest difference {gap:.3g}")
    check(
        sorted(rerun.panel) == sorted(recorded["panel"]),
        "a re-run with the seed draws the same panel",
        f"it draws {list(rerun.panel)}",
    )
    if failures:
        print(f"NOT VERIFIED: {len(failures)} check(s) failed", file=out)
        return EXIT_MISMATCH
    print("verified", file=out)
    return 0


_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "panel": list,
    "probabilities": dict,
    "algorithm": str,
    "algorithm_version": str,
    "seed": (int, str),
    "input_sha256": str,
    "size": int,
    "id_column": (str, type(None)),  # null: not given (the column named id, or the people numbered)
    "household_columns": list,
    "panels": list,
    "weights": list,
}


def _read_result(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except OSError as error:
        raise InputError(path, 0, "file_unreadable", detail=str(error.strerror or error)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", 1)
        raise InputError(path, line, "result_not_json", detail=str(error)) from None
    if not isinstance(data, dict):
        raise InputError(path, 1, "result_not_object")
    for key, kind in _REQUIRED.items():
        value = data.get(key)
        if key not in data or not isinstance(value, kind) or isinstance(value, bool):
            raise InputError(path, 1, "result_key", key=key)
    if data["algorithm"] not in ALGORITHMS:
        raise InputError(path, 1, "result_algorithm", algorithm=str(data["algorithm"]))
    if len(data["panels"]) != len(data["weights"]):
        raise InputError(path, 1, "result_lengths")
    return data


def _distribution(recorded: Mapping[str, Any]) -> Distribution:
    return Distribution(
        algorithm=recorded["algorithm"],
        panels=tuple(tuple(str(p) for p in panel) for panel in recorded["panels"]),
        weights=tuple(float(w) for w in recorded["weights"]),
        probabilities={str(k): float(v) for k, v in recorded["probabilities"].items()},
        seconds=float(recorded.get("seconds", 0.0)),
    )


def _distribution_problems(
    instance: Instance, distribution: Distribution, recorded: Mapping[str, Any]
) -> list[str]:
    """What is wrong with a recorded distribution, checked against the instance alone."""
    problems: list[str] = []
    weights = distribution.weights
    if any(w < -TOLERANCE or not math.isfinite(w) for w in weights) or abs(sum(weights) - 1.0) > TOLERANCE:
        problems.append("the weights are not a probability distribution")
    pool = set(instance.people)
    marginal = dict.fromkeys(instance.people, 0.0)
    for index, (panel, weight) in enumerate(zip(distribution.panels, weights, strict=True)):
        why = _panel_problem(instance, panel, pool)
        if why:
            problems.append(f"panel {index}: {why}")
            continue
        for person in panel:
            marginal[person] += weight
    gap = max(
        (abs(marginal[p] - distribution.probabilities.get(p, 0.0)) for p in instance.people), default=0.0
    )
    if gap > TOLERANCE:
        problems.append(f"the probabilities are not those of the panels and weights (off by {gap:.3g})")
    return problems


def _panel_problem(instance: Instance, panel: Sequence[str], pool: set[str]) -> str:
    if len(panel) != instance.size or len(set(panel)) != len(panel):
        return f"{len(set(panel))} different people, not {instance.size}"
    strangers = [p for p in panel if p not in pool]
    if strangers:
        return f"not in the pool: {', '.join(strangers[:3])}"
    for quota in instance.quotas:
        count = sum(1 for p in panel if instance.features[p].get(quota.feature) == quota.value)
        if not quota.min <= count <= quota.max:
            return f"{count} with {quota.feature}/{quota.value}, the quota is {quota.min}..{quota.max}"
    if instance.households:
        seen: dict[str, str] = {}
        for person in panel:
            home = instance.households.get(person)
            if home is not None and home in seen:
                return f"{seen[home]} and {person} share a household"
            if home is not None:
                seen[home] = person
    return ""


def _quota_text(quota: Quota) -> str:
    return f"{quota.feature},{quota.value},{quota.min},{quota.max}"


if __name__ == "__main__":
    sys.exit(main())
