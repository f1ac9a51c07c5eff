"""Optimal placement of resettlement cases in municipalities, on HiGHS.

Model (maximise)
    ``sum S[c,m] x[c,m] - P * sum u[c]`` over binary ``x`` on compatible pairs and ``u`` (unplaced),
    subject to ``sum_m x[c,m] + u[c] = 1`` per case; persons ``sum size[c] x[c,m] <= capacity[m]``;
    large families ``sum_{size>=6} x[c,m] <= large_dwellings[m]``; per need code
    ``sum count[c,k] x[c,m] <= slots[m,k]``; a tie allows only its municipality. A pair is
    *compatible* when the case alone fits the municipality (persons, a large dwelling if needed, the
    slots of each need code, the tie): the other pairs are zero in every feasible solution, so
    leaving them out does not change the model. ``P = 1 + cases * (score range)``, so placing one
    more case always outweighs any change of scores: the model places as many cases as it can.

Priority (UNHCR's submission categories: emergency, urgent, normal)
    The penalty of an unplaced case depends on its priority: with ``s`` the score range (at least
    1, of the scores together with 0), ``C`` the cases and ``N_q`` the cases of priority ``q``,
    ``P_t = 1 + C * s + sum over the lower priorities q of N_q * P_q`` (normal: ``1 + C * s``, as
    above). Between two placements that place as many cases of every priority above ``t``, the one
    that places ``k >= 1`` more of priority ``t`` is worth at least ``k * P_t - C * s`` more from
    priority ``t`` and the priorities above (their scores differ by at most ``s`` per case) and at
    most ``sum N_q * (P_q + s)`` less from the lower ones, so at least 1 more in all. Hence the
    optimum is lexicographic: the most emergency cases that can be placed, then the most urgent
    ones, then the most normal ones, then the best score; and a bound below ``objective + 1``
    proves every count. The reduced-cost fixing and the bounds below hold for any objective, these
    penalties included. The penalties are kept below ``MAX_PENALTY`` (relative to ``s``), where
    double precision and the solver's tolerances (1e-7) still tell 1 apart; larger instances with
    priorities are refused (``TooManyCases``) rather than solved without the guarantee. The incumbent
    heuristics place the more pressing cases first, and the final MIP's relative gap is tightened
    so that its absolute gap stays below 1.

Method
    1. *The full LP by column generation.* Start from each case's best-scoring compatible pairs;
       solve the LP; price every compatible pair at once (NumPy, ``cases x municipalities``) with
       the duals; add the pairs with negative reduced cost; repeat until none. The optimum is the
       LP bound of the full model (every column of the full LP has a non-negative reduced cost).
    2. *An incumbent* by LP-guided rounding: pairs in decreasing LP value (then score) are taken
       when they still fit; then every case left is offered its best compatible municipality.
    3. *Reduced-cost fixing.* A pair with reduced cost ``d`` can be in a solution worth at most
       ``LP bound - d``; if that is below the incumbent, no better solution uses it. Only those
       pairs are removed, so the bound stays honest for the full model.
    4. *The MIP* over the remaining pairs, warm-started with the incumbent, single-threaded with a
       fixed seed (deterministic), within the time limit. The proven bound is the MIP's dual bound
       (pruned pairs cannot beat the incumbent, see 3).

    Between 2 and 3 two restricted MIPs improve the incumbent: each case's two cheapest pairs by
    reduced cost with the LP's support (at most ``RESTRICTED_SHARE`` of the time limit), then a
    *neighbourhood*: the cases placed where the LP puts them whole stay there, every other case may
    take its ``NEIGHBOURHOOD_PAIRS`` cheapest pairs.

Target gap
    ``solve`` stops as soon as the objective is within ``target_gap`` of the full LP bound
    (``LP bound - objective <= target_gap * |objective|``; each MIP is told the target and stops on
    reaching it). A gap of 1 or more could hide a case that could still be placed (of any priority),
    so the target must also keep every count: when the LP bound is positive, an objective of 0 or
    more places every case (one penalty outweighs all the scores), so the relative target suffices;
    otherwise the objective must also be less than 1 (0.5 for the MIPs) below the LP bound, as the
    final MIP proves. ``target_gap=None`` (or 0) runs to the time limit. A pruned model of at most
    ``FINAL_MIP_SMALL`` pairs is solved to the end all the same (it takes milliseconds).

Warm start
    ``start`` (case id -> municipality code or ``None``), e.g. the proposals of an earlier run after
    a manual move, is checked case by case in the problem's order: a case whose municipality is
    unknown, incompatible or already full is left out; the cases left out are then offered their
    best municipality that still fits. It is the first incumbent if it is the best one, and every
    later stage keeps the best solution so far, so the result is never worse than the start.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import highspy
import numpy as np

from .capacity import LARGE_DWELLINGS, NEED_SLOTS, PERSONS, demand
from .model import (
    NEED_CODES,
    NO_LARGE_DWELLING,
    NO_SERVICE_PLACES,
    NORMAL,
    PRIORITIES,
    TOO_LITTLE,
    TOO_MANY_PERSONS,
    USED_UP,
    Explanation,
    Placement,
    Problem,
    Reason,
)

INF = highspy.kHighsInf
SEED = 20161  # fixed HiGHS random seed (determinism)
TOL = 1e-9
START_COLUMNS = 8  # best-scoring compatible pairs per case in the first LP
RESTRICTED_GAP = 2e-3  # relative gap at which the first restricted MIP stops
RESTRICTED_SHARE = 0.3  # of the time limit (at least 1 s) for the first restricted MIP, at most
RESTRICTED_SOLUTIONS = 1  # the first restricted MIP stops at its first improving solution
NEIGHBOURHOOD_PAIRS = 8  # cheapest pairs by reduced cost per free case in the neighbourhood MIP
TARGET_GAP = 2.5e-3  # default target: within 0.25 % of the full LP bound
FINAL_MIP_MAX_PAIRS = 50_000  # larger pruned models are not worth the time; the LP bound stands
FINAL_MIP_SMALL = 2_000  # a pruned model this small is solved to the end even once the target is met
MAX_PENALTY = 1e11  # the largest priority penalty, relative to the score range (see "Priority")


class TooManyCases(ValueError):
    """Priority penalties beyond ``MAX_PENALTY``: the instance is refused, not solved inexactly."""


def _highs() -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", SEED)
    return h


def solver_name() -> str:
    return f"HiGHS {highspy.Highs().version()}"


class Arrays:
    """The problem as dense arrays: municipalities ``m``, cases ``c``, need codes ``k``."""

    def __init__(self, problem: Problem) -> None:
        muni = problem.municipalities
        cases = problem.cases
        self.problem = problem
        self.M, self.C, self.K = len(muni), len(cases), len(NEED_CODES)
        index = {m.code: i for i, m in enumerate(muni)}
        self.cap = np.array([m.capacity_persons for m in muni], dtype=float)
        self.large = np.array([m.large_dwellings for m in muni], dtype=float)
        self.slots = np.array([[m.need_slots.get(k, 0) for k in NEED_CODES] for m in muni], dtype=float)
        demands = [demand(c) for c in cases]  # the capacity model: persons, large dwellings, places
        self.size = np.array([d.persons for d in demands], dtype=float)
        self.big = np.array([d.large_dwellings for d in demands], dtype=float)
        self.need = np.array(
            [[d.need_slots.get(k, 0) for k in NEED_CODES] for d in demands], dtype=float
        ).reshape(self.C, self.K)
        self.tie = np.array([index[c.tie] if c.tie else -1 for c in cases], dtype=int)
        self.compat = self._compatible()
        self.parts_language = np.zeros((self.C, self.M))
        if problem.scores is None:
            for i, c in enumerate(cases):
                if c.languages:
                    self.parts_language[i] = [len(c.languages & m.languages) / len(c.languages) for m in muni]
            self.score = 1.0 + 0.5 * self.parts_language
        else:
            self.score = np.zeros((self.C, self.M))
            case_index = {c.case_id: i for i, c in enumerate(cases)}
            for (case_id, code), value in problem.scores.items():
                self.score[case_index[case_id], index[code]] = value
        values = self.score[self.compat] if self.compat.any() else np.zeros(1)
        # the range of the scores and 0 (at least 1): every score lies in [-spread, spread], and two
        # scores differ by at most spread (for scores >= 0, as before: the largest score)
        spread = max(float(max(values.max(), 0.0) - min(values.min(), 0.0)), 1.0)
        self.penalty = 1.0 + self.C * spread  # an unplaced case of normal priority
        # priority as an index into PRIORITIES (0: emergency), and each priority's penalty ("Priority")
        self.priority = np.array([PRIORITIES.index(c.priority) for c in cases], dtype=int).reshape(self.C)
        self.prioritised = bool((self.priority != PRIORITIES.index(NORMAL)).any())
        counts = np.bincount(self.priority, minlength=len(PRIORITIES))
        self.penalty_of: dict[str, float] = {}
        lower = 0.0  # sum of N_q * P_q over the priorities below
        for t in reversed(range(len(PRIORITIES))):
            self.penalty_of[PRIORITIES[t]] = 1.0 + self.C * spread + lower
            lower += float(counts[t]) * self.penalty_of[PRIORITIES[t]]
        if self.prioritised and max(self.penalty_of.values()) > MAX_PENALTY * spread:
            raise TooManyCases(
                f"too many cases for placement by priority: {self.C} cases need a penalty of "
                f"{max(self.penalty_of.values()):.3g} (at most {MAX_PENALTY:.0e} is solved exactly)"
            )
        self.penalties = np.array(
            [self.penalty_of[PRIORITIES[t]] for t in self.priority.tolist()], dtype=float
        )

    def _compatible(self) -> np.ndarray:
        ok = (self.size[:, None] <= self.cap[None, :]) & (
            (self.big[:, None] == 0) | (self.large[None, :] >= 1)
        )
        for k in range(self.K):
            needed = self.need[:, k] > 0
            if needed.any():
                ok[needed] &= self.need[needed, k][:, None] <= self.slots[None, :, k]
        tied = self.tie >= 0
        if tied.any():
            mask = np.zeros_like(ok)
            mask[np.flatnonzero(tied), self.tie[tied]] = True
            ok[tied] &= mask[tied]
        return ok

    # rows: cases [0, C), capacity [C, C+M), large [C+M, C+2M), need (m, k) at C + 2M + m*K + k
    def columns(self, cs: np.ndarray, ms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Column-wise sparse entries (starts, row indices, values) of the pairs ``(cs[j], ms[j])``."""
        C, M, K = self.C, self.M, self.K
        n = len(cs)
        j = np.arange(n)
        parts_j = [j, j]
        parts_r = [cs, C + ms]
        parts_v = [np.ones(n), self.size[cs]]
        big = self.big[cs] > 0
        parts_j.append(j[big])
        parts_r.append(C + M + ms[big])
        parts_v.append(np.ones(int(big.sum())))
        nj, nk = np.nonzero(self.need[cs])
        parts_j.append(nj)
        parts_r.append(C + 2 * M + ms[nj] * K + nk)
        parts_v.append(self.need[cs[nj], nk])
        col = np.concatenate(parts_j)
        order = np.argsort(col, kind="stable")
        starts = np.searchsorted(col[order], j).astype(np.int32)
        return starts, np.concatenate(parts_r)[order].astype(np.int32), np.concatenate(parts_v)[order]

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        upper = np.concatenate([np.ones(self.C), self.cap, self.large, self.slots.reshape(-1)])
        lower = np.concatenate([np.ones(self.C), np.full(self.M * (2 + self.K), -INF)])
        return lower, upper

    def reduced_costs(self, y: np.ndarray) -> np.ndarray:
        """Reduced cost (minimisation form) of every pair; +inf for incompatible pairs."""
        C, M, K = self.C, self.M, self.K
        y_case, y_cap, y_large = y[:C], y[C : C + M], y[C + M : C + 2 * M]
        y_need = y[C + 2 * M :].reshape(M, K)
        rc = (
            -self.score
            - y_case[:, None]
            - self.size[:, None] * y_cap[None, :]
            - self.big[:, None] * y_large[None, :]
        )
        rc -= self.need @ y_need.T
        return np.where(self.compat, rc, np.inf)


