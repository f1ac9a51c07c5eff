"""Leximin over the LP relaxation of the panel polytope, and its decomposition into feasible panels.

Over types (see :mod:`.leximin`), the expected seat counts ``e = E[c]`` of any lottery lie in
``H = conv{c integer : 0 <= c <= n, sum c = size, quotas, households}``, which is contained in its LP
relaxation ``P`` (the same constraints with ``c`` real).  A type's selection probability is ``e[t] / n[t]``.

* :func:`relaxed_leximin` computes the leximin point ``e*`` of ``P`` (optionally cut by inequalities valid
  for ``H``): a compact LP over ``T + 1`` columns per stage, fixing at each stage the types with positive
  dual (complementary slackness: they are at the stage optimum in every optimal solution).
* If ``e*`` lies in ``H``, it is the leximin point of ``H`` as well (``H`` is a subset of ``P``, so nothing
  in ``H`` beats it).  :func:`decompose` writes ``e*`` as a convex combination of feasible panels: a
  Carathéodory walk (:func:`greedy_walk`), and where the walk leaves ``H``, column generation on covering
  LPs restricted to faces (:func:`_cover`).  If even the covering LP of ``e*`` itself cannot reach ``e*``
  (its optimum, proven by the pricing MIP, is below ``-ACCEPT``), ``e*`` is not in ``H`` and
  :func:`decompose` returns a cut separating it from ``H`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from .model import EPS, Types
from .solver import INF, PanelMip, _idx, new_highs

TIGHT = 1e-9  # a constraint within this (in seats) of its bound counts as tight
INTEGRAL = 1e-7  # an LP vertex within this of integers is an integer point
STEP = 1e-12  # smallest direction component taken into account by the ratio test
DONE = 1e-9  # the covering LP's ``z`` above ``-DONE``: the lottery reaches the target
ACCEPT = 1e-7  # the covering LP's proven optimum above ``-ACCEPT``: reached up to LP tolerances
VERTEX_TRIES = 10  # random objectives tried on a face's LP before its MIP is asked for an integer point
BACK_UP = 4  # after the walk left H, cover from 4, 16, 64, ... steps before the point where it did

Cut = tuple[np.ndarray, float]  # coef @ c <= rhs for every feasible panel c


@dataclass
class Walk:
    """The outcome of :func:`greedy_walk` from ``e*``: at step ``k`` it was at the point
    ``e_k = (e* - sum_{i < k} weights[i] columns[i]) / masses[k]`` on the face of the constraints that were
    tight by then (``since[...] <= k``); if ``complete``, the last point was integral and is the last
    column.  (Points and faces are recomputed when needed: storing them takes ``O(T^2)`` memory.)"""

    columns: list[np.ndarray]
    weights: list[float]
    masses: list[float]
    since: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # step at which at0, atn, at_lo, at_hi
    complete: bool
    mip_solves: int

    def point(self, poly: Polytope, e: np.ndarray, k: int) -> tuple[np.ndarray, Face, float]:
        face = Face.__new__(Face)
        face.poly = poly
        face.at0, face.atn, face.at_lo, face.at_hi = (s <= k for s in self.since)
        rest = e - sum(
            (w * c for w, c in zip(self.weights[:k], self.columns[:k], strict=True)), np.zeros(poly.T)
        )
        point = np.clip(rest / self.masses[k], 0.0, poly.upper)
        point = np.where(face.at0, 0.0, np.where(face.atn, poly.upper, point))
        return point, face, self.masses[k]


@dataclass
class Decomposition:
    """The outcome of :func:`decompose`: a lottery (weight, type panel) reaching the target, or ``None``
    and a cut (an inequality met by every feasible panel and violated by the target); ``columns`` are all
    the panels generated."""

    lottery: list[tuple[float, np.ndarray]] | None
    columns: list[np.ndarray]
    cut: Cut | None = None


def _lp_options(h: highspy.Highs) -> None:
    h.setOptionValue("presolve", "off")
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("dual_feasibility_tolerance", 1e-9)


class Polytope:
    """The constraints of ``P``: rows ``lo <= A c <= hi`` (``A`` is 0/1 and sparse: the panel size, one
    row per quota and one per multi-person household) and bounds ``0 <= c <= upper`` (``upper = n``, or 0
    for types known to be in no feasible panel)."""

    def __init__(self, types: Types) -> None:
        inst = types.instance
        self.T = T = types.count
        self.n = types.sizes
        self.upper = types.sizes.copy()
        self.rows: list[np.ndarray] = [np.arange(T)]
        lo = [float(inst.size)]
        hi = [float(inst.size)]
        for q, ts in types.quota_rows:
            self.rows.append(np.asarray(ts, dtype=int))
            lo.append(float(q.min))
            hi.append(float(q.max))
        for ts in types.household_rows:
            self.rows.append(np.asarray(ts, dtype=int))
            lo.append(-INF)
            hi.append(1.0)
        self.lo = np.array(lo)
        self.hi = np.array(hi)
        self.R = len(lo)
        self._row_of = np.concatenate([np.full(len(r), k) for k, r in enumerate(self.rows)])
        self._col_of = np.concatenate(self.rows)

    def times(self, c: np.ndarray) -> np.ndarray:
        """``A @ c``."""
        return np.bincount(self._row_of, weights=c[self._col_of], minlength=self.R)

    def transpose_times(self, v: np.ndarray) -> np.ndarray:
        """``A.T @ v``."""
        return np.bincount(self._col_of, weights=v[self._row_of], minlength=self.T)

    def feasible(self, c: np.ndarray) -> bool:
        """Whether the integer vector ``c`` is a panel (meets bounds, size, quotas and households)."""
        if (c < 0).any() or (c > self.upper).any():
            return False
        Ac = self.times(c.astype(float))
        return bool((Ac >= self.lo - 0.5).all() and (Ac <= self.hi + 0.5).all())

    def add_to(self, h: highspy.Highs) -> None:
        """Add the ``T`` count columns and the ``R`` rows to an empty model."""
        T = self.T
        h.addCols(T, np.zeros(T), np.zeros(T), self.upper.copy(), 0, _idx([]), _idx([]), np.zeros(0))
        for r, lo, hi in zip(self.rows, self.lo, self.hi, strict=True):
            h.addRow(lo, hi, len(r), _idx(r), np.ones(len(r)))

    def tight(self, e: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Which bounds (at 0, at upper) and rows (at lo, at hi) are tight at ``e``."""
        Ae = self.times(e)
        return (
            e <= TIGHT,
            e >= self.upper - TIGHT,
            (self.lo > -INF) & (Ae <= self.lo + TIGHT),
            Ae >= self.hi - TIGHT,
        )


