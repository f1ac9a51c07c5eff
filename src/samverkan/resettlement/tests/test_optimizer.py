"""The placement optimizer without the database: known optima, brute force on small random
instances, explanations of what blocks a case, determinism."""

from __future__ import annotations

import itertools
import random

import pytest

from samverkan.resettlement.optimizer import Case, Municipality, Problem, Reason, greedy, solve
from samverkan.resettlement.optimizer.solver import Arrays  # for the greedy baseline only


def _tiny() -> Problem:
    munis = (
        Municipality("A", "Fiktiva A", capacity_persons=5, large_dwellings=0, need_slots={"SM": 1}),
        Municipality("B", "Fiktiva B", capacity_persons=4, large_dwellings=1),
    )
    cases = (
        Case("c1", 3, ("SM",)),
        Case("c2", 2),
        Case("c3", 2),
        Case("c4", 2, (), "B"),
    )
    scores = {
        ("c1", "A"): 1.0,
        ("c2", "A"): 0.5,
        ("c2", "B"): 0.9,
        ("c3", "A"): 0.8,
        ("c3", "B"): 0.1,
        ("c4", "B"): 0.3,
    }
    return Problem(munis, cases, scores)


def test_tiny_instance_has_the_hand_computed_optimum():
    # c1 (SM) can only go to A (3 of 5 persons). c4 is tied to B (2 of 4). c2 and c3 share what is left:
    # A has 2 persons, B has 2: c2→B, c3→A scores 0.9 + 0.8 = 1.7, better than c2→A, c3→B (0.6).
    result = solve(_tiny())
    assert result.assignment == {"c1": "A", "c2": "B", "c3": "A", "c4": "B"}
    assert result.objective == pytest.approx(1.0 + 0.9 + 0.8 + 0.3)
    assert result.lp_bound >= result.objective - 1e-9 and result.gap == pytest.approx(0.0, abs=1e-9)
    assert result.explanations["c3"].binding == ("capacity_persons",)
    assert result.explanations["c1"].binding == ("capacity_persons", "need_slots:SM")


# --- an oracle independent of the solver's code -------------------------------------------------
# Written from the model in docs/placement-formats.md, not from the package: every case goes to one
# municipality or stays unplaced; a municipality's persons stay within its reception number, its
# families of 6 or more within its large dwellings, and each need code's occurrences within its
# service slots; a tied case goes to its tie or nowhere. The objective places as many cases as
# possible, then maximises the total score (a missing score is 0; without a scores file a placed case
# scores 1 + 0.5 x the share of its languages the municipality has interpreters for).


def _violations(problem: Problem, assignment, ignore: tuple[str, ...] = ()) -> list[str]:
    """The broken rules of ``assignment`` (case id -> municipality code or None), in words."""
    found = []
    munis = {m.code: m for m in problem.municipalities}
    for case in problem.cases:
        where = assignment[case.case_id]
        if where is not None and case.tie is not None and where != case.tie:
            found.append(f"{case.case_id} is tied to {case.tie} but placed in {where}")
    for code, m in munis.items():
        here = [c for c in problem.cases if assignment[c.case_id] == code]
        persons = sum(c.size for c in here)
        if "capacity_persons" not in ignore and persons > m.capacity_persons:
            found.append(f"{code}: {persons} persons > reception number {m.capacity_persons}")
        large = sum(1 for c in here if c.size >= 6)
        if "large_dwellings" not in ignore and large > m.large_dwellings:
            found.append(f"{code}: {large} large families > {m.large_dwellings} large dwellings")
        if "need_slots" not in ignore:
            for need in sorted({n for c in here for n in c.needs}):
                used = sum(c.needs.count(need) for c in here)
                if used > m.need_slots.get(need, 0):
                    found.append(f"{code}: {used} {need} > {m.need_slots.get(need, 0)} slots")
    return found


def _score(problem: Problem, case: Case, code: str) -> float:
    if problem.scores is not None:
        return problem.scores.get((case.case_id, code), 0.0)
    m = next(m for m in problem.municipalities if m.code == code)
    share = len(case.languages & m.languages) / len(case.languages) if case.languages else 0.0
    return 1.0 + 0.5 * share


