"""An independent interval attacker for disclosure tests.

It shares no code with ``samverkan.statistics.disclosure``: the attack is written out here from
first principles, so that a mistake in the package's own checker cannot hide a mistake in its
suppression. The attacker describes the truth as unknown non-negative integer *atoms* (the finest
person counts: one per cell of a person-level table, per release, per owner, ...), adds every fact
a given audience sees or knows as a linear equation or inequality over them, and asks HiGHS for the
smallest and largest value of any sum of atoms, as a linear programme (``integer=False``) or as the
integer programme (``integer=True``, the stronger attacker).

Usage::

    model = Model(n_atoms)
    model.equal([0, 1, 2], 11)        # a published figure: atoms 0+1+2 sum to 11
    model.at_least([0], 1)            # a withheld cell known to be non-zero
    low, high = model.interval([0])   # what the attacker can say about atom 0
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import product

import highspy
import numpy as np

INF = float("inf")


class Model:
    def __init__(self, n_atoms: int, *, integer: bool = True, upper: float = INF) -> None:
        self.n = int(n_atoms)
        self.integer = integer
        self.upper = upper
        self._rows: list[tuple[list[int], list[float], float, float]] = []

    def _add(self, atoms: Iterable[int] | dict[int, float], lower: float, upper: float) -> None:
        if isinstance(atoms, dict):
            items = sorted(atoms.items())
        else:
            counts: dict[int, float] = {}
            for a in atoms:
                counts[int(a)] = counts.get(int(a), 0.0) + 1.0
            items = sorted(counts.items())
        if not items:
            if not lower <= 0 <= upper:
                raise ValueError("an empty sum cannot satisfy this fact")
            return
        self._rows.append(([i for i, _ in items], [c for _, c in items], lower, upper))

    def equal(self, atoms: Iterable[int] | dict[int, float], value: float) -> None:
        """A published or known figure: the sum (or weighted sum) of ``atoms`` is ``value``."""
        self._add(atoms, float(value), float(value))

    def at_least(self, atoms: Iterable[int] | dict[int, float], value: float) -> None:
        self._add(atoms, float(value), INF)

    def at_most(self, atoms: Iterable[int] | dict[int, float], value: float) -> None:
        self._add(atoms, -INF, float(value))

    def _solve(self, atoms: Sequence[int], sense: float) -> float:
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = len(self._rows)
        cost = np.zeros(self.n)
        for a in atoms:
            cost[int(a)] += sense
        lp.col_cost_ = cost
        lp.col_lower_ = np.zeros(self.n)
        lp.col_upper_ = np.full(self.n, highspy.kHighsInf if self.upper == INF else self.upper)
        lp.row_lower_ = np.array([-highspy.kHighsInf if r[2] == -INF else r[2] for r in self._rows])
        lp.row_upper_ = np.array([highspy.kHighsInf if r[3] == INF else r[3] for r in self._rows])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        starts = [0]
        index: list[int] = []
        value: list[float] = []
        for cols, coefs, _, _ in self._rows:
            index.extend(cols)
            value.extend(coefs)
            starts.append(len(index))
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value, dtype=np.float64)
        if self.integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * self.n
        highs.passModel(lp)
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return sense * float(highs.getInfo().objective_function_value)
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return INF
        raise AssertionError(f"the attack model is {highs.modelStatusToString(status)}: the facts contradict")

    def interval(self, atoms: Sequence[int]) -> tuple[float, float]:
        """The attacker's smallest and largest possible value of the sum of ``atoms``."""
        low = self._solve(atoms, 1.0)
        high = self._solve(atoms, -1.0)
        return low, high


def pinned(interval: tuple[float, float], value: int, threshold: int) -> bool:
    """Whether a count of persons is given away: a small non-zero count whose interval leaves no
    doubt either that it is small (upper bound under the threshold) or what it is (one value)."""
    low, high = interval
    if not 0 < value < threshold:
        return False
    return high < threshold or low == high


def table_cells(shape: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], list[int]]]:
    """Every interior and marginal cell of a count table, as its extended coordinates (index
    ``d_i`` = the total over axis ``i``) and the flat indices of the interior cells it sums: the
    atoms of a one-table attack."""
    for key in product(*[[*range(n), None] for n in shape]):
        ranges = [range(n) if k is None else [k] for k, n in zip(key, shape, strict=True)]
        ext = tuple(n if k is None else k for k, n in zip(key, shape, strict=True))
        yield ext, [int(np.ravel_multi_index(c, shape)) for c in product(*ranges)]