class Face:
    """A face of ``P``: the tight sets only grow while walking (faces shrink)."""

    def __init__(self, poly: Polytope, e: np.ndarray) -> None:
        self.poly = poly
        self.at0, self.atn, self.at_lo, self.at_hi = poly.tight(e)

    def update(self, e: np.ndarray) -> None:
        at0, atn, at_lo, at_hi = self.poly.tight(e)
        self.at0 |= at0
        self.atn |= atn
        self.at_lo |= at_lo
        self.at_hi |= at_hi

    def restrict(self, h: highspy.Highs) -> None:
        """Set the bounds of the ``T`` first columns and ``R`` first rows of ``h`` (laid out as by
        :meth:`Polytope.add_to` or :class:`.PanelMip`) to this face."""
        p = self.poly
        cl = np.where(self.atn, p.upper, 0.0)
        cu = np.where(self.at0, 0.0, p.upper)
        rl = np.where(self.at_hi, p.hi, p.lo)
        ru = np.where(self.at_lo, p.lo, p.hi)
        h.changeColsBounds(p.T, _idx(range(p.T)), cl, cu)
        h.changeRowsBounds(p.R, _idx(range(p.R)), rl, ru)  # type: ignore[attr-defined]  # not in the stubs

    def contains(self, c: np.ndarray) -> bool:
        p = self.poly
        if (c[self.at0] != 0).any() or (c[self.atn] != p.upper[self.atn]).any():
            return False
        Ac = p.times(c)
        return bool(
            (np.abs(Ac[self.at_lo] - p.lo[self.at_lo]) < 0.5).all()
            and (np.abs(Ac[self.at_hi] - p.hi[self.at_hi]) < 0.5).all()
        )


