"""The placement optimizer without the database: known optima, brute force on small random
instances, explanations of what blocks a case, determinism."""

from __future__ import annotations

import itertools
import random

import pytest

from samverkan.resettlement.optimizer import Case, Municipality, Problem, greedy, solve
from samverkan.resettlement.optimizer.solver import Arrays


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


def _brute_force(problem: Problem) -> float:
    arr = Arrays(problem)
    best = -float("inf")
    for choice in itertools.product(range(-1, arr.M), repeat=arr.C):
        cap, large, slots = arr.cap.copy(), arr.large.copy(), arr.slots.copy()
        value = 0.0
        ok = True
        for c, m in enumerate(choice):
            if m < 0:
                value -= arr.penalty
                continue
            if not arr.compat[c, m]:
                ok = False
                break
            cap[m] -= arr.size[c]
            large[m] -= arr.big[c]
            slots[m] -= arr.need[c]
            value += arr.score[c, m]
        if ok and (cap >= 0).all() and (large >= 0).all() and (slots >= 0).all():
            best = max(best, value)
    return best


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
    assert result.objective == pytest.approx(_brute_force(problem), abs=1e-6)
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
    assert "capacity_persons" in reasons["big"][0] and "any municipality" in reasons["big"][0]
    assert (
        reasons["large-family"][0].startswith("capacity_persons")
        and "tie municipality B" in reasons["large-family"][0]
    )
    assert reasons["needs-ds"] == ("need_slots:DS: any municipality has no DS service slots for this case",)
    blocked_sm = [k for k in ("sm-1", "sm-2") if k in reasons]
    assert len(blocked_sm) == 1 and reasons[blocked_sm[0]] == (
        "need_slots:SM: used up by other cases in A",
        "need_slots:SM: too little for this case in B",
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