def _best_by_enumeration(problem: Problem, ignore: tuple[str, ...] = ()):
    """(placed cases, total score, one best assignment) over every assignment of the instance."""
    codes = [None] + [m.code for m in problem.municipalities]
    best = (-1, -float("inf"), None)
    for choice in itertools.product(codes, repeat=len(problem.cases)):
        assignment = {c.case_id: m for c, m in zip(problem.cases, choice, strict=True)}
        if _violations(problem, assignment, ignore):
            continue
        placed = sum(1 for m in choice if m is not None)
        pairs = zip(problem.cases, choice, strict=True)
        score = sum(_score(problem, c, m) for c, m in pairs if m is not None)
        if (placed, score) > best[:2]:
            best = (placed, score, assignment)
    return best


def _assert_optimal(problem: Problem, result) -> None:
    assert _violations(problem, result.assignment) == []
    placed, score, _best = _best_by_enumeration(problem)
    assert result.placed == placed
    assert result.score == pytest.approx(score, abs=1e-6)


# Each constraint family on its own hand instance where it binds: without it, the best placement
# would oversell a municipality (checked with the oracle), so a solver that drops it fails here.
BINDING = [
    pytest.param(
        "capacity_persons",
        Problem(
            (
                Municipality("A", "Fiktiva A", capacity_persons=4, large_dwellings=0),
                Municipality("B", "Fiktiva B", capacity_persons=10, large_dwellings=0),
            ),
            (Case("c1", 3), Case("c2", 3)),  # each fits A alone, both do not (6 > 4)
            {("c1", "A"): 1.0, ("c2", "A"): 0.9, ("c1", "B"): 0.1, ("c2", "B"): 0.3},
        ),
        {"c1": "A", "c2": "B"},  # 1.0 + 0.3 beats c2 in A, c1 in B (0.9 + 0.1)
        id="reception-number",
    ),
    pytest.param(
        "large_dwellings",
        Problem(
            (
                Municipality("A", "Fiktiva A", capacity_persons=30, large_dwellings=1),
                Municipality("B", "Fiktiva B", capacity_persons=30, large_dwellings=1),
            ),
            (Case("f1", 6), Case("f2", 7), Case("c3", 2)),
            {("f1", "A"): 1.0, ("f2", "A"): 0.9, ("f1", "B"): 0.2, ("f2", "B"): 0.5, ("c3", "A"): 0.4},
        ),
        {"f1": "A", "f2": "B", "c3": "A"},  # A's one large dwelling; persons (15 of 30) are no limit
        id="large-dwellings",
    ),
    pytest.param(
        "need_slots",
        Problem(
            (
                Municipality("A", "Fiktiva A", capacity_persons=30, large_dwellings=0, need_slots={"SM": 2}),
                Municipality("B", "Fiktiva B", capacity_persons=30, large_dwellings=0, need_slots={"SM": 2}),
            ),
            (Case("s1", 2, ("SM", "SM")), Case("s2", 1, ("SM",)), Case("c3", 1)),
            {("s1", "A"): 1.0, ("s2", "A"): 0.8, ("s1", "B"): 0.1, ("s2", "B"): 0.4, ("c3", "A"): 0.3},
        ),
        {"s1": "A", "s2": "B", "c3": "A"},  # s1 takes both of A's SM slots (SM;SM takes two)
        id="service-slots",
    ),
]


@pytest.mark.parametrize(("family", "problem", "expected"), BINDING)
def test_a_binding_constraint_is_never_oversold(family, problem, expected):
    placed, _score, unconstrained = _best_by_enumeration(problem, ignore=(family,))
    assert placed == len(problem.cases)
    assert _violations(problem, unconstrained)  # without the constraint the best placement oversells
    result = solve(problem)
    assert _violations(problem, result.assignment) == []
    assert result.assignment == expected
    _assert_optimal(problem, result)