def relaxed_leximin(
    poly: Polytope, check_time: Callable[[], object], cuts: list[Cut] | None = None
) -> tuple[np.ndarray, int, int]:
    """The leximin point ``e*`` (expected counts) of ``P`` intersected with the ``cuts`` (inequalities
    valid for every feasible panel); returns (e*, stages, relaxations)."""
    T = poly.T
    n = poly.n
    h = new_highs()
    _lp_options(h)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    poly.add_to(h)
    for coef, rhs in cuts or []:
        nz = np.flatnonzero(coef)
        h.addRow(-INF, rhs, len(nz), _idx(nz), coef[nz])
    h.addCol(1.0, 0.0, 1.0, 0, _idx([]), np.zeros(0))  # z, column T
    level0 = h.getNumRow()
    for t in range(T):  # c_t / n_t - z >= 0
        h.addRow(0.0, INF, 2, _idx([t, T]), np.array([1.0 / n[t], -1.0]))
    fixed = np.full(T, np.nan)
    stages = relaxations = 0
    e = np.zeros(T)
    while np.isnan(fixed).any():
        check_time()
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            relaxations += 1
            if relaxations > 5:
                raise RuntimeError("the relaxed leximin LP stayed infeasible after relaxing fixed levels")
            for t in np.flatnonzero(~np.isnan(fixed)).tolist():
                h.changeRowBounds(level0 + t, max(0.0, fixed[t] - 1e-7 * 10**relaxations), INF)
            continue
        stages += 1
        sol = h.getSolution()
        z = float(h.getInfo().objective_function_value)
        y = np.abs(np.asarray(sol.row_dual[level0 : level0 + T]))
        e = np.asarray(sol.col_value[:T])
        free = np.flatnonzero(np.isnan(fixed))
        tight = free[y[free] > EPS]
        if len(tight) == 0:
            tight = free[[int(np.argmax(y[free]))]]
        for t in tight.tolist():
            fixed[t] = z
            h.changeCoeff(level0 + t, T, 0.0)
            h.changeRowBounds(level0 + t, max(0.0, z - EPS), INF)
    # the last solve meets every fixed level: it is the leximin point
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        e = np.asarray(h.getSolution().col_value[:T])
    return np.clip(e, 0.0, poly.upper), stages, relaxations


