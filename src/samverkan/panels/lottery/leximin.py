"""LEXIMIN selection probabilities (Flanigan, Gölz, Gupta, Hennig, Procaccia, "Fair algorithms for selecting
citizens' assemblies", Nature 596, 2021), exactly, via the LP relaxation of the panel polytope, solved with
HiGHS.

Leximin: among all lotteries over feasible panels, maximise the smallest selection probability, subject to
that the second smallest, and so on.  The optimum probability vector is unique.

Method
------
1. *Types.*  People with the same value of every quota'd feature and a household of their own are
   interchangeable; by uniqueness of the leximin vector they get equal probabilities.  All LPs and MIPs
   therefore run over types: a panel is an integer count vector ``c`` (``0 <= c[t] <= n[t]``), and a member
   of type ``t`` is selected with probability ``sum_P x_P c_P[t] / n[t]``.  Members of multi-person
   households are types of their own and households get a ``<= 1`` row.
2. *Leximin of the relaxation* (:mod:`.relaxation`).  The expected counts ``e = sum_P x_P c_P`` of all
   lotteries form the polytope ``H``, the convex hull of the panels; it lies inside ``P``, the same
   constraints with real counts.  The leximin point ``e*`` of ``P`` takes one small LP per stage over
   ``T + 1`` columns (``max z`` s.t. ``e_t / n_t >= z`` for unfixed types, ``>= f_t`` for fixed ones,
   ``e`` in ``P``; every unfixed type with positive dual is at ``z`` in every optimal solution, by
   complementary slackness, and is fixed there): milliseconds, no column generation.
3. *Decomposition.*  If ``e*`` is in ``H`` it is also the leximin point of ``H`` (nothing in the smaller set
   can beat it), so the leximin lottery is any lottery over panels with expected counts ``e*``.  A
   Carathéodory walk finds one: take an integer vertex ``c`` of the smallest face of ``P`` holding ``e`` (its
   LP's optimum for a random objective; its MIP if 10 optima in a row were fractional), move ``e`` straight
   away from ``c`` until another constraint of ``P`` becomes tight (``e = theta c + (1 - theta) e'``), repeat
   from ``e'`` on the smaller face.  Each step costs about a millisecond.  Where ``P`` has fractional vertices
   the walk can leave ``H`` near its end (a face without integer points); then column generation on a covering
   LP (``max z`` s.t. ``sum_P x_P c_P[t] / n[t] >= e[t] / n[t] + z``, ``sum x = 1``, priced by the exact panel
   MIP restricted to the face) decomposes a point the walk passed 4, 16, 64, ... steps earlier, over the few
   types still free there, and in the end ``e*`` itself.
4. *When ``e*`` is not in ``H``* (the MIP proves the covering LP's optimum below ``-1e-7``), first the types
   on no feasible panel at all are found (repeated MIPs maximising the seats of not yet covered types) and
   excluded from ``P`` (the relaxation may give them seats); otherwise the MIP's final prices give a cut, a
   linear inequality that every panel meets and ``e*`` violates (the weighted seats of the face's panels are
   at most the MIP bound, and every integer point off the face has a slack of at least one seat in a face
   constraint).  The cut is added to ``P`` and steps 2-3 repeat.  ``H`` stays inside the cut polytope, so the
   argument of step 3 still holds.  After ``MAX_CUTS`` cuts the original method takes over (5).
5. *Stages of column generation* (fallback; Flanigan et al.): primal LP over generated panels, ``max z``
   s.t. ``p_t >= z`` for unfixed types, ``p_t >= f_t`` for fixed ones, ``sum x = 1``; its duals price a new
   panel by the MIP (after a cheap swap heuristic, :mod:`.swaps`, which is dropped after
   ``SWAP_PATIENCE`` fruitless rounds); every stage ends with a MIP proof that no panel improves, and fixes
   the unfixed types with positive dual.
6. *Concrete panels* are built from the type-level lottery exactly: for every type the seats are spread over
   its members so that all get the same probability (a greedy transportation step that keeps the remaining
   problem feasible, then McNaughton's wrap-around rule inside each panel), see :mod:`.expand`.

``stats`` report the path taken: ``fallback`` is 0 (relaxation, step 2-3), 1 (never-selectable types
excluded) or 2 (stages); ``cuts``, ``walk_panels``, ``cover_rounds`` (pricing MIPs), ``cover_restarts``.
All solves are single-threaded with fixed seeds and the walk's random objectives come from a seeded
generator, so results are reproducible.

Limits: exact up to LP tolerances (probabilities agree with the true leximin to about ``1e-8``; the
covering LP accepts a shortfall of at most ``1e-7``).  Speed depends mostly on the number of types ``T``
(the walk takes about ``T`` steps of about a millisecond): on this project's 2-core benchmark machine
(docs/benchmarks.md), 200 volunteers / panel 20 (80 types) take 0.07 s, 500 / 100 (138 types) 0.14 s,
2,000 / 100 (228 types) 0.37 s and 500 / 50 with households (397 types) 0.6 s; a 2,000 / 100 pool with
households (1,414 types) about 5 s, of which the walk's LPs take 3.5 s and the expansion to concrete panels
1 s.  If the relaxation's leximin point is far from the panels' hull, cuts and the fallback stages are
slow again (the stages alone took 7 s on 500 / 100).  ``time_limit`` raises :class:`LotteryTimeout`
instead of returning a partial answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import highspy
import numpy as np

from .expand import expand
from .feasibility import check_feasible
from .model import EPS, Distribution, Instance, LotteryTimeout, Types, selection_probabilities
from .relaxation import TIGHT, Cut, Polytope, decompose, relaxed_leximin
from .solver import INF, SEED, PanelMip, _idx, new_highs
from .swaps import SwapSearch

RANDOM_PANELS = 10
SWAP_STARTS = 12
MAX_CUTS = 30  # cuts added to the relaxation before falling back to stages of column generation
SWAP_PATIENCE = 3  # stop trying the swap heuristic after this many rounds in a row without a column
KEEP_COLUMNS = 3  # prune the stage LP to this many columns per type at stage ends


class _Master:
    """The stage LP (primal), kept across stages and column additions."""

    def __init__(self, sizes: np.ndarray) -> None:
        self.T = len(sizes)
        self.sizes = sizes
        self.h = h = new_highs()
        h.setOptionValue("primal_feasibility_tolerance", 1e-9)
        h.setOptionValue("dual_feasibility_tolerance", 1e-9)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        # column 0: z
        h.addCol(1.0, 0.0, 1.0, 0, _idx([]), np.zeros(0))
        t = self.T
        h.addRows(t, np.zeros(t), np.full(t, INF), t, _idx(range(t)), _idx([0] * t), np.full(t, -1.0))
        h.addRow(1.0, 1.0, 0, _idx([]), np.zeros(0))
        self.columns: list[np.ndarray] = []
        self.matrix = np.zeros((64, self.T))

    def add(self, counts: np.ndarray) -> None:
        nz = np.flatnonzero(counts)
        rows = np.concatenate([nz, [self.T]])
        vals = np.concatenate([counts[nz] / self.sizes[nz], [1.0]])
        self.h.addCol(0.0, 0.0, INF, len(rows), _idx(rows), vals)
        if len(self.columns) == len(self.matrix):
            self.matrix = np.concatenate([self.matrix, np.zeros_like(self.matrix)])
        self.matrix[len(self.columns)] = counts
        self.columns.append(counts)

    def values(self, weights: np.ndarray) -> np.ndarray:
        return self.matrix[: len(self.columns)] @ weights

    def prune(self, keep_at_most: int) -> list[np.ndarray]:
        """Delete columns that are at zero with a clearly negative reduced cost (oldest first) until at most
        ``keep_at_most`` remain; returns the deleted count vectors.  Pruning never changes the optimum of the
        current LP, and the pricing step re-adds a column whenever it becomes useful again."""
        sol = self.h.getSolution()
        x = np.asarray(sol.col_value[1:])
        reduced = np.abs(np.asarray(sol.col_dual[1:]))
        excess = len(self.columns) - keep_at_most
        if excess <= 0:
            return []
        candidates = np.flatnonzero((x <= 1e-12) & (reduced > 1e-7))[:excess]
        if len(candidates) == 0:
            return []
        self.h.deleteCols(len(candidates), _idx(candidates + 1))
        gone = set(candidates.tolist())
        removed = [c for j, c in enumerate(self.columns) if j in gone]
        self.columns = [c for j, c in enumerate(self.columns) if j not in gone]
        self.matrix = np.concatenate([np.array(self.columns), np.zeros((len(self.columns), self.T))])
        return removed

    def fix(self, t: int, value: float) -> None:
        self.h.changeCoeff(t, 0, 0.0)
        self.h.changeRowBounds(t, max(0.0, value - EPS), INF)

    def relax_fixed(self, fixed: dict[int, float], amount: float) -> None:
        for t, v in fixed.items():
            self.h.changeRowBounds(t, max(0.0, v - amount), INF)

    def solve(self) -> tuple[bool, float, np.ndarray, np.ndarray]:
        h = self.h
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return False, 0.0, np.zeros(self.T), np.zeros(0)
        sol = h.getSolution()
        duals = np.abs(np.asarray(sol.row_dual[: self.T]))
        x = np.asarray(sol.col_value[1:])
        return True, float(h.getInfo().objective_function_value), duals, x


def _key(counts: np.ndarray) -> bytes:
    return counts.astype(np.int32).tobytes()


def _coverable(
    types: Types,
    mip: PanelMip,
    initial: list[np.ndarray],
    remaining: Callable[[], float | None],
    stats: dict[str, int],
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Which types are on some feasible panel: pricing MIPs maximise the number of panel seats given to
    types not yet on any known panel (plus tiny seeded random weights for diversity) until every type is
    covered or the best panel covers no new type.  Returns (covered mask, new panels)."""
    T = types.count
    mip.tune_for_pricing()
    rng = np.random.default_rng(SEED)
    covered = np.zeros(T, dtype=bool)
    for panel in initial:
        covered |= panel > 0
    found: list[np.ndarray] = []
    while not covered.all():
        weights = (~covered).astype(float) + rng.random(T) / (types.instance.size + 1)
        counts, _, _ = mip.solve(weights, remaining())
        stats["mip_solves"] += 1
        assert counts is not None  # feasibility was checked
        found.append(counts)
        if not ((counts > 0) & ~covered).any():
            break
        covered |= counts > 0
    return covered, found


