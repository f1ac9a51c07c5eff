"""The placement optimizer stops at its target gap and keeps a warm start (no database)."""

from __future__ import annotations

import csv
from pathlib import Path

from samverkan.resettlement.optimizer import Problem, demand, solve
from samverkan.resettlement.optimizer.synthetic import instance

ROOT = Path(__file__).resolve().parents[4]


def _problem(municipalities: int, cases: int, seed: int) -> Problem:
    with (ROOT / "data" / "municipalities.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))[:municipalities]
    return instance([(r["code"], r["name"], int(r["population_2016"])) for r in rows], cases=cases, seed=seed)


def _fits(problem: Problem, assignment: dict[str, str | None]) -> bool:
    persons: dict[str, int] = {}
    for case in problem.cases:
        code = assignment[case.case_id]
        if code is not None:
            persons[code] = persons.get(code, 0) + demand(case).persons
    return all(persons.get(m.code, 0) <= m.capacity_persons for m in problem.municipalities)


def test_target_gap_stops_once_the_objective_is_within_the_target_of_the_lp_bound():
    problem = _problem(60, 600, seed=3)
    result = solve(problem, time_limit=120, target_gap=0.0025)
    assert result.stats["target_met"] == 1
    assert result.stats["final_mip"] == "skipped (target gap reached)"
    assert result.lp_bound - result.objective <= 0.0025 * abs(result.objective)
    assert result.unplaced == 0  # a positive LP bound: reaching the target places every case
    assert result.seconds < 60  # it did not run to the time limit


def test_without_a_target_gap_the_final_mip_runs():
    problem = _problem(12, 120, seed=4)
    result = solve(problem, time_limit=30, target_gap=None)
    assert result.stats["target_met"] == 0
    assert result.stats["final_mip"] == "solved"


def test_a_warm_start_gives_a_result_at_least_as_good_as_the_start():
    problem = _problem(40, 400, seed=5)
    best = solve(problem, time_limit=30, target_gap=None)
    loose = solve(problem, time_limit=30, target_gap=0.05)
    assert loose.objective < best.objective  # a loose target alone stops at a worse placement
    again = solve(problem, time_limit=30, target_gap=0.05, start=best.assignment)
    assert again.stats["warm_start"] == round(best.objective, 6)  # the start was taken whole
    assert again.objective >= best.objective - 1e-9
    assert _fits(problem, again.assignment)


def test_a_warm_start_that_no_longer_fits_is_repaired_not_trusted():
    problem = _problem(40, 400, seed=5)
    crowded = {c.case_id: problem.municipalities[0].code for c in problem.cases}  # all in one place
    unknown = {**crowded, problem.cases[0].case_id: "no-such-code"}
    result = solve(problem, time_limit=30, start=unknown)
    assert _fits(problem, result.assignment)
    assert result.unplaced == 0
    assert "warm_start" in result.stats