def greedy_walk(
    poly: Polytope,
    e: np.ndarray,
    mip: PanelMip,
    rng: np.random.Generator,
    check_time: Callable[[], float | None],
) -> Walk:
    """Carathéodory walk from ``e``: take an integer point ``c`` of the smallest face of ``P`` holding
    ``e`` (a vertex of the face's LP for a random objective, or its MIP if ``VERTEX_TRIES`` vertices were
    fractional), move ``e`` away from ``c`` until a new constraint becomes tight, repeat.  Ends when the
    point is integral (complete) or its face has no integer point (the point has left ``H``)."""
    T = poly.T
    n = poly.upper
    lp = new_highs()
    lp.setOptionValue("presolve", "off")
    poly.add_to(lp)
    lp.changeColsCost(T, _idx(range(T)), rng.random(T))
    e = np.clip(e, 0.0, n)
    face = Face(poly, e)
    never = 2**62
    since = tuple(np.where(tight, 0, never) for tight in (face.at0, face.atn, face.at_lo, face.at_hi))
    walk = Walk([], [], [], (since[0], since[1], since[2], since[3]), False, 0)
    mass = 1.0
    for step in range(T + poly.R + 2):
        check_time()
        for s, tight in zip(walk.since, (face.at0, face.atn, face.at_lo, face.at_hi), strict=True):
            s[tight & (s == never)] = step
        e = np.where(face.at0, 0.0, np.where(face.atn, n, e))
        walk.masses.append(mass)
        rounded = np.rint(e)
        if (np.abs(e - rounded) <= INTEGRAL).all():
            if not poly.feasible(rounded):  # pragma: no cover - only after numerical trouble
                break
            walk.columns.append(rounded.astype(int))
            walk.weights.append(mass)
            walk.complete = True
            break
        face.restrict(lp)
        c = None
        for attempt in range(VERTEX_TRIES):
            if attempt:  # the same objective as before re-solves fastest; change it only if it failed
                lp.changeColsCost(T, _idx(range(T)), rng.random(T))
            lp.run()
            if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            x = np.asarray(lp.getSolution().col_value)
            if (np.abs(x - np.rint(x)) <= INTEGRAL).all():
                c = np.rint(x)
                break
        if c is None:
            face.restrict(mip.h)
            counts, _, _ = mip.solve(rng.random(T), check_time())
            walk.mip_solves += 1
            if counts is None:
                break  # this point left H
            c = counts.astype(float)
        walk.columns.append(c.astype(int))
        d = e - c
        if np.abs(d).max() <= INTEGRAL:
            walk.weights.append(mass)
            walk.complete = True
            break
        # ratio test: e + mu d stays in P
        Ae = poly.times(e)
        Ad = poly.times(d)
        ratios = np.full(2 * (T + poly.R), np.inf)
        up = (d > STEP) & ~face.atn
        down = (d < -STEP) & ~face.at0
        ratios[:T][up] = (n[up] - e[up]) / d[up]
        ratios[T : 2 * T][down] = -e[down] / d[down]
        rup = (Ad > STEP) & ~face.at_hi
        rdown = (Ad < -STEP) & ~face.at_lo & (poly.lo > -INF)
        R0 = 2 * T
        ratios[R0 : R0 + poly.R][rup] = (poly.hi[rup] - Ae[rup]) / Ad[rup]
        ratios[R0 + poly.R :][rdown] = (poly.lo[rdown] - Ae[rdown]) / Ad[rdown]
        ratios = np.maximum(ratios, 0.0)
        mu = float(ratios.min())
        if not np.isfinite(mu):  # pragma: no cover - P is bounded
            break
        walk.weights.append(mass * mu / (1.0 + mu))  # e = theta c + (1 - theta) e', theta = mu / (1 + mu)
        mass /= 1.0 + mu
        blocking = ratios <= mu * (1 + 1e-12) + 1e-15
        e = e + mu * d
        face.at0 |= blocking[T : 2 * T]
        face.atn |= blocking[:T]
        face.at_hi |= blocking[R0 : R0 + poly.R]
        face.at_lo |= blocking[R0 + poly.R :]
        face.update(e)
    return walk