def _staged(
    types: Types,
    initial: list[np.ndarray],
    remaining: Callable[[], float | None],
    stats: dict[str, int],
) -> tuple[list[tuple[float, np.ndarray]], int]:
    """Leximin over ``H`` by stages of column generation (the fallback when the relaxation's leximin point
    is not a lottery over panels).  ``initial`` must cover every type that is on some feasible panel (see
    :func:`_coverable`).  Returns the type-level lottery and the number of never-selectable types."""
    sizes = types.sizes
    T = types.count
    mip = PanelMip(types)
    mip.tune_for_pricing()
    master = _Master(sizes)
    seen: set[bytes] = set()
    rng = np.random.default_rng(SEED)
    swaps = SwapSearch(types)

    def add(counts: np.ndarray) -> bool:
        k = _key(counts)
        if k in seen:
            return False
        seen.add(k)
        master.add(counts)
        stats["generated_panels"] += 1
        return True

    for panel in initial:
        add(panel)
    stats["generated_panels"] -= len(master.columns)  # counted by the caller
    covered = np.zeros(T, dtype=bool)
    for panel in master.columns:
        covered |= panel > 0
    fixed: dict[int, float] = {}
    for never in np.flatnonzero(~covered).tolist():
        fixed[never] = 0.0
        master.fix(never, 0.0)
        mip.set_upper(never, 0.0)
    for _ in range(RANDOM_PANELS):
        counts, _, _ = mip.solve(rng.random(T) / sizes, remaining())
        stats["mip_solves"] += 1
        assert counts is not None
        add(counts)

    # 3. stages
    relaxations = 0
    swap_misses = 0
    x = np.zeros(0)
    while len(fixed) < T:
        stats["stages"] += 1
        while True:
            remaining()
            ok, z, y, x = master.solve()
            if not ok:
                relaxations += 1
                master.relax_fixed(fixed, 1e-7 * 10**relaxations)
                if relaxations > 5:
                    raise RuntimeError("the leximin LP stayed infeasible after relaxing fixed probabilities")
                continue
            weights = y / sizes
            values = master.values(weights)
            best_known = float(values.max())
            found = False
            if swap_misses < SWAP_PATIENCE:
                for j in np.argsort(-values, kind="stable")[:SWAP_STARTS]:
                    counts = swaps.improve(master.columns[j], weights, mip.upper)
                    if float(weights @ counts) > best_known + EPS and add(counts):
                        found = True
                swap_misses = 0 if found else swap_misses + 1
            if found:
                stats["heuristic_rounds"] += 1
                continue
            counts, value, bound = mip.solve(weights, remaining())
            stats["mip_solves"] += 1
            assert counts is not None
            if value > best_known + EPS and add(counts):
                continue
            if bound > best_known + 1e-7:
                raise RuntimeError("pricing MIP did not prove optimality")  # pragma: no cover
            break
        unfixed = [t for t in range(T) if t not in fixed]
        tight = [t for t in unfixed if y[t] > EPS]
        if not tight:
            tight = [max(unfixed, key=lambda t: y[t])]
        for t in tight:
            fixed[t] = z
            master.fix(t, z)
        for counts in master.prune(KEEP_COLUMNS * T):
            seen.discard(_key(counts))

    # 4. the last primal solution is the leximin lottery over type panels
    ok, _, _, x = master.solve()
    while not ok:  # fixing the last level at its optimum may leave the LP infeasible by a hair
        relaxations += 1
        if relaxations > 5:  # pragma: no cover
            raise RuntimeError("final leximin LP failed")
        master.relax_fixed(fixed, 1e-7 * 10**relaxations)
        ok, _, _, x = master.solve()
    stats["lp_relaxations"] += relaxations
    lottery = [(float(w), c) for w, c in zip(x, master.columns, strict=True) if w > 1e-12]
    total = sum(w for w, _ in lottery)
    return [(w / total, c) for w, c in lottery], int((~covered).sum())


