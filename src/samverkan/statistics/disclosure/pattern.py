"""Which cells of a table and of its marginal totals are suppressed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ._table import CellKey, axis_subsets, ext_to_key, interior, key_to_ext, marginal_slab


@dataclass(frozen=True, eq=False)
class SuppressionPattern:
    """A suppression pattern for one table of shape ``shape`` and all of its marginal totals.

    ``extended`` and ``primary_extended`` are read-only boolean arrays of shape
    ``(d_0 + 1, ..., d_k-1 + 1)`` in the extended-table layout: index ``d_i`` on axis ``i`` is the total
    over axis ``i`` (see :func:`samverkan.statistics.disclosure.extended_table`). ``extended`` is True for
    every withheld cell (primary and secondary), ``primary_extended`` for the cells withheld because they
    are small.

    Cells are addressed by keys with one entry per axis, ``None`` meaning "total over this axis":
    ``(4, None, 2)`` is the sum over axis 1, ``(None, None, None)`` the grand total.

    ``threshold`` and ``protection`` are the parameters the pattern was made for; ``rounds`` is the
    number of LP audits :func:`protect` needed (1 when the first pattern was already safe).
    """

    shape: tuple[int, ...]
    extended: np.ndarray
    primary_extended: np.ndarray
    threshold: int
    protection: int
    rounds: int = 0

    def __post_init__(self) -> None:
        ext_shape = tuple(n + 1 for n in self.shape)
        for name in ("extended", "primary_extended"):
            mask = np.array(getattr(self, name), dtype=bool, copy=True)
            if mask.shape != ext_shape:
                raise ValueError(f"{name} has shape {mask.shape}, expected {ext_shape}")
            mask.setflags(write=False)
            object.__setattr__(self, name, mask)
        if np.any(self.primary_extended & ~self.extended):
            raise ValueError("every primary cell must be suppressed")

    # Masks -------------------------------------------------------------------------------------------

    @property
    def interior(self) -> np.ndarray:
        """Suppression mask of the interior cells (shape ``shape``)."""
        return interior(self.extended)

    @property
    def primary(self) -> np.ndarray:
        """Primary-suppression mask of the interior cells."""
        return interior(self.primary_extended)

    @property
    def secondary_extended(self) -> np.ndarray:
        return self.extended & ~self.primary_extended

    def marginal(self, axes: Iterable[int]) -> np.ndarray:
        """Suppression mask of the marginal that sums over ``axes`` (shape: the other axes, in order).

        ``marginal(range(ndim))`` is a 0-d array for the grand total.
        """
        return self.extended[marginal_slab(frozenset(axes), self.shape)]

    def primary_marginal(self, axes: Iterable[int]) -> np.ndarray:
        return self.primary_extended[marginal_slab(frozenset(axes), self.shape)]

    @property
    def marginals(self) -> dict[frozenset[int], np.ndarray]:
        """The suppression mask of every marginal, keyed by the set of axes summed over."""
        return {axes: self.marginal(axes) for axes in axis_subsets(len(self.shape))}

    # Single cells ------------------------------------------------------------------------------------

    def is_suppressed(self, cell: Sequence[int | None]) -> bool:
        """Whether the interior or marginal cell ``cell`` is withheld (``None`` = total over that axis)."""
        return bool(self.extended[key_to_ext(cell, self.shape)])

    def is_primary(self, cell: Sequence[int | None]) -> bool:
        return bool(self.primary_extended[key_to_ext(cell, self.shape)])

    def is_marginal_suppressed(self, axes: Iterable[int], index: Sequence[int]) -> bool:
        """Whether cell ``index`` (coordinates on the axes not summed, in order) of the marginal over
        ``axes`` is withheld."""
        summed = frozenset(axes)
        remaining = iter(index)
        key: list[int | None] = [
            None if axis in summed else next(remaining) for axis in range(len(self.shape))
        ]
        if next(remaining, None) is not None:
            raise ValueError("index has more coordinates than the marginal has axes")
        return self.is_suppressed(key)

    def suppressed_cells(self) -> Iterator[CellKey]:
        """Keys of every withheld cell, in C order of the extended table."""
        for coords in np.argwhere(self.extended):
            yield ext_to_key(coords, self.shape)

    def primary_cells(self) -> Iterator[CellKey]:
        for coords in np.argwhere(self.primary_extended):
            yield ext_to_key(coords, self.shape)

    # Counts ------------------------------------------------------------------------------------------

    @property
    def n_suppressed(self) -> int:
        return int(self.extended.sum())

    @property
    def n_primary(self) -> int:
        return int(self.primary_extended.sum())

    @property
    def n_secondary(self) -> int:
        return self.n_suppressed - self.n_primary

    def __repr__(self) -> str:
        return (
            f"SuppressionPattern(shape={self.shape}, threshold={self.threshold}, "
            f"protection={self.protection}, primary={self.n_primary}, secondary={self.n_secondary})"
        )