class CoverMaster:
    """``max z`` s.t. ``sum_P x_P c_P[t] / n[t] - z >= target[t]`` over the free types, ``sum x = 1``."""

    def __init__(self, target: np.ndarray, n: np.ndarray, free: np.ndarray) -> None:
        self.free = free
        self.n = n
        m = len(free)
        self.m = m
        self.h = h = new_highs()
        _lp_options(h)
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4)  # primal: a new column keeps the basis primal feasible
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.addCol(1.0, -INF, 0.0, 0, _idx([]), np.zeros(0))
        h.addRows(m, target[free], np.full(m, INF), m, _idx(range(m)), _idx([0] * m), np.full(m, -1.0))
        h.addRow(1.0, 1.0, 0, _idx([]), np.zeros(0))
        self.columns: list[np.ndarray] = []
        self.values = np.zeros((0, m))

    def add(self, columns: list[np.ndarray]) -> None:
        if not columns:
            return
        m = self.m
        vals = np.array([c[self.free] / self.n[self.free] for c in columns])
        starts: list[int] = []
        index: list[int] = []
        data: list[float] = []
        for v in vals:
            nz = np.flatnonzero(v)
            starts.append(len(index))
            index.extend([*nz.tolist(), m])
            data.extend([*v[nz].tolist(), 1.0])
        k = len(columns)
        self.h.addCols(
            k,
            np.zeros(k),
            np.zeros(k),
            np.full(k, INF),
            len(index),
            _idx(starts),
            _idx(index),
            np.array(data),
        )
        self.columns.extend(columns)
        self.values = np.concatenate([self.values, vals])

    def solve(self) -> tuple[bool, float, np.ndarray, np.ndarray]:
        h = self.h
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return False, -INF, np.zeros(self.m), np.zeros(0)
        sol = h.getSolution()
        y = np.abs(np.asarray(sol.row_dual[: self.m]))
        x = np.asarray(sol.col_value[1:])
        return True, float(h.getInfo().objective_function_value), y, x


def _cut(poly: Polytope, face: Face, weights: np.ndarray | None, bound: float) -> Cut:
    """An inequality met by every feasible panel but not by the points of ``face``'s relative interior.

    ``g(c) = G @ c + g0 >= 0`` sums the slacks of the (integral) constraints defining the face; it is 0 on
    the face and at least 1 at every integer point off it.  If ``weights @ c <= bound`` holds on the face's
    integer points (a pricing MIP's proven bound), ``weights @ c - M g(c) <= bound`` holds at every panel for
    ``M >= max(weights @ c) - bound`` (with ``weights = None``: the face has no panel and ``g(c) >= 1``)."""
    G = face.at0.astype(float) - face.atn.astype(float)
    G += poly.transpose_times(face.at_lo.astype(float) - face.at_hi.astype(float))
    g0 = float(poly.upper[face.atn].sum() - poly.lo[face.at_lo].sum() + poly.hi[face.at_hi].sum())
    if weights is None:
        return -G, g0 - 1.0
    M = max(float(weights @ poly.upper) - bound, 0.0) + 1.0
    return weights - M * G, bound + 1e-9 + M * g0


@dataclass
class _Covered:
    lottery: list[tuple[float, np.ndarray]] | None  # over the face's panels, reaching the target
    cut: Cut | None  # if not: separates the target from H