def find_leximin(instance: Instance, *, time_limit: float | None = None) -> Distribution:
    start = time.monotonic()
    deadline = None if time_limit is None else start + time_limit

    def remaining() -> float | None:
        if deadline is None:
            return None
        left = deadline - time.monotonic()
        if left <= 0:
            raise LotteryTimeout(f"leximin did not finish within {time_limit} s")
        return left

    types = check_feasible(instance)
    stats: dict[str, int] = {
        "types": types.count,
        "stages": 0,
        "relaxed_stages": 0,
        "generated_panels": 0,
        "walk_panels": 0,
        "cover_restarts": 0,
        "cover_rounds": 0,
        "mip_solves": 0,
        "heuristic_rounds": 0,
        "lp_relaxations": 0,
        "cuts": 0,
        "fallback": 0,
    }
    poly = Polytope(types)
    face_mip = PanelMip(types)
    face_mip.tune_for_pricing()
    cuts: list[Cut] = []
    columns: dict[bytes, np.ndarray] = {}
    covered: np.ndarray | None = None
    type_panels = None
    e = np.zeros(types.count)
    while len(cuts) <= MAX_CUTS:
        e, stages, relaxations = relaxed_leximin(poly, remaining, cuts)
        stats["relaxed_stages"] += stages
        stats["lp_relaxations"] += relaxations
        result = decompose(poly, e, face_mip, remaining, stats, SEED, list(columns.values()))
        for c in result.columns:
            columns.setdefault(_key(c), c)
        if result.lottery is not None:
            type_panels = result.lottery
            break
        if covered is None:
            # Often the relaxation gives seats to types that are on no feasible panel at all: find those
            # and take them out of P before cutting.
            covered, found = _coverable(types, PanelMip(types), list(columns.values()), remaining, stats)
            for c in found:
                columns.setdefault(_key(c), c)
            if (e[~covered] > TIGHT).any():
                poly.upper[~covered] = 0.0
                stats["fallback"] = 1
                continue
        assert result.cut is not None
        cuts.append(result.cut)
        stats["cuts"] = len(cuts)
    if type_panels is not None:
        never = int((e <= TIGHT).sum())
    else:
        stats["fallback"] = 2
        if covered is None:
            covered, found = _coverable(types, PanelMip(types), list(columns.values()), remaining, stats)
            for c in found:
                columns.setdefault(_key(c), c)
        type_panels, never = _staged(types, list(columns.values()), remaining, stats)
    stats["generated_panels"] += len(columns)
    panels, panel_weights = expand(types, type_panels)
    probabilities = selection_probabilities(instance.people, panels, panel_weights)
    return Distribution(
        algorithm="leximin",
        panels=panels,
        weights=panel_weights,
        probabilities=probabilities,
        seconds=time.monotonic() - start,
        stats={**stats, "type_panels_in_support": len(type_panels), "never_selectable": never},
    )