def _build(arr: Arrays, cs: np.ndarray, ms: np.ndarray, integer: bool) -> highspy.Highs:
    h = _highs()
    lower, upper = arr.row_bounds()
    h.addRows(
        len(lower), lower, upper, 0, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0)
    )
    # unplaced columns u[c]: cost P, in their case row only
    C = arr.C
    h.addCols(
        C,
        arr.penalties,
        np.zeros(C),
        np.ones(C),
        C,
        np.arange(C, dtype=np.int32),
        np.arange(C, dtype=np.int32),
        np.ones(C),
    )
    _add_pairs(h, arr, cs, ms)
    if integer and len(cs):
        n = len(cs)
        h.changeColsIntegrality(
            n, np.arange(C, C + n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
        )
    return h


def _add_pairs(h: highspy.Highs, arr: Arrays, cs: np.ndarray, ms: np.ndarray) -> None:
    if len(cs) == 0:
        return
    starts, idx, vals = arr.columns(cs, ms)
    n = len(cs)
    h.addCols(n, -arr.score[cs, ms], np.zeros(n), np.ones(n), len(idx), starts, idx, vals)


def _solve_lp(
    arr: Arrays, deadline: float
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Column generation; returns (LP optimum (min form), duals, the pairs' cases, municipalities and
    LP values, rounds)."""
    masked = np.where(arr.compat, arr.score, -np.inf)
    k = min(START_COLUMNS, arr.M)
    top = np.argsort(-masked, axis=1, kind="stable")[:, :k]
    cs = np.repeat(np.arange(arr.C), k)
    ms = top.reshape(-1)
    keep = arr.compat[cs, ms]
    cs, ms = cs[keep], ms[keep]
    active = np.zeros((arr.C, arr.M), dtype=bool)
    active[cs, ms] = True
    h = _build(arr, cs, ms, integer=False)
    h.setOptionValue("solver", "simplex")
    order_c, order_m = [cs], [ms]
    rounds = 0
    while True:
        rounds += 1
        h.setOptionValue("time_limit", max(deadline - time.monotonic(), 0.01))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise TimeoutError("the LP relaxation did not finish within the time limit")
        y = np.asarray(h.getSolution().row_dual)
        rc = arr.reduced_costs(y)
        rc[active] = np.inf
        best = np.argmin(rc, axis=1)
        value = rc[np.arange(arr.C), best]
        add = np.flatnonzero(value < -1e-7)
        if len(add) == 0:
            z = float(h.getInfo().objective_function_value)
            x = np.asarray(h.getSolution().col_value)[arr.C :]
            return z, y, np.concatenate(order_c), np.concatenate(order_m), x, rounds
        active[add, best[add]] = True
        _add_pairs(h, arr, add, best[add])
        order_c.append(add)
        order_m.append(best[add])


def _fits(arr: Arrays, load: list[np.ndarray], c: int, m: int) -> bool:
    cap_left, large_left, slots_left = load
    return bool(
        arr.compat[c, m]
        and arr.size[c] <= cap_left[m] + TOL
        and arr.big[c] <= large_left[m] + TOL
        and (arr.need[c] <= slots_left[m] + TOL).all()
    )


def _take(arr: Arrays, load: list[np.ndarray], c: int, m: int) -> None:
    load[0][m] -= arr.size[c]
    load[1][m] -= arr.big[c]
    load[2][m] -= arr.need[c]


def _fresh_load(arr: Arrays) -> list[np.ndarray]:
    """What is left: persons, large dwellings and slots per municipality."""
    return [arr.cap.copy(), arr.large.copy(), arr.slots.copy()]


def greedy(arr: Arrays, preference: np.ndarray | None = None, fixed: np.ndarray | None = None) -> np.ndarray:
    """Assignment vector (municipality index or -1): first the ``fixed`` pairs (municipality index
    or -1 per case) that still fit, in the problem's order; then the more pressing priorities
    first, within one the cases with the fewest compatible municipalities first (then larger
    families), each to the first municipality in its ``preference`` row (default: best score
    first) that it still fits."""
    load = _fresh_load(arr)
    out = np.full(arr.C, -1)
    if fixed is not None:
        for c in np.flatnonzero(fixed >= 0).tolist():
            if _fits(arr, load, c, int(fixed[c])):
                out[c] = fixed[c]
                _take(arr, load, c, int(fixed[c]))
    if preference is None:
        preference = np.argsort(-arr.score, axis=1, kind="stable")
    options = arr.compat.sum(axis=1)
    left = [c for c in range(arr.C) if out[c] < 0]
    for c in sorted(left, key=lambda c: (arr.priority[c], options[c], -arr.size[c], c)):
        for m in preference[c].tolist():
            if arr.compat[c, m] and _fits(arr, load, c, m):
                out[c] = m
                _take(arr, load, c, m)
                break
    return out


def warm(arr: Arrays, start: Mapping[str, str | None]) -> np.ndarray:
    """The ``start`` assignment where it still fits (see "Warm start"), completed greedily."""
    index = {m.code: i for i, m in enumerate(arr.problem.municipalities)}
    fixed = np.array(
        [
            index.get(code, -1) if (code := start.get(case.case_id)) is not None else -1
            for case in arr.problem.cases
        ],
        dtype=int,
    ).reshape(arr.C)
    return greedy(arr, fixed=fixed)


def _value(arr: Arrays, assign: np.ndarray) -> float:
    placed = assign >= 0
    return float(arr.score[np.flatnonzero(placed), assign[placed]].sum() - arr.penalties[~placed].sum())


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    mip_gap: float = 1e-4,
    target_gap: float | None = TARGET_GAP,
    start: Mapping[str, str | None] | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> Placement:
    """Place the cases. ``progress(percent, step)`` is told when each stage begins, with ``step``
    one of ``"lp"``, ``"incumbent"``, ``"restricted"``, ``"final"``, ``"explaining"``. The run stops
    once within ``target_gap`` of the LP bound ("Target gap"); ``start`` is a warm start ("Warm
    start")."""
    report = progress or (lambda percent, step: None)
    began = time.monotonic()
    deadline = began + time_limit
    arr = Arrays(problem)
    stats: dict[str, float | int | str] = {
        "pairs": int(arr.compat.sum()),
        "cases": arr.C,
        "municipalities": arr.M,
    }

    def lap(name: str, since: float) -> float:
        now = time.monotonic()
        stats[f"{name}_seconds"] = round(now - since, 3)
        return now

    report(10, "lp")
    z_lp, y, cs, ms, x_lp, rounds = _solve_lp(arr, deadline)
    lp_bound = -z_lp
    stats["lp_rounds"] = rounds
    t0 = lap("lp", began)
    # the value to reach: relative to the objective, as the benchmark measures the gap
    if target_gap:
        goal = lp_bound / (1 + target_gap) if lp_bound > 0 else lp_bound / (1 - target_gap)
    else:
        goal = INF
    # keep every count ("Target gap"): with a positive LP bound the goal places every case
    if target_gap and lp_bound <= 0:
        goal = max(goal, lp_bound - 0.5)

    def met(assign: np.ndarray) -> bool:
        return _value(arr, assign) >= goal

    rc = arr.reduced_costs(y)
    x_full = np.zeros((arr.C, arr.M))
    x_full[cs, ms] = x_lp
    support = x_full > 1e-9
    report(40, "incumbent")
    # incumbent: cases with the fewest options first, each where the LP puts most of it (then by
    # reduced cost) if it still fits; plain greedy by score as a fallback; the warm start; the best
    candidates = [greedy(arr, preference=np.lexsort((rc, -x_full), axis=1)), greedy(arr)]
    if start is not None:
        candidates.insert(0, warm(arr, start))
        stats["warm_start"] = round(_value(arr, candidates[0]), 6)
    assign = max(candidates, key=lambda a: _value(arr, a))  # the first of the best
    stats["incumbent"] = round(_value(arr, assign), 6)
    t0 = lap("incumbent", t0)
    reserve = 0.1 * time_limit
    cheapest = np.argsort(rc, axis=1, kind="stable")
    every = np.arange(arr.C)

    def restricted(per_case: int, free: np.ndarray) -> np.ndarray:
        """The LP's support and each free case's cheapest pairs; the others keep their place."""
        small = support.copy()
        small[np.repeat(every, per_case), cheapest[:, :per_case].reshape(-1)] = True
        small &= arr.compat
        small[~free] = False
        placed = np.flatnonzero(assign >= 0)
        small[placed, assign[placed]] = True
        return small

    report(50, "restricted")
    # 1. each case's two cheapest pairs, up to its first improving solution or a share of the time;
    # 2. the neighbourhood: the cases placed where the LP puts them whole stay, the others may take
    # their cheapest pairs
    for name, per_case in (("restricted_2", 2), ("neighbourhood", NEIGHBOURHOOD_PAIRS)):
        if met(assign):
            break
        if name == "restricted_2":
            free = np.ones(arr.C, dtype=bool)
            until = min(deadline - reserve, t0 + max(RESTRICTED_SHARE * time_limit, 1.0))
            gap = RESTRICTED_GAP
        else:
            whole = x_full[every, np.maximum(assign, 0)] > 1 - 1e-6
            free = ~((assign >= 0) & whole)
            until = deadline - reserve
            gap = mip_gap
        if until - time.monotonic() < 0.5:
            break
        small = restricted(min(per_case, arr.M), free)
        count = RESTRICTED_SOLUTIONS if name == "restricted_2" else 0
        assign, _ = _mip(arr, small, assign, until, gap, target=goal, solutions=count)
        stats[f"{name}_pairs"] = int(small.sum())
        stats[f"{name}_value"] = round(_value(arr, assign), 6)
        t0 = lap(name, t0)
    bound = lp_bound
    z_inc = -_value(arr, assign)
    # reduced-cost fixing on the full model: a pair whose bound cannot beat the incumbent goes
    keep = arr.compat & (z_lp + rc <= z_inc + 1e-9 * max(1.0, abs(z_inc)))
    keep[np.flatnonzero(assign >= 0), assign[assign >= 0]] = True
    stats["pairs_after_fixing"] = int(keep.sum())
    small_final = keep.sum() <= FINAL_MIP_SMALL  # cheap: solved to the end, target or not
    if met(assign) and not small_final:
        stats["final_mip"] = "skipped (target gap reached)"
    else:
        report(75, "final")
        if keep.sum() <= FINAL_MIP_MAX_PAIRS and deadline - time.monotonic() > 0.5:
            assign, dual = _mip(arr, keep, assign, deadline, mip_gap, target=INF if small_final else goal)
            bound = min(lp_bound, dual)
            stats["final_mip"] = "solved"
        else:
            stats["final_mip"] = "skipped (too many pairs left or no time)"
        lap("final", t0)
    stats["target_met"] = int(met(assign))
    objective = _value(arr, assign)
    placed = assign >= 0
    report(95, "explaining")
    codes = [m.code for m in problem.municipalities]
    return Placement(
        assignment={
            c.case_id: (codes[assign[i]] if assign[i] >= 0 else None) for i, c in enumerate(problem.cases)
        },
        objective=objective,
        score=float(arr.score[np.flatnonzero(placed), assign[placed]].sum()),
        lp_bound=lp_bound,
        bound=max(bound, objective),
        seconds=time.monotonic() - began,
        solver=solver_name(),
        input_sha256=problem.sha256(),
        penalty=arr.penalty,
        stats=stats,
        explanations=explain(arr, assign),
        priorities={
            name: {
                "placed": int((placed & (arr.priority == t)).sum()),
                "unplaced": int((~placed & (arr.priority == t)).sum()),
            }
            for t, name in enumerate(PRIORITIES)
        },
        penalties=dict(arr.penalty_of),
    )


def _mip(
    arr: Arrays,
    pairs: np.ndarray,
    start: np.ndarray,
    deadline: float,
    gap: float,
    target: float = INF,
    solutions: int = 0,
) -> tuple[np.ndarray, float]:
    """Solve the model over the ``pairs`` mask from the ``start`` assignment, stopping once a
    solution worth ``target`` or more is found; returns the best assignment found (never worse than
    ``start``) and the MIP's dual bound (maximisation form). ``solutions``: stop at that many
    improving solutions (the start counts), if positive."""
    kc, km = np.nonzero(pairs)
    h = _build(arr, kc, km, integer=True)
    if arr.prioritised:
        # with priority penalties the objective is large: keep the absolute gap below 1 so that
        # a proven solution has the most cases of each priority ("Priority" above)
        scale = max(abs(_value(arr, start)), float(np.abs(arr.score).max(initial=0.0)) * arr.C) + 1.0
        gap = min(gap, 0.5 / scale)
    h.setOptionValue("mip_rel_gap", gap)
    if solutions > 0:
        h.setOptionValue("mip_max_improving_sols", solutions)
    if target < INF:
        # minimisation form, a hair beyond the target so that the solution surely meets it
        h.setOptionValue("objective_target", -(target + 1e-7 * max(1.0, abs(target))))
    h.setOptionValue("time_limit", max(deadline - time.monotonic(), 0.01))
    h.setSolution(_solution(np.concatenate([(start < 0).astype(float), (start[kc] == km).astype(float)])))
    h.run()
    status = h.getModelStatus()
    best = start
    dual = INF
    stopped = (
        highspy.HighsModelStatus.kOptimal,
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kObjectiveTarget,  # the target gap reached
        highspy.HighsModelStatus.kSolutionLimit,  # ``solutions`` found
    )
    if status in stopped:
        info = h.getInfo()
        values = np.asarray(h.getSolution().col_value)
        if len(values) == arr.C + len(kc) and info.primal_solution_status == 2:
            chosen = values[arr.C :] > 0.5
            candidate = np.full(arr.C, -1)
            candidate[kc[chosen]] = km[chosen]
            if _value(arr, candidate) >= _value(arr, best) - TOL:
                best = candidate
        dual = -float(info.mip_dual_bound)
    return best, dual


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    sol = highspy.HighsSolution()
    sol.col_value = values.tolist()
    sol.value_valid = True
    return sol


def explain(arr: Arrays, assign: np.ndarray) -> dict[str, Explanation]:
    """Per case: its score and parts, the constraints at their limit where it went, or what blocks it."""
    problem = arr.problem
    used_cap = np.zeros(arr.M)
    used_large = np.zeros(arr.M)
    used_slots = np.zeros((arr.M, arr.K))
    for c, m in enumerate(assign.tolist()):
        if m >= 0:
            used_cap[m] += arr.size[c]
            used_large[m] += arr.big[c]
            used_slots[m] += arr.need[c]
    out: dict[str, Explanation] = {}
    for c, case in enumerate(problem.cases):
        m = int(assign[c])
        if m >= 0:
            binding = []
            if used_cap[m] >= arr.cap[m] - TOL:
                binding.append("capacity_persons")
            if arr.big[c] and used_large[m] >= arr.large[m] - TOL:
                binding.append("large_dwellings")
            for k in np.flatnonzero(arr.need[c]).tolist():
                if used_slots[m, k] >= arr.slots[m, k] - TOL:
                    binding.append(f"need_slots:{NEED_CODES[k]}")
            parts = (
                {"base": 1.0, "language": 0.5 * float(arr.parts_language[c, m])}
                if problem.scores is None
                else {"scores_file": float(arr.score[c, m])}
            )
            out[case.case_id] = Explanation(float(arr.score[c, m]), parts, tuple(binding))
        else:
            out[case.case_id] = Explanation(
                0.0, {}, (), tuple(_blocked(arr, c, used_cap, used_large, used_slots))
            )
    return out


def _blocked(
    arr: Arrays, c: int, used_cap: np.ndarray, used_large: np.ndarray, used_slots: np.ndarray
) -> list[Reason]:
    problem = arr.problem
    case = problem.cases[c]
    candidates = [arr.tie[c]] if arr.tie[c] >= 0 else list(range(arr.M))
    tie = {"tie": problem.municipalities[arr.tie[c]].code} if arr.tie[c] >= 0 else {}
    reasons: list[Reason] = []
    if not any(arr.size[c] <= arr.cap[m] for m in candidates):
        reasons.append(Reason(TOO_MANY_PERSONS, {"persons": case.size, **tie}))
    if arr.big[c] and not any(arr.large[m] >= 1 for m in candidates):
        reasons.append(Reason(NO_LARGE_DWELLING, {"persons": case.size, **tie}))
    for k in np.flatnonzero(arr.need[c]).tolist():
        if not any(arr.slots[m, k] >= arr.need[c, k] for m in candidates):
            reasons.append(Reason(NO_SERVICE_PLACES, {"need": NEED_CODES[k], **tie}))
    if reasons:
        return reasons
    # per limit (and need code): the municipalities where other cases took the room, and those
    # with too little for this case even when empty
    full: dict[tuple[str, str | None], list[str]] = {}
    short: dict[tuple[str, str | None], list[str]] = {}
    for m in candidates:
        code = problem.municipalities[m].code
        empty = not arr.compat[c, m]
        target = short if empty else full
        cap_used = 0.0 if empty else used_cap[m]
        large_used = 0.0 if empty else used_large[m]
        slots_used = np.zeros(arr.K) if empty else used_slots[m]
        if arr.size[c] > arr.cap[m] - cap_used + TOL:
            target.setdefault((PERSONS, None), []).append(code)
        if arr.big[c] and large_used + 1 > arr.large[m] + TOL:
            target.setdefault((LARGE_DWELLINGS, None), []).append(code)
        for k in np.flatnonzero(arr.need[c]).tolist():
            if slots_used[k] + arr.need[c, k] > arr.slots[m, k] + TOL:
                target.setdefault((NEED_SLOTS, NEED_CODES[k]), []).append(code)

    def reason(code: str, limit: str, need: str | None, municipalities: list[str]) -> Reason:
        return Reason(
            code, {"limit": limit, **({"need": need} if need else {}), "municipalities": municipalities}
        )

    return [reason(USED_UP, limit, need, codes) for (limit, need), codes in full.items()] + [
        reason(TOO_LITTLE, limit, need, codes) for (limit, need), codes in short.items()
    ]