def _cover(
    poly: Polytope,
    e: np.ndarray,
    face: Face,
    scale: float,
    mip: PanelMip,
    columns: list[np.ndarray],
    check_time: Callable[[], float | None],
    stats: dict[str, int],
) -> _Covered:
    """Column generation on the covering LP of ``e`` over the panels of ``face`` (rows for the face's free
    types only; the others are fixed on the face).  Stops at ``z >= -DONE / scale``; fails when the MIP
    proves the optimum below ``-ACCEPT / scale`` (``scale``: the weight ``e`` carries in ``e*``)."""
    n = poly.n
    free = np.flatnonzero(~face.at0 & ~face.atn)
    master = CoverMaster(e / n, n, free)
    seen: set[bytes] = set()
    master.add([c for c in columns if face.contains(c) and _fresh(c, seen)])
    face.restrict(mip.h)
    weights = np.zeros(poly.T)
    while True:
        remaining = check_time()
        ok, z = False, -INF
        if master.columns:
            ok, z, y, x = master.solve()
            if not ok:  # pragma: no cover - the covering LP is always feasible with a column
                raise RuntimeError("the covering LP failed")
            if z >= -DONE / scale:
                total = float(x.sum())
                lottery = [(float(w) / total, c) for w, c in zip(x, master.columns, strict=True) if w > 1e-12]
                return _Covered(lottery, None)
            weights[:] = 0.0
            weights[free] = y / n[free]
            best_known = float((master.values @ y).max())
        else:
            weights[:] = 0.0
            weights[free] = 1.0 / n[free]
            best_known = -INF
        counts, value, bound = mip.solve(weights, remaining)
        stats["mip_solves"] += 1
        stats["cover_rounds"] += 1
        if counts is None:  # the face has no panel: e is not in H
            return _Covered(None, _cut(poly, face, None, 0.0))
        columns.append(counts)
        if value > best_known + EPS and _fresh(counts, seen):
            master.add([counts])
            continue
        if bound > best_known + 1e-7:  # pragma: no cover - HiGHS stops at optimality
            raise RuntimeError("pricing MIP did not prove optimality")
        if z >= -ACCEPT / scale:
            total = float(x.sum())
            lottery = [(float(w) / total, c) for w, c in zip(x, master.columns, strict=True) if w > 1e-12]
            return _Covered(lottery, None)
        return _Covered(None, _cut(poly, face, weights.copy(), bound))


def _fresh(c: np.ndarray, seen: set[bytes]) -> bool:
    key = c.astype(np.int32).tobytes()
    if key in seen:
        return False
    seen.add(key)
    return True


def decompose(
    poly: Polytope,
    e: np.ndarray,
    mip: PanelMip,
    check_time: Callable[[], float | None],
    stats: dict[str, int],
    seed: int,
    known: list[np.ndarray] | None = None,
) -> Decomposition:
    """A lottery over type panels with expected counts ``e`` (up to ``ACCEPT``), or a cut separating ``e``
    from ``H``.  ``known`` panels (from earlier attempts) seed the covering LPs.

    The Carathéodory walk usually writes ``e`` as a combination of panels but may leave ``H`` near its end.
    Then the covering LP takes over from a point the walk passed ``4, 16, 64, ...`` steps earlier (small LPs
    over the few types still free on that point's face), and finally from ``e`` itself."""
    n = poly.n
    rng = np.random.default_rng(seed)
    e = np.clip(e, 0.0, poly.upper)
    target = e / n
    walk = greedy_walk(poly, e, mip, rng, check_time)
    stats["walk_panels"] += len(walk.columns)
    stats["mip_solves"] += walk.mip_solves
    columns = [*walk.columns, *(known or [])]
    if walk.complete:
        w = np.array(walk.weights)
        reached = (w @ np.array(walk.columns, dtype=float)) / n
        if (w >= 0).all() and abs(w.sum() - 1.0) <= DONE and (reached >= target - DONE).all():
            lottery = [(float(wk), c) for wk, c in zip(w, walk.columns, strict=True) if wk > 1e-12]
            return Decomposition(lottery, columns)
    k = len(walk.masses) - 1
    back = BACK_UP
    while True:
        start = max(k - back, 0)
        point, face, mass = walk.point(poly, e, start)
        covered = _cover(poly, point, face, mass, mip, columns, check_time, stats)
        if covered.lottery is not None:
            lottery = [(wk, c) for wk, c in zip(walk.weights[:start], walk.columns[:start], strict=True)]
            lottery += [(mass * wk, c) for wk, c in covered.lottery]
            w = np.array([wk for wk, _ in lottery])
            reached = (w @ np.array([c for _, c in lottery], dtype=float)) / n
            if start == 0 or (reached >= target - ACCEPT).all():
                total = float(w.sum())
                return Decomposition([(wk / total, c) for wk, c in lottery if wk > 1e-12], columns)
        if start == 0:
            return Decomposition(None, columns, covered.cut)
        stats["cover_restarts"] += 1
        back *= BACK_UP
