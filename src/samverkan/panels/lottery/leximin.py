"""LEXIMIN selection probabilities by column generation (Flanigan, Gölz, Gupta, Hennig, Procaccia,
"Fair algorithms for selecting citizens' assemblies", Nature 596, 2021), solved with HiGHS.

Leximin: among all lotteries over feasible panels, maximise the smallest selection probability, subject to
that the second smallest, and so on.  The optimum probability vector is unique.

Method
------
1. *Types.*  People with the same value of every quota'd feature and a household of their own are
   interchangeable; by uniqueness of the leximin vector they get equal probabilities.  All LPs and MIPs
   therefore run over types: a panel is an integer count vector ``c`` (``0 <= c[t] <= n[t]``), and a member
   of type ``t`` is selected with probability ``sum_P x_P c_P[t] / n[t]``.  Members of multi-person
   households are types of their own and households get a ``<= 1`` row.
2. *Initial panels and the never-selectable.*  Repeated pricing MIPs maximise the number of panel seats
   given to types not yet on any panel (plus tiny seeded random weights for diversity) until every type is
   covered or the best panel covers no new type; the uncovered types are in no feasible panel at all and are
   fixed at probability 0 up front.  A few more panels with seeded random objectives follow.
3. *Stages.*  Primal LP over the generated panels: ``max z`` s.t. ``p_t >= z`` for unfixed types,
   ``p_t >= f_t`` for fixed ones, ``sum x = 1``.  Its duals ``y`` (agent weights) price a new panel: the MIP
   ``max sum_t y_t c_t / n_t`` over all feasible panels (quotas, size, households).  A cheap heuristic runs
   first (steepest-ascent single swaps from the best known panels, :mod:`.swaps`); the exact MIP is solved
   only when it finds nothing, so every stage ends with a MIP proof of optimality.  While the value
   exceeds the best value among the generated panels by more than ``1e-9`` the panel is added (column
   generation).  At the stage optimum ``z*``, every unfixed type with positive dual weight is tight in
   every optimal solution (complementary slackness) and is fixed at ``z*``; at least one is fixed per stage.
4. The last stage's primal solution is a lottery meeting every fixed probability; it is the leximin one.
5. *Concrete panels* are built from the type-level lottery exactly: for every type the seats are spread over
   its members so that all get the same probability (a greedy transportation step that keeps the remaining
   problem feasible, then McNaughton's wrap-around rule inside each panel), see :mod:`.expand`.

At stage ends, columns at zero with clearly negative reduced cost are pruned (down to ``KEEP_COLUMNS`` per
type) to keep the LP small; pricing re-adds any that become useful again.

One HiGHS LP and one HiGHS MIP are built once and modified (new columns, bounds, costs) between solves; all
solves are single-threaded with fixed seeds, so results are reproducible.

Limits: speed.  Column generation tails off (hundreds of rounds; the degenerate stage LP dominates the
time), so large pools are slow: 200 volunteers / panel 20 take seconds, 500 / 100 minutes.  Exact up to
LP tolerances (probabilities agree with the true leximin to about ``1e-7``); the number of stages is at
most the number of types; ``time_limit`` raises :class:`LotteryTimeout` instead of returning a partial
answer.
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from .expand import expand
from .feasibility import check_feasible
from .model import EPS, Distribution, Instance, LotteryTimeout
from .solver import INF, SEED, PanelMip, _idx, new_highs
from .swaps import SwapSearch

RANDOM_PANELS = 10
SWAP_STARTS = 12
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
    sizes = types.sizes
    T = types.count
    mip = PanelMip(types)
    master = _Master(sizes)
    seen: set[bytes] = set()
    rng = np.random.default_rng(SEED)
    mip_solves = 0
    heuristic_columns = 0
    swaps = SwapSearch(types)

    def add(counts: np.ndarray) -> bool:
        k = _key(counts)
        if k in seen:
            return False
        seen.add(k)
        master.add(counts)
        return True

    # 2. cover every type that can be covered; the rest can never be selected
    covered = np.zeros(T, dtype=bool)
    while not covered.all():
        weights = (~covered).astype(float) + rng.random(T) / (instance.size + 1)
        counts, _, _ = mip.solve(weights, remaining())
        mip_solves += 1
        assert counts is not None  # feasibility was checked
        new = (counts > 0) & ~covered
        add(counts)
        if not new.any():
            break
        covered |= counts > 0
    fixed: dict[int, float] = {}
    for never in np.flatnonzero(~covered).tolist():
        fixed[never] = 0.0
        master.fix(never, 0.0)
        mip.set_upper(never, 0.0)
    for _ in range(RANDOM_PANELS):
        counts, _, _ = mip.solve(rng.random(T) / sizes, remaining())
        mip_solves += 1
        assert counts is not None
        add(counts)

    # 3. stages
    stages = 0
    relaxations = 0
    x = np.zeros(0)
    while len(fixed) < T:
        stages += 1
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
            for j in np.argsort(-values, kind="stable")[:SWAP_STARTS]:
                counts = swaps.improve(master.columns[j], weights, mip.upper)
                if float(weights @ counts) > best_known + EPS and add(counts):
                    found = True
            heuristic_columns += found
            if found:
                continue
            counts, value, bound = mip.solve(weights, remaining())
            mip_solves += 1
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
    if not ok:  # pragma: no cover - the loop's last solve was optimal; only coefficients changed since
        raise RuntimeError("final leximin LP failed")
    type_panels = [(float(w), c) for w, c in zip(x, master.columns, strict=True) if w > 1e-12]
    total = sum(w for w, _ in type_panels)
    type_panels = [(w / total, c) for w, c in type_panels]
    panels, panel_weights = expand(types, type_panels)
    probabilities = {p: 0.0 for p in instance.people}
    for panel, w in zip(panels, panel_weights, strict=True):
        for p in panel:
            probabilities[p] += w
    return Distribution(
        algorithm="leximin",
        panels=panels,
        weights=panel_weights,
        probabilities=probabilities,
        seconds=time.monotonic() - start,
        stats={
            "types": T,
            "stages": stages,
            "generated_panels": len(master.columns),
            "type_panels_in_support": len(type_panels),
            "mip_solves": mip_solves,
            "heuristic_rounds": heuristic_columns,
            "never_selectable": int((~covered).sum()),
            "lp_relaxations": relaxations,
        },
    )
