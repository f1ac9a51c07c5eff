"""Thin helpers around HiGHS (highspy): deterministic options and a reusable panel MIP over types.

Every model is solved single-threaded with a fixed ``random_seed`` so that the same input gives the same
panels on every run; models are built once and re-solved after changing costs or bounds.
"""

from __future__ import annotations

import highspy
import numpy as np

from .model import Types

INF = highspy.kHighsInf
SEED = 20210804  # fixed random seed for HiGHS (Nature 2021 paper's publication date)


def new_highs(seed: int = SEED) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", seed)
    return h


def _idx(values: list[int] | range | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int32)


class PanelMip:
    """MIP whose integer columns are the type counts ``c[t]`` of a panel.

    Rows: ``sum c = size``; one row per quota (``min <= sum over its types <= max``); ``<= 1`` per
    multi-person
    household.  Extra columns (slacks) may be appended by callers.
    """

    def __init__(self, types: Types, *, seed: int = SEED, gap: float = 1e-9) -> None:
        self.types = types
        inst = types.instance
        self.n = types.count
        self.h = h = new_highs(seed)
        h.setOptionValue("mip_rel_gap", gap)
        h.setOptionValue("mip_abs_gap", gap)
        self.upper = types.sizes.copy()
        h.addCols(self.n, np.zeros(self.n), np.zeros(self.n), self.upper, 0, _idx([]), _idx([]), np.zeros(0))
        h.changeColsIntegrality(
            self.n, _idx(range(self.n)), np.array([highspy.HighsVarType.kInteger] * self.n)
        )
        self._add_row(float(inst.size), float(inst.size), list(range(self.n)))
        self.quota_row0 = 1
        for q, ts in types.quota_rows:
            self._add_row(float(q.min), float(q.max), ts)
        for ts in types.household_rows:
            self._add_row(-INF, 1.0, ts)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)

    def _add_row(self, lo: float, hi: float, cols: list[int], coefs: list[float] | None = None) -> None:
        vals = np.ones(len(cols)) if coefs is None else np.asarray(coefs, dtype=float)
        self.h.addRow(lo, hi, len(cols), _idx(cols), vals)

    def tune_for_pricing(self) -> None:
        """Options for many small re-solves with changing costs (column generation): no presolve and no
        feasibility-jump heuristic, whose set-up dominates such easy MIPs (2-4x faster here; same optima)."""
        self.h.setOptionValue("presolve", "off")
        self.h.setOptionValue("mip_heuristic_run_feasibility_jump", False)

    def set_upper(self, t: int, ub: float) -> None:
        self.upper[t] = ub
        self.h.changeColBounds(t, 0.0, ub)

    def set_quota_bounds(self, k: int, lo: float, hi: float) -> None:
        self.h.changeRowBounds(self.quota_row0 + k, lo, hi)

    def solve(
        self, weights: np.ndarray, time_limit: float | None = None
    ) -> tuple[np.ndarray | None, float, float]:
        """Maximise ``weights @ c``; return (counts or None if infeasible, objective, dual bound)."""
        h = self.h
        h.changeColsCost(self.n, _idx(range(self.n)), np.asarray(weights, dtype=float))
        h.setOptionValue("time_limit", INF if time_limit is None else max(time_limit, 0.01))
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None, -INF, -INF
        if status == highspy.HighsModelStatus.kTimeLimit:
            from .model import LotteryTimeout

            raise LotteryTimeout("time limit reached while searching for a panel")
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS could not solve the panel MIP: {h.modelStatusToString(status)}")
        info = h.getInfo()
        counts = np.rint(np.asarray(h.getSolution().col_value[: self.n])).astype(int)
        return counts, float(info.objective_function_value), float(info.mip_dual_bound)

    def feasible(self) -> bool:
        counts, _, _ = self.solve(np.zeros(self.n))
        return counts is not None
