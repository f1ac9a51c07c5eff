"""Urgent first: emergency cases are placed before urgent ones and urgent before normal, in the
optimizer (against the full MIP solved lexicographically, stage by stage), the command line and
the platform's run."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import random
from pathlib import Path

import highspy
import numpy as np
import pytest

from samverkan.resettlement.cli import main
from samverkan.resettlement.optimizer import PRIORITIES, Case, Municipality, Problem, greedy, solve, solver
from samverkan.resettlement.optimizer.solver import Arrays, TooManyCases
from samverkan.resettlement.optimizer.synthetic import instance

ROOT = Path(__file__).resolve().parents[4]


def _short_by_one_family(*, ignore_priority: bool = False) -> Problem:
    """14 persons for 12 places: one family of 2 or 3 stays out. The scores favour leaving the
    emergency family out (it scores least), so only its priority keeps it in."""
    munis = (
        Municipality("A", "Fiktiva A", capacity_persons=7, large_dwellings=0),
        Municipality("B", "Fiktiva B", capacity_persons=5, large_dwellings=0),
    )
    cases = (
        Case("E1", 4, priority="emergency"),
        Case("U1", 2, priority="urgent"),
        Case("N1", 3),
        Case("N2", 3),
        Case("N3", 2),
    )
    if ignore_priority:
        cases = tuple(dataclasses.replace(c, priority="normal") for c in cases)
    low = {"E1": 0.1, "U1": 0.1}
    scores = {(c.case_id, m.code): low.get(c.case_id, 1.0) for c in cases for m in munis}
    return Problem(munis, cases, scores)


def test_when_capacity_is_short_every_emergency_and_urgent_case_is_placed():
    result = solve(_short_by_one_family(), time_limit=10)
    unplaced = [case for case, where in result.assignment.items() if where is None]
    assert len(unplaced) == 1 and unplaced[0].startswith("N")
    assert result.assignment["E1"] is not None and result.assignment["U1"] is not None
    assert result.priorities == {
        "emergency": {"placed": 1, "unplaced": 0},
        "urgent": {"placed": 1, "unplaced": 0},
        "normal": {"placed": 2, "unplaced": 1},
    }
    assert result.bound < result.objective + 1  # proven: no placement does better by priority
    # the instance is one where priority decides: without it, the emergency family stays out
    blind = solve(_short_by_one_family(ignore_priority=True), time_limit=10)
    assert blind.placed == result.placed and blind.assignment["E1"] is None


def test_one_more_emergency_case_outweighs_every_urgent_and_normal_case():
    # 2 normal single persons fit where 1 emergency family of 2 would: the family goes
    munis = (Municipality("A", "Fiktiva A", capacity_persons=2, large_dwellings=0),)
    cases = (Case("N1", 1), Case("N2", 1), Case("E1", 2, priority="emergency"))
    result = solve(Problem(munis, cases), time_limit=10)
    assert result.assignment == {"N1": None, "N2": None, "E1": "A"}
    # and 3 urgent single persons do not push out 1 emergency family of 3
    munis = (Municipality("A", "Fiktiva A", capacity_persons=3, large_dwellings=0),)
    cases = (*(Case(f"U{i}", 1, priority="urgent") for i in range(3)), Case("E1", 3, priority="emergency"))
    assert solve(Problem(munis, cases), time_limit=10).assignment["E1"] == "A"


def test_negative_scores_do_not_make_leaving_a_case_out_pay():
    # the penalty must exceed what placing any case can cost, also when every score is below zero
    munis = (Municipality("A", "Fiktiva A", capacity_persons=2, large_dwellings=0),)
    cases = (Case("N1", 1), Case("E1", 1, priority="emergency"))
    result = solve(Problem(munis, cases, {("N1", "A"): -100.0, ("E1", "A"): -100.5}), time_limit=10)
    assert result.assignment == {"N1": "A", "E1": "A"}


def test_the_greedy_incumbent_places_the_more_pressing_cases_first():
    # what a run cut short by its time limit falls back on
    problem = _short_by_one_family()
    assign = greedy(Arrays(problem))
    placed = {c.case_id for c, m in zip(problem.cases, assign.tolist(), strict=True) if m >= 0}
    assert {"E1", "U1"} <= placed


def test_an_instance_too_large_for_exact_priority_penalties_is_refused(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(solver, "MAX_PENALTY", 10.0)  # here: 6 normal, 24 urgent, 48 emergency
    with pytest.raises(TooManyCases, match="too many cases for placement by priority"):
        solve(_short_by_one_family(), time_limit=10)
    solve(_short_by_one_family(ignore_priority=True), time_limit=10)  # without priorities: no limit
    assert main(_args(tmp_path, CASES)) == 2
    assert "too many cases for placement by priority" in capsys.readouterr().err
    assert not (tmp_path / "placement.csv").exists()


def test_the_input_hash_changes_only_for_a_priority_other_than_normal():
    problem = _short_by_one_family(ignore_priority=True)
    # the canonical form before priorities existed
    old = {
        "municipalities": [
            [m.code, m.name, m.capacity_persons, m.large_dwellings, sorted(m.need_slots.items()), []]
            for m in problem.municipalities
        ],
        "cases": [[c.case_id, c.size, list(c.needs), c.tie, []] for c in problem.cases],
        "scores": sorted([*k, v] for k, v in (problem.scores or {}).items()),
    }
    text = json.dumps(old, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert problem.sha256() == hashlib.sha256(text.encode()).hexdigest()
    assert _short_by_one_family().sha256() != problem.sha256()


def test_an_unknown_priority_is_refused():
    with pytest.raises(ValueError, match="soon"):
        Case("X", 1, priority="soon")


# --- Against the full MIP ---------------------------------------------------------------------------
def lexicographic_counts(problem: Problem) -> dict[str, int]:
    """The most cases of each priority in turn (emergency, then urgent given that, then normal),
    by HiGHS on the full model (every compatible pair), one stage per priority with the counts of
    the stages before as constraints: independent of the optimizer's penalties."""
    arr = Arrays(problem)
    kc, km = np.nonzero(arr.compat)
    n = len(kc)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", 120.0)
    inf = highspy.kHighsInf
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))

    def row(idx: np.ndarray, values: np.ndarray, lower: float, upper: float) -> None:
        h.addRow(lower, upper, len(idx), idx.astype(np.int32), np.asarray(values, dtype=float))

    for c in range(arr.C):
        idx = np.flatnonzero(kc == c)
        if len(idx):
            row(idx, np.ones(len(idx)), -inf, 1)
    for m in range(arr.M):
        idx = np.flatnonzero(km == m)
        if len(idx):
            row(idx, arr.size[kc[idx]], -inf, arr.cap[m])
            big = idx[arr.big[kc[idx]] > 0]
            if len(big):
                row(big, np.ones(len(big)), -inf, arr.large[m])
            for k in range(arr.K):
                needing = idx[arr.need[kc[idx], k] > 0]
                if len(needing):
                    row(needing, arr.need[kc[needing], k], -inf, arr.slots[m, k])
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    counts = {}
    for t, name in enumerate(PRIORITIES):
        mine = (arr.priority[kc] == t).astype(float)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), mine)
        h.run()
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        counts[name] = round(h.getInfo().objective_function_value)
        idx = np.flatnonzero(mine)
        if len(idx):
            row(idx, np.ones(len(idx)), counts[name], inf)
    return counts