@pytest.mark.parametrize("seed", range(12))
def test_small_random_instances_match_brute_force(seed):
    rng = random.Random(seed)
    munis = tuple(
        Municipality(
            f"M{j}",
            f"Fiktiv {j}",
            rng.randint(2, 9),
            rng.randint(0, 1),
            {"SM": rng.randint(0, 2), "CR": rng.randint(0, 1)},
        )
        for j in range(3)
    )
    cases = tuple(
        Case(
            f"c{i}",
            rng.choice((1, 2, 3, 6)),
            tuple(rng.choice(((), ("SM",), ("CR",), ("SM", "SM")))),
            rng.choice((None, None, None, "M1")),
        )
        for i in range(5)
    )
    scores = {(c.case_id, m.code): round(rng.random(), 3) for c in cases for m in munis if rng.random() < 0.8}
    problem = Problem(munis, cases, scores)
    result = solve(problem)
    _assert_optimal(problem, result)
    assert result.lp_bound >= result.objective - 1e-6
    assert solve(problem).assignment == result.assignment  # deterministic


def test_blocked_cases_are_explained_by_constraint_family():
    munis = (
        Municipality("A", "Fiktiva A", 4, 0, {"SM": 1}),
        Municipality("B", "Fiktiva B", 3, 1, {}),
    )
    cases = (
        Case("big", 7),  # larger than any reception number
        Case("large-family", 6, (), "B"),  # tie to B: 6 persons > 3
        Case("needs-ds", 1, ("DS",)),  # nobody has DS services
        Case("sm-1", 1, ("SM",)),
        Case("sm-2", 1, ("SM",)),  # A's one SM slot goes to one of them
    )
    result = solve(Problem(munis, cases))
    reasons = {k: e.reasons for k, e in result.explanations.items() if e.reasons}
    # codes with parameters, never sentences: the platform words them in the reader's language
    assert reasons["big"] == (Reason("too_many_persons", {"persons": 7}),)
    assert reasons["large-family"][0] == Reason("too_many_persons", {"persons": 6, "tie": "B"})
    assert reasons["needs-ds"] == (Reason("no_service_places", {"need": "DS"}),)
    blocked_sm = [k for k in ("sm-1", "sm-2") if k in reasons]
    assert len(blocked_sm) == 1 and reasons[blocked_sm[0]] == (
        Reason("used_up", {"limit": "need_slots", "need": "SM", "municipalities": ["A"]}),
        Reason("too_little", {"limit": "need_slots", "need": "SM", "municipalities": ["B"]}),
    )
    assert result.unplaced == 4 and result.placed == 1


def test_built_in_score_prefers_a_municipality_with_interpreters():
    munis = (
        Municipality("A", "Fiktiva A", 5, 0, languages=frozenset({"sv"})),
        Municipality("B", "Fiktiva B", 5, 0, languages=frozenset({"ti", "ar"})),
    )
    result = solve(Problem(munis, (Case("c1", 2, languages=frozenset({"ti"})),)))
    assert result.assignment == {"c1": "B"}
    assert result.explanations["c1"].parts == {"base": 1.0, "language": 0.5}


def test_the_optimizer_beats_or_equals_greedy_and_never_exceeds_the_lp_bound():
    rng = random.Random(7)
    munis = tuple(
        Municipality(f"M{j}", f"Fiktiv {j}", rng.randint(5, 30), rng.randint(0, 3), {"SM": rng.randint(0, 3)})
        for j in range(12)
    )
    cases = tuple(
        Case(f"c{i}", rng.choice((1, 1, 2, 3, 4, 6)), ("SM",) if rng.random() < 0.1 else ())
        for i in range(60)
    )
    scores = {(c.case_id, m.code): round(rng.random(), 3) for c in cases for m in munis}
    problem = Problem(munis, cases, scores)
    result = solve(problem, time_limit=20)
    arr = Arrays(problem)
    baseline = greedy(arr)
    placed = baseline >= 0
    greedy_value = arr.score[placed.nonzero()[0], baseline[placed]].sum() - arr.penalty * (~placed).sum()
    assert result.objective >= greedy_value - 1e-9
    assert result.objective <= result.bound + 1e-6 <= result.lp_bound + 1e-6


def test_progress_is_reported_stage_by_stage_and_only_forward():
    seen: list[tuple[int, str]] = []
    solve(_tiny(), time_limit=10, progress=lambda percent, step: seen.append((percent, step)))
    steps = [step for _p, step in seen]
    assert steps[0] == "lp" and steps[-1] == "explaining" and "incumbent" in steps
    percents = [p for p, _s in seen]
    assert percents == sorted(percents) and percents[0] > 0 and percents[-1] < 100
