"""``samverkan-placement``: place resettlement cases in municipalities from CSV files, without the
platform or its database.

    samverkan-placement solve --municipalities M.csv --cases C.csv [--scores S.csv] \\
        --out placement.csv --report report.json [--time-limit SECONDS]

Exit codes: 0 done; 2 bad input (``file:line: field: reason`` on standard error, or too many cases
for placement by priority); 5 the solver failed (e.g. the LP relaxation did not finish within the
time limit). Nothing is written unless the run succeeds: both files are written beside their
targets and renamed into place at the end. With a ``priority`` column, emergency cases are placed
before urgent ones and urgent before normal; the report counts each.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from samverkan.resettlement.optimizer import (
    NO_LARGE_DWELLING,
    NO_SERVICE_PLACES,
    PRIORITIES,
    TOO_LITTLE,
    TOO_MANY_PERSONS,
    USED_UP,
    Problem,
    Reason,
    solve,
)
from samverkan.resettlement.optimizer.capacity import LARGE_DWELLINGS, PERSONS
from samverkan.resettlement.optimizer.files import (
    InputError,
    parse_cases,
    parse_municipalities,
    parse_scores,
    read,
)
from samverkan.resettlement.optimizer.solver import TooManyCases


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="samverkan-placement", description="Place quota refugees' cases in municipalities.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("solve", help="compute a placement and its report")
    run.add_argument(
        "--municipalities",
        required=True,
        type=Path,
        help="code,name,capacity_persons,large_dwellings,need_slots",
    )
    run.add_argument(
        "--cases", required=True, type=Path, help="case_id,size,needs,tie_municipality[,languages][,priority]"
    )
    run.add_argument("--scores", type=Path, help="case_id,municipality_code,score (missing pairs score 0)")
    run.add_argument("--out", required=True, type=Path, help="placement.csv to write")
    run.add_argument("--report", required=True, type=Path, help="report.json to write")
    run.add_argument("--time-limit", type=float, default=30.0, metavar="SECONDS", help="default 30")
    return parser


SHOWN = 10  # municipalities named in one reason; the rest are counted


def describe(reason: Reason, names: dict[str, str]) -> str:
    """An unplaced reason in English, naming municipalities as ``name (code)`` (the platform words
    the same codes in the reader's language)."""
    p = reason.params

    def municipality(code: object) -> str:
        return f"{names.get(str(code), code)} ({code})"

    def listed(codes: object) -> str:
        items = [municipality(c) for c in codes] if isinstance(codes, list | tuple) else []
        rest = len(items) - SHOWN
        return ", ".join(items[:SHOWN]) + (f" and {rest} more" if rest > 0 else "")

    where = f"the tie municipality {municipality(p['tie'])}" if "tie" in p else "any municipality"
    if reason.code == TOO_MANY_PERSONS:
        return f"{p['persons']} persons: more than the reception number of {where}"
    if reason.code == NO_LARGE_DWELLING:
        return f"a family of {p['persons']} needs a large dwelling; {where} has none"
    if reason.code == NO_SERVICE_PLACES:
        return f"{where} has no service places for {p['need']}"
    limit = {PERSONS: "reception number", LARGE_DWELLINGS: "large dwellings"}.get(
        str(p.get("limit")), f"service places for {p.get('need')}"
    )
    if reason.code == USED_UP:
        return f"{limit}: used up by other cases in {listed(p.get('municipalities'))}"
    if reason.code == TOO_LITTLE:
        return f"{limit}: too little for this case in {listed(p.get('municipalities'))}"
    return reason.code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.time_limit <= 0:
        sys.stderr.write("samverkan-placement: error: --time-limit must be positive\n")
        return 2
    try:
        municipalities = parse_municipalities(args.municipalities, read(args.municipalities))
        cases = parse_cases(args.cases, read(args.cases), municipalities)
        scores = None
        if args.scores is not None:
            scores = parse_scores(args.scores, read(args.scores), cases, municipalities)
    except InputError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    if not municipalities or not cases:
        sys.stderr.write("samverkan-placement: error: no municipalities or no cases\n")
        return 2
    try:
        result = solve(Problem(municipalities, cases, scores), time_limit=args.time_limit)
    except TooManyCases as error:  # an instance the optimizer refuses (too large for priorities)
        sys.stderr.write(f"samverkan-placement: error: {error}\n")
        return 2
    except Exception as error:  # the solver's own failure, reported without a traceback
        sys.stderr.write(f"samverkan-placement: the solver failed: {error}\n")
        return 5
    names = {m.code: m.name for m in municipalities}
    placement = io.StringIO()
    writer = csv.writer(placement, lineterminator="\n")
    writer.writerow(["case_id", "municipality_code"])
    for case in cases:
        writer.writerow([case.case_id, result.assignment[case.case_id] or ""])
    report: dict[str, Any] = {
        "objective": result.objective,
        "score": result.score,
        "lp_bound": result.lp_bound,
        "bound": result.bound,
        "gap": result.gap,
        "placed_cases": result.placed,
        "unplaced_cases": result.unplaced,
        "unplaced_penalty": result.penalty,
        "priorities": {name: dict(result.priorities[name]) for name in PRIORITIES},
        "unplaced_penalties": dict(result.penalties),
        "seconds": round(result.seconds, 3),
        "solver": result.solver,
        "input_sha256": result.input_sha256,
        "scores": "file" if scores is not None else "built-in (1 per placed case + 0.5 x language match)",
        "stats": dict(result.stats),
        "unplaced": {
            case_id: [describe(r, names) for r in result.explanations[case_id].reasons]
            for case_id, code in result.assignment.items()
            if code is None
        },
        "unplaced_codes": {
            case_id: [r.as_json() for r in result.explanations[case_id].reasons]
            for case_id, code in result.assignment.items()
            if code is None
        },
    }
    pending = [
        (args.out, placement.getvalue()),
        (args.report, json.dumps(report, indent=2, ensure_ascii=False) + "\n"),
    ]
    temporaries = []
    try:
        for target, text in pending:
            fd, name = tempfile.mkstemp(dir=target.resolve().parent, prefix=f".{target.name}.")
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                stream.write(text)
            temporaries.append((name, target))
        for name, target in temporaries:
            os.replace(name, target)
    except OSError as error:
        for name, _ in temporaries:
            Path(name).unlink(missing_ok=True)
        sys.stderr.write(f"samverkan-placement: cannot write the output: {error}\n")
        return 5
    sys.stdout.write(
        f"{result.placed} of {len(cases)} cases placed; score {result.score:.4f}; "
        f"gap to the LP bound {100 * result.gap:.3f} %; {result.seconds:.1f} s\n"
    )
    if any(c.priority != "normal" for c in cases):
        counts = result.priorities
        sys.stdout.write(
            "placed by priority: "
            + ", ".join(
                f"{name} {counts[name]['placed']} of {counts[name]['placed'] + counts[name]['unplaced']}"
                for name in PRIORITIES
            )
            + "\n"
        )
    for case_id, reasons in report["unplaced"].items():
        sys.stdout.write(f"{case_id} not placed: {'; '.join(reasons)}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