def _municipalities(count: int) -> list[tuple[str, str, int]]:
    with (ROOT / "data" / "municipalities.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return [(r["code"], r["name"], int(r["population_2016"])) for r in rows[:count]]


@pytest.mark.parametrize("seed", range(1, 9))
def test_on_small_tight_instances_the_counts_per_priority_are_the_full_mips_lexicographic_optimum(seed):
    rng = random.Random(seed)
    # reception numbers 5 % short of the persons: a few cases stay out, and which ones is the question
    problem = instance(_municipalities(12), cases=rng.randint(150, 300), slack=0.95, seed=seed)
    problem = dataclasses.replace(
        problem,
        cases=tuple(
            dataclasses.replace(c, priority=rng.choices(PRIORITIES, weights=(10, 20, 70))[0])
            for c in problem.cases
        ),
    )
    result = solve(problem, time_limit=30)
    assert result.unplaced > 0
    found = {name: counts["placed"] for name, counts in result.priorities.items()}
    assert found == lexicographic_counts(problem)
    assert result.bound < result.objective + 1


# --- The platform ---------------------------------------------------------------------------------
RECEPTION_CSV = b"code,name,capacity_persons,large_dwellings,need_slots,languages\n2380,Ostersund,9,0,,ar\n"
# 11 persons for 9 places; the emergency family (no interpreter for ti) scores least
PLATFORM_CASES_CSV = (
    b"case_id,age,sex,needs,languages,priority\n"
    + b"".join(b"E-1,%d,F,,ti,%s\n" % (30 + i, b"emergency" if i == 0 else b"") for i in range(4))
    + b"".join(b"U-1,%d,M,,ar,%s\n" % (30 + i, b"urgent" if i == 0 else b"") for i in range(2))
    + b"".join(b"N-1,%d,F,,ar,\n" % (30 + i) for i in range(2))
    + b"".join(b"N-2,%d,M,,ar,normal\n" % (30 + i) for i in range(3))
)


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_platform_run_places_emergency_and_urgent_cases_first_and_shows_the_counts(
    client, django_capture_on_commit_callbacks
):
    from samverkan.accounts.tests.helpers import verified_login
    from samverkan.resettlement import services
    from samverkan.resettlement.tests.factories import YEAR, officer, officer_user

    user = officer_user()
    actor = officer()
    services.reception_import(actor=actor, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    services.case_import(actor=actor, year=YEAR, data=PLATFORM_CASES_CSV, filename="c.csv")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(actor=actor, year=YEAR, time_limit=10)
    run.refresh_from_db()
    where = dict(run.proposals.values_list("case__reference", "municipality_id"))
    assert where["E-1"] == "2380" and where["U-1"] == "2380"
    assert [ref for ref, code in where.items() if code is None] in (["N-1"], ["N-2"])
    assert run.stats["priorities"] == {
        "emergency": {"placed": 1, "unplaced": 0},
        "urgent": {"placed": 1, "unplaced": 0},
        "normal": {"placed": 1, "unplaced": 1},
    }
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    verified_login(client, user)
    body = client.get(f"/resettlement/runs/{run.pk}/").content.decode()
    assert 'data-priority="emergency" data-placed="1" data-total="1">Emergency: 1 of 1 case' in body
    assert 'data-priority="normal" data-placed="1" data-total="2">Normal: 1 of 2 cases' in body
    assert "without leaving a case of a higher priority unplaced" in body


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_platform_run_too_large_for_exact_priorities_fails_saying_why(
    monkeypatch, django_capture_on_commit_callbacks
):
    from samverkan.resettlement import services
    from samverkan.resettlement.optimizer import solver
    from samverkan.resettlement.tests.factories import YEAR, officer

    actor = officer()
    services.reception_import(actor=actor, year=YEAR, data=RECEPTION_CSV, filename="m.csv")
    services.case_import(actor=actor, year=YEAR, data=PLATFORM_CASES_CSV, filename="c.csv")
    # As if the instance were tens of thousands of cases: the penalties would exceed the limit.
    monkeypatch.setattr(solver, "MAX_PENALTY", 1.0)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_start(actor=actor, year=YEAR, time_limit=10)
    run.refresh_from_db()
    assert run.status == "failed" and not run.proposals.exists()
    assert run.error.startswith("Too many cases to place by priority in one run")


# --- The command line -----------------------------------------------------------------------------
MUNICIPALITIES = """code,name,capacity_persons,large_dwellings,need_slots
A,Fiktiva A,7,0,
B,Fiktiva B,5,0,
"""
CASES = """case_id,size,needs,tie_municipality,priority
E1,4,,,Emergency
U1,2,,,urgent
N1,3,,,
N2,3,,,normal
N3,2,,,
"""


def _args(tmp_path: Path, cases: str) -> list[str]:
    (tmp_path / "M.csv").write_text(MUNICIPALITIES, encoding="utf-8")
    (tmp_path / "C.csv").write_text(cases, encoding="utf-8")
    scores = ["case_id,municipality_code,score"] + [
        f"{c},{m},{0.1 if c in ('E1', 'U1') else 1.0}" for c in ("E1", "U1", "N1", "N2", "N3") for m in "AB"
    ]
    (tmp_path / "S.csv").write_text("\n".join(scores) + "\n", encoding="utf-8")
    return [
        "solve",
        *("--municipalities", str(tmp_path / "M.csv"), "--cases", str(tmp_path / "C.csv")),
        *("--scores", str(tmp_path / "S.csv"), "--out", str(tmp_path / "placement.csv")),
        *("--report", str(tmp_path / "report.json"), "--time-limit", "10"),
    ]


def test_the_command_line_places_emergency_and_urgent_cases_first(tmp_path, capsys):
    assert main(_args(tmp_path, CASES)) == 0
    rows = list(csv.DictReader((tmp_path / "placement.csv").open(encoding="utf-8")))
    unplaced = [r["case_id"] for r in rows if not r["municipality_code"]]
    assert len(unplaced) == 1 and unplaced[0].startswith("N")
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["priorities"] == {
        "emergency": {"placed": 1, "unplaced": 0},
        "urgent": {"placed": 1, "unplaced": 0},
        "normal": {"placed": 2, "unplaced": 1},
    }
    assert report["unplaced_penalties"]["emergency"] > report["unplaced_penalties"]["urgent"]
    assert "placed by priority: emergency 1 of 1, urgent 1 of 1, normal 2 of 3" in capsys.readouterr().out


def test_the_command_line_without_a_priority_column_leaves_the_low_scoring_family_out(tmp_path):
    cases = "\n".join(line.rsplit(",", 1)[0] for line in CASES.splitlines()) + "\n"
    assert main(_args(tmp_path, cases)) == 0
    rows = {r["case_id"]: r["municipality_code"] for r in csv.DictReader((tmp_path / "placement.csv").open())}
    assert rows["E1"] == ""  # what the priority column prevents above


def test_a_bad_priority_names_the_line_and_writes_nothing(tmp_path, capsys):
    assert main(_args(tmp_path, CASES.replace("urgent", "soon"))) == 2
    assert "C.csv:3: priority: 'soon' is not one of emergency, urgent, normal" in capsys.readouterr().err
    assert not (tmp_path / "placement.csv").exists() and not (tmp_path / "report.json").exists()
