"""The attacker: linear programming bounds on every suppressed cell, given everything that is published.

The attacker knows the pattern, every published interior cell, every published marginal total, and
that counts are non-negative. Because zeros are always published (see the package docstring), the
attacker also knows that every suppressed cell is at least 1; the model uses that stronger bound
unless the pattern itself suppresses a zero, in which case only non-negativity is assumed.

Unknowns are the suppressed interior cells. Each published marginal cell gives one equation: the sum
of the unknowns in its span equals its published value minus the published interior cells in its span.
Suppressed marginals give no equation. A suppressed marginal cell is itself a linear function of the
unknowns (its published part is a constant), so it is bounded the same way as an interior cell.

One HiGHS model is built per audit; each solve starts from the previous optimal basis with a new
objective (primal simplex, a few dozen iterations). Most bounds never need their own solve: every
optimal solution is a feasible table and settles every target whose requirement it already meets, an
unbounded ray settles the upper side of every target it increases, one batch solve first pushes all
interior targets up at once (temporarily capped at their requirement so that none overshoots at the
others' expense), and each single-target solve gives the other unsettled targets a small weight
("nudge") so that its optimum settles as many of them as it can. Only a target that is still
unsettled gets a pure solve, which gives its exact bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from ._table import (
    CellKey,
    DisclosureError,
    as_counts,
    ext_to_key,
    extend,
    interior_to_ext,
    span_indices,
)
from .pattern import SuppressionPattern

# Tolerance for comparing LP optima with the integer requirements.
EPS = 1e-6
# Batch solves are tried while at least this many targets are unsettled and each one settles as many.
BATCH_MIN = 4
NUDGE = 0.5

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class Exposure:
    """A suppressed (or wrongly published) cell the attacker can pin down too closely.

    ``lower``/``upper`` are the attacker's LP bounds (``upper`` may be ``inf``). For a primary cell the
    requirement is ``lower <= required_lower`` and ``upper >= required_upper``; for a secondary cell
    (only reported when asked for) it is merely that the cell is not determined, i.e. that the LP
    interval reaches ``required_lower`` *or* ``required_upper`` (value − 1 / value + 1).
    """

    cell: CellKey
    value: int
    lower: float
    upper: float
    required_lower: float
    required_upper: float
    kind: str = PRIMARY

    @property
    def summed_axes(self) -> frozenset[int]:
        """The axes this cell sums over (empty for an interior cell)."""
        return frozenset(axis for axis, index in enumerate(self.cell) if index is None)

    @property
    def determined(self) -> bool:
        """Whether the attacker knows the exact integer value."""
        return bool(np.floor(self.upper + EPS) <= np.ceil(self.lower - EPS))


class GivenAway(DisclosureError):
    """What the audience already knows gives small counts away: no pattern can protect them."""

    def __init__(self, cells: list[CellKey]) -> None:
        super().__init__(f"the known cells alone give away the small counts at {cells}")
        self.cells = cells


@dataclass(frozen=True)
class _Finding:
    ext_index: int
    value: int
    lower: float
    upper: float
    required_lower: float
    required_upper: float
    kind: str


def _undetermined(supp: np.ndarray, int_ext: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """Which withheld interior cells stay unknowns: a published marginal whose span holds a single
    withheld cell gives that cell away, and so on until nothing changes (the singleton-row step of
    an LP presolve; exact, so the bounds do not change, but the models of joint releases, where
    most hidden cells are pinned this way, become much smaller)."""
    unknown = supp[int_ext].copy()
    published = ~supp
    while True:
        count = np.bincount(spans[:, unknown].ravel(), minlength=supp.size)
        single = published & (count == 1)
        if not single.any():
            return unknown
        given = (single[spans] & unknown[None, :]).any(axis=0)
        unknown &= ~given


class _Attacker:
    """The LP for one (extended table, suppression mask) pair."""

    def __init__(
        self,
        ext: np.ndarray,
        suppressed: np.ndarray,
        *,
        lower: np.ndarray | None = None,
        at_least_one: np.ndarray | None = None,
    ) -> None:
        """``suppressed``: the cells the attacker does not see. ``lower``: the smallest value each
        interior cell can have when withheld (extended shape; default: the zero rule, 1 everywhere,
        or 0 everywhere when the pattern withholds a zero). ``at_least_one``: withheld cells, interior
        or marginal, the attacker knows to be at least 1 (extended shape)."""
        self.ext_shape = ext.shape
        self.shape = tuple(n - 1 for n in ext.shape)
        flat = ext.ravel().astype(np.int64)
        supp = suppressed.ravel()
        self.flat = flat
        if lower is None:
            lb_flat = np.full(flat.size, 0.0 if bool(np.any(supp & (flat == 0))) else 1.0)
        else:
            lb_flat = np.asarray(lower, dtype=np.float64).ravel()

        int_ext = interior_to_ext(self.shape)
        int_values = flat[int_ext]
        spans, _ = span_indices(self.shape)
        int_supp = _undetermined(supp, int_ext, spans)
        var_pos = np.flatnonzero(int_supp)
        self.n_vars = int(var_pos.size)
        self.var_ext = int_ext[var_pos]
        self.x0 = int_values[var_pos].astype(np.float64)
        self.var_lb = lb_flat[self.var_ext]

        n_marg = spans.shape[0]

        # Membership of each unknown in each marginal cell.
        mem_ext = spans[:, var_pos].ravel()
        mem_var = np.tile(np.arange(self.n_vars, dtype=np.int64), n_marg)
        self.mem_ext = mem_ext
        self.mem_var = mem_var

        published = ~supp[mem_ext]
        row_ext = np.unique(mem_ext[published])
        row_of_ext = np.full(flat.size, -1, dtype=np.int64)
        row_of_ext[row_ext] = np.arange(row_ext.size)
        rows = row_of_ext[mem_ext[published]]
        cols = mem_var[published]
        rhs = np.bincount(rows, weights=self.x0[cols], minlength=row_ext.size).astype(np.float64)
        row_lower = rhs
        row_upper = rhs

        # Withheld cells known to be at least 1: a bound on the unknown when there is one, else one
        # inequality over its unknowns.
        if at_least_one is not None and self.n_vars:
            facts = np.flatnonzero(np.asarray(at_least_one).ravel() & supp)
            if facts.size:
                ent_t, ent_v, const = self.expressions(facts)
                per_fact = np.bincount(ent_t, minlength=facts.size)
                alone = per_fact[ent_t] == 1
                np.maximum.at(self.var_lb, ent_v[alone], 1.0 - const[ent_t[alone]])
                ent_t, ent_v = ent_t[~alone], ent_v[~alone]
                used = np.unique(ent_t)
                renumber = np.full(facts.size, -1, dtype=np.int64)
                renumber[used] = np.arange(used.size) + row_ext.size
                rows = np.concatenate([rows, renumber[ent_t]])
                cols = np.concatenate([cols, ent_v])
                row_lower = np.concatenate([row_lower, 1.0 - const[used]])
                row_upper = np.concatenate([row_upper, np.full(used.size, highspy.kHighsInf)])

        # What the pattern alone tells: each suppressed interior cell is at least its lower bound.
        lb_int = lb_flat[int_ext]
        lb_int[var_pos] = self.var_lb
        contrib = np.where(supp[int_ext], lb_int, int_values.astype(np.float64))
        floor = np.bincount(spans.ravel(), weights=np.tile(contrib, n_marg), minlength=flat.size)
        floor[int_ext] = contrib
        if at_least_one is not None:
            # A cell known to be at least 1, and every cell containing it, is at least 1.
            known_one = (np.asarray(at_least_one) & suppressed).astype(np.float64)
            for axis in range(known_one.ndim):
                inner = np.moveaxis(known_one, axis, 0)
                inner[-1] = np.maximum(inner[-1], inner.max(axis=0))
            floor = np.maximum(floor, known_one.ravel())
        self.floor = floor

        self._highs: highspy.Highs | None = None
        self._objective_cols = np.empty(0, dtype=np.int32)
        if self.n_vars == 0:
            return
        order = np.lexsort((rows, cols))
        rows, cols = rows[order], cols[order]
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_vars
        lp.num_row_ = int(row_lower.size)
        lp.col_cost_ = np.zeros(self.n_vars)
        lp.col_lower_ = self.var_lb.copy()
        lp.col_upper_ = np.full(self.n_vars, highspy.kHighsInf)
        lp.row_lower_ = row_lower
        lp.row_upper_ = row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.searchsorted(cols, np.arange(self.n_vars + 1)).astype(np.int32)
        lp.a_matrix_.index_ = rows.astype(np.int32)
        lp.a_matrix_.value_ = np.ones(rows.size)
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        # Presolve would hide rays and discard the warm basis between objectives.
        highs.setOptionValue("presolve", "off")
        # The previous optimum stays primal feasible when only the objective changes, so the primal
        # simplex continues from it in a handful of iterations (the dual simplex would start over).
        highs.setOptionValue("simplex_strategy", 4)
        status = highs.passModel(lp)
        if status != highspy.HighsStatus.kOk:
            raise RuntimeError(f"HiGHS rejected the attack model: {status}")
        self._highs = highs

    # Targets -----------------------------------------------------------------------------------------

    def expressions(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For extended flat indices ``targets``: entries ``(target, unknown)`` of their linear expressions
        in the unknowns, sorted by target, and the constant (published) part of each."""
        n_targets = targets.size
        target_of_ext = np.full(self.flat.size, -1, dtype=np.int64)
        target_of_ext[targets] = np.arange(n_targets)
        t_mem = target_of_ext[self.mem_ext]
        t_int = target_of_ext[self.var_ext]
        ent_t = np.concatenate([t_mem[t_mem >= 0], t_int[t_int >= 0]])
        ent_v = np.concatenate([self.mem_var[t_mem >= 0], np.flatnonzero(t_int >= 0)])
        order = np.lexsort((ent_v, ent_t))
        ent_t, ent_v = ent_t[order], ent_v[order]
        const = self.flat[targets] - np.bincount(ent_t, weights=self.x0[ent_v], minlength=n_targets)
        return ent_t, ent_v, const

    def _set_upper(self, cols: np.ndarray, upper: np.ndarray) -> None:
        assert self._highs is not None
        cols32 = cols.astype(np.int32)
        upper = np.where(np.isinf(upper), highspy.kHighsInf, upper)
        self._highs.changeColsBounds(cols32.size, cols32, self.var_lb[cols], upper)

    def _solve(
        self, cols: np.ndarray, costs: np.ndarray
    ) -> tuple[float, np.ndarray | None, np.ndarray | None]:
        """Minimise ``costs @ x[cols]``: (optimum or -inf, optimal solution, unbounded ray)."""
        highs = self._highs
        assert highs is not None
        if self._objective_cols.size:
            highs.changeColsCost(
                self._objective_cols.size, self._objective_cols, np.zeros(self._objective_cols.size)
            )
        cols32 = cols.astype(np.int32)
        highs.changeColsCost(cols32.size, cols32, costs.astype(np.float64))
        self._objective_cols = cols32
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            solution = np.asarray(highs.getSolution().col_value, dtype=np.float64)
            return float(highs.getInfo().objective_function_value), solution, None
        if status == highspy.HighsModelStatus.kUnbounded:
            _, has_ray, ray = highs.getPrimalRay()  # type: ignore[attr-defined]  # missing from the stubs
            return -np.inf, None, (np.asarray(ray, dtype=np.float64) if has_ray else None)
        raise RuntimeError(f"attack LP ended with status {highs.modelStatusToString(status)}")

    def bounds(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact smallest and largest values of the targets (extended flat indices)."""
        n = targets.size
        ent_t, ent_v, const = self.expressions(targets)
        edges = np.searchsorted(ent_t, np.arange(n + 1))
        low = const.astype(np.float64).copy()
        high = const.astype(np.float64).copy()
        for t in range(n):
            cols = ent_v[edges[t] : edges[t + 1]]
            if not cols.size:
                continue
            optimum, _, _ = self._solve(cols, np.ones(cols.size))
            low[t] = optimum + const[t]
            optimum, _, _ = self._solve(cols, -np.ones(cols.size))
            high[t] = -optimum + const[t]
        return low, high

    def run(
        self,
        targets: np.ndarray,
        required_lower: np.ndarray,
        required_upper: np.ndarray,
        either: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Check targets (extended flat indices). A target is safe when the attacker's lower bound is at
        most ``required_lower`` and the upper bound at least ``required_upper`` (or just one of the two
        where ``either``). Returns (safe mask, lower, upper); the bounds are exact for unsafe targets and
        NaN where they were not needed."""
        n = targets.size
        lower = np.full(n, np.nan)
        upper = np.full(n, np.nan)
        ent_t, ent_v, const = self.expressions(targets)
        bounds = np.searchsorted(ent_t, np.arange(n + 1))
        has_vars = bounds[1:] > bounds[:-1]
        # Targets without unknowns are known exactly.
        lower[~has_vars] = upper[~has_vars] = const[~has_vars]

        def at(x: np.ndarray) -> np.ndarray:
            return np.bincount(ent_t, weights=x[ent_v], minlength=n) + const

        up_ok = np.zeros(n, dtype=bool)
        down_ok = np.zeros(n, dtype=bool)

        def settle(values: np.ndarray) -> None:
            up_ok[:] |= values >= required_upper - EPS
            down_ok[:] |= values <= required_lower + EPS

        settle(at(self.x0))

        def safe() -> np.ndarray:
            return np.where(either, up_ok | down_ok, up_ok & down_ok)

        def settled(t: int) -> bool:
            return bool(up_ok[t] or down_ok[t]) if either[t] else bool(up_ok[t] and down_ok[t])

        def probe(cols: np.ndarray, costs: np.ndarray) -> float:
            optimum, solution, ray = self._solve(cols, costs)
            if solution is not None:
                settle(at(solution))
            if ray is not None:
                up_ok[:] |= np.bincount(ent_t, weights=ray[ent_v], minlength=n) > EPS
            return optimum

        def bound(t: int, direction: float) -> float:
            cols = ent_v[bounds[t] : bounds[t + 1]]
            return -direction * probe(cols, np.full(cols.size, -direction)) + const[t]

        def nudge(t: int, direction: float, side: np.ndarray) -> None:
            pending = unsettled(side)
            pending[t] = False
            weights = np.bincount(ent_v[pending[ent_t]], minlength=self.n_vars) * NUDGE
            cols = ent_v[bounds[t] : bounds[t + 1]]
            weights[cols] += 1.0
            cols = np.flatnonzero(weights)
            probe(cols, -direction * weights[cols])

        def unsettled(side: np.ndarray) -> np.ndarray:
            return has_vars & ~side & ~(either & (up_ok | down_ok))

        if self.n_vars:
            # A batch first: one solve pushing every unsettled interior target up at once, each capped
            # at its requirement so that none overshoots at the others' expense, settles a good share
            # of them. Repeated while that pays. (Downwards such batches do not help: the published
            # totals fix most sums of suppressed cells.)
            single = bounds[1:] - bounds[:-1] == 1
            pending = unsettled(up_ok) & single
            while pending.sum() >= BATCH_MIN:
                cols = ent_v[bounds[:-1][pending]]
                self._set_upper(cols, required_upper[pending] - const[pending])
                try:
                    probe(cols, np.full(cols.size, -1.0))
                finally:
                    self._set_upper(cols, np.full(cols.size, np.inf))
                remaining = unsettled(up_ok) & single
                if pending.sum() - remaining.sum() < max(BATCH_MIN, pending.sum() // 10):
                    break
                pending = remaining
            # Then one target at a time, nudging the other unsettled targets the same way.
            for t in range(n):
                if not has_vars[t] or settled(t):
                    continue
                if not up_ok[t]:
                    nudge(t, 1.0, up_ok)
                if not up_ok[t]:
                    upper[t] = bound(t, 1.0)
                    if upper[t] >= required_upper[t] - EPS:
                        up_ok[t] = True
                if not down_ok[t] and not (either[t] and up_ok[t]):
                    nudge(t, -1.0, down_ok)
                if not down_ok[t] and not (either[t] and up_ok[t]):
                    lower[t] = bound(t, -1.0)
                    if lower[t] <= required_lower[t] + EPS:
                        down_ok[t] = True
            # Exact bounds for the report on every unsafe target.
            ok = safe()
            for exposed in np.flatnonzero(~ok & has_vars):
                if np.isnan(upper[exposed]):
                    upper[exposed] = bound(int(exposed), 1.0)
                if np.isnan(lower[exposed]):
                    lower[exposed] = bound(int(exposed), -1.0)
        return safe(), lower, upper


def _findings(
    ext: np.ndarray,
    suppressed: np.ndarray,
    threshold: int,
    protection: int,
    *,
    secondary: bool = False,
    known: np.ndarray | None = None,
    lower: np.ndarray | None = None,
    at_least_one: np.ndarray | None = None,
    base_known: np.ndarray | None = None,
    base_at_least_one: np.ndarray | None = None,
    allow_given_away: bool = False,
    hidden: np.ndarray | None = None,
    change_at_least_one: np.ndarray | None = None,
) -> list[_Finding]:
    """Every primary cell the attacker bounds too tightly (and, with ``secondary``, every suppressed
    secondary cell the attacker determines), in C order of the extended table.

    ``known`` cells are seen by the attacker whatever the pattern says; a small one among them is
    already given away and is not a finding (nothing this pattern does can protect it). Where known
    cells exist, what the audience knows before this pattern (``base_known``: the known cells and
    the zeros published by rule; the facts in ``base_at_least_one``) may already break a primary
    cell's requirement: when it proves the count under the threshold or bounds it from below,
    :class:`GivenAway` is raised (with ``allow_given_away``: the requirement is capped at what it
    leaves open instead). For ``hidden`` cells (never published: the change tables of a release)
    the cap always applies, from below only by what was known before (``change_at_least_one``):
    when both releases' sizes are known, so is the number who left, and each left cell can only be
    as deniable as that allows, but a zero published or withheld in this release must not tell who
    changed."""
    flat = ext.ravel()
    known_flat = np.zeros(flat.size, dtype=bool) if known is None else np.asarray(known).ravel()
    supp = suppressed.ravel() & ~known_flat
    primary = (flat > 0) & (flat < threshold) & ~known_flat
    found: list[_Finding] = []
    for index in np.flatnonzero(primary & ~supp):
        value = int(flat[index])
        found.append(
            _Finding(int(index), value, value, value, value - protection, value + protection, PRIMARY)
        )

    targets = np.flatnonzero(supp & (primary | secondary))
    if targets.size:
        attacker = _Attacker(ext, supp.reshape(ext.shape), lower=lower, at_least_one=at_least_one)
        values = flat[targets].astype(np.float64)
        is_primary = primary[targets]
        required_lower = np.where(
            is_primary, np.maximum(values - protection, attacker.floor[targets]), values - 1
        )
        required_upper = np.where(is_primary, values + protection, values + 1)
        safe, low, high = attacker.run(targets, required_lower, required_upper, ~is_primary)
        if known_flat.any() or at_least_one is not None:
            # What the audience knows before this pattern: the known cells, the zeros published by
            # rule and the caller's facts (not the facts this pattern's own choices create).
            unsafe = np.flatnonzero(~safe & is_primary)
            if unsafe.size:
                seen = known_flat if base_known is None else np.asarray(base_known).ravel()
                base = _Attacker(ext, ~seen.reshape(ext.shape), lower=lower, at_least_one=base_at_least_one)
                base_low, base_high = base.bounds(targets[unsafe])
                # Given away: the facts alone prove the count small (under the threshold) or bound it
                # from below beyond its requirement. Short of that, the requirement is capped.
                given = (base_low > required_lower[unsafe] + EPS) | (
                    base_high < np.minimum(required_upper[unsafe], threshold) - EPS
                )
                change = np.zeros(unsafe.size, dtype=bool)
                if hidden is not None:
                    # A never-published cell (a change table: who left, who joined) must stay
                    # deniable from below; upwards it is protected as far as the facts allow (when
                    # both sizes are known, so is the number who left).
                    change = np.asarray(hidden).ravel()[targets[unsafe]]
                    given &= ~change
                if np.any(given) and not allow_given_away:
                    cells = [
                        ext_to_key(np.unravel_index(int(c), ext.shape), tuple(n - 1 for n in ext.shape))
                        for c in targets[unsafe][given]
                    ]
                    raise GivenAway(cells)
                if change.any():
                    # From below, a change cell may only lose what the audience knew before this
                    # pattern (the known cells and given facts), not what its own choices tell.
                    before = _Attacker(
                        ext, ~seen.reshape(ext.shape), lower=lower, at_least_one=change_at_least_one
                    )
                    change_low, _ = before.bounds(targets[unsafe][change])
                    base_low = base_low.copy()
                    base_low[change] = change_low
                required_lower[unsafe] = np.maximum(required_lower[unsafe], base_low)
                required_upper[unsafe] = np.minimum(required_upper[unsafe], base_high)
                safe[unsafe] = (low[unsafe] <= required_lower[unsafe] + EPS) & (
                    high[unsafe] >= required_upper[unsafe] - EPS
                )
        for t in np.flatnonzero(~safe):
            found.append(
                _Finding(
                    int(targets[t]),
                    int(flat[targets[t]]),
                    float(low[t]),
                    float(high[t]),
                    float(required_lower[t]),
                    float(required_upper[t]),
                    PRIMARY if is_primary[t] else SECONDARY,
                )
            )
    found.sort(key=lambda f: f.ext_index)
    return found


def audit(counts: np.ndarray, pattern: SuppressionPattern, *, secondary: bool = False) -> list[Exposure]:
    """Attack ``pattern`` as published for ``counts`` and return every exposed cell (empty when safe).

    A primary cell (interior or marginal, ``0 < value < threshold``) is exposed when it is published,
    or when the attacker's bounds violate the protection criterion: ``upper >= value + p`` and
    ``lower <= max(value - p, floor)``, where ``p`` is ``pattern.protection`` and ``floor`` is what the
    pattern alone implies (1 for a suppressed interior cell; for a marginal, its published interior
    cells plus 1 per suppressed one). With ``secondary=True`` also reports secondary cells whose value
    the attacker can determine exactly (harmless for privacy, but wasted suppressions).

    Primary cells are recomputed from ``counts`` and ``pattern.threshold``: the stored primary mask is
    not trusted.
    """
    table = as_counts(counts)
    if table.shape != pattern.shape:
        raise DisclosureError(f"counts have shape {table.shape}, the pattern is for {pattern.shape}")
    ext = extend(table)
    findings = _findings(ext, pattern.extended, pattern.threshold, pattern.protection, secondary=secondary)
    return [
        Exposure(
            cell=ext_to_key(np.unravel_index(f.ext_index, ext.shape), pattern.shape),
            value=f.value,
            lower=f.lower,
            upper=f.upper,
            required_lower=f.required_lower,
            required_upper=f.required_upper,
            kind=f.kind,
        )
        for f in findings
    ]
