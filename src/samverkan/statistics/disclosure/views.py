"""What may be shown for a filtered and aggregated view of a protected table.

A view filters each axis to a list of category indices (``None`` = all categories) and sums over some
axes. Every number it returns is an exact sum of cells that the pattern publishes:

* an axis summed over its *full* set of categories is read from the protected marginal (the cell with
  the total index on that axis);
* an axis summed over a *partial* subset is the sum of the corresponding marginal cells (total on the
  fully summed axes, the chosen categories on this one), and it is withheld as soon as one of those
  cells is suppressed;
* an axis that is not summed just selects published or withheld cells.

Hence every published number is a sum of published cells of the extended table, and any set of views
(in particular two views whose difference isolates one category, ``sum{a, b} − sum{a} = b``) tells the
attacker nothing beyond the linear span of the published cells, which is exactly what the attacker in
:mod:`.attack` already has. A partial sum that contains a suppressed cell would not be in that span (it
would let the suppressed cell be recovered by differencing), which is why it is withheld even when the
sum itself is large.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._table import DisclosureError, as_counts, extend
from .pattern import SuppressionPattern


def _normalise(selection: Sequence[int] | None, size: int, axis: int) -> tuple[list[int], bool]:
    """Category indices for one axis and whether they are the full set."""
    if selection is None:
        return list(range(size)), True
    indices = [int(i) for i in selection]
    if not indices:
        raise DisclosureError(f"axis {axis}: empty selection")
    if any(not 0 <= i < size for i in indices):
        raise DisclosureError(f"axis {axis}: category index outside 0..{size - 1}")
    if len(set(indices)) != len(indices):
        raise DisclosureError(f"axis {axis}: repeated category index")
    return indices, len(indices) == size


def publish(
    counts: np.ndarray,
    pattern: SuppressionPattern,
    selection: Sequence[Sequence[int] | None],
    sum_axes: Sequence[int],
) -> np.ndarray:
    """Values a user may see for the view (float; NaN where withheld).

    ``selection`` has one entry per axis: a list of category indices or ``None`` for all. The result has
    the axes not in ``sum_axes``, in order, each with its selected categories in the order given; the
    axes in ``sum_axes`` are summed over their selected categories. With ``sum_axes`` empty the result
    is the selected interior cells; with every axis summed it is a 0-d array.
    """
    table = as_counts(counts)
    if table.shape != pattern.shape:
        raise DisclosureError(f"counts have shape {table.shape}, the pattern is for {pattern.shape}")
    if len(selection) != table.ndim:
        raise DisclosureError(f"selection needs {table.ndim} entries, one per axis")
    summed = {int(a) for a in sum_axes}
    if len(summed) != len(sum_axes) or any(not 0 <= a < table.ndim for a in summed):
        raise DisclosureError(f"sum_axes {list(sum_axes)} do not fit a table with {table.ndim} dimensions")

    index: list[np.ndarray] = []
    partial_axes: list[int] = []
    for axis, size in enumerate(table.shape):
        indices, full = _normalise(selection[axis], size, axis)
        if axis in summed and full:
            index.append(np.array([size]))  # the protected total over this axis
        else:
            index.append(np.array(indices))
        if axis in summed:
            partial_axes.append(axis)

    ext = extend(table)
    grid = np.ix_(*index)
    values = ext[grid].astype(np.float64)
    withheld = pattern.extended[grid]
    reduce = tuple(partial_axes)
    result = values.sum(axis=reduce)
    hidden = withheld.any(axis=reduce)
    return np.where(hidden, np.nan, result)
