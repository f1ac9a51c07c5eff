"""The extended table: a count table together with all of its marginal totals in one array.

For a table of shape ``(d_0, ..., d_{k-1})`` the extended table has shape ``(d_0 + 1, ..., d_{k-1} + 1)``;
index ``d_i`` on axis ``i`` stands for "total over axis i". The interior is ``ext[:d_0, ..., :d_{k-1}]``,
the grand total is ``ext[d_0, ..., d_{k-1}]``, and the marginal obtained by summing over a set ``S`` of axes
is the slab with index ``d_i`` on every axis of ``S`` and an ordinary category on every other axis.

Public cell keys use ``None`` for "total over this axis": ``(3, None, 1)`` is the sum over axis 1 of the
interior cells ``(3, j, 1)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations

import numpy as np

CellKey = tuple[int | None, ...]


class DisclosureError(ValueError):
    """The input is not a table of non-negative integer counts, or a request does not fit the table."""


def as_counts(counts: np.ndarray | Sequence[object]) -> np.ndarray:
    """Validate ``counts`` and return it as a C-ordered int64 array."""
    array = np.asarray(counts)
    if array.ndim < 1:
        raise DisclosureError("a table needs at least one dimension")
    if array.size == 0 or min(array.shape) < 1:
        raise DisclosureError("every dimension needs at least one category")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise DisclosureError("counts must be numbers")
    if np.issubdtype(array.dtype, np.floating):
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise DisclosureError("counts must be whole numbers (no NaN, no fractions)")
    elif not np.issubdtype(array.dtype, np.integer):
        raise DisclosureError("counts must be real integers")
    result = np.ascontiguousarray(array, dtype=np.int64)
    if np.any(result < 0):
        raise DisclosureError("counts must be non-negative")
    return result


def extend(counts: np.ndarray) -> np.ndarray:
    """The extended table (interior plus every marginal total), int64."""
    ext = np.asarray(counts, dtype=np.int64)
    for axis in range(ext.ndim):
        ext = np.concatenate([ext, ext.sum(axis=axis, keepdims=True)], axis=axis)
    return np.ascontiguousarray(ext)


def extended_table(counts: np.ndarray | Sequence[object]) -> np.ndarray:
    """The extended table of ``counts`` (validated): shape ``(d_0 + 1, ..., d_k-1 + 1)``, index ``d_i``
    on axis ``i`` being the total over that axis."""
    return extend(as_counts(counts))


def interior(ext: np.ndarray) -> np.ndarray:
    """The interior slab of an extended array (a view)."""
    return ext[tuple(slice(0, n - 1) for n in ext.shape)]


def axis_subsets(ndim: int) -> Iterator[frozenset[int]]:
    """Every non-empty set of axes, smallest first, then lexicographic: the marginals of a table."""
    for size in range(1, ndim + 1):
        for axes in combinations(range(ndim), size):
            yield frozenset(axes)


def key_to_ext(key: Sequence[int | None], shape: tuple[int, ...]) -> tuple[int, ...]:
    """Extended coordinates of a public cell key (``None`` = total over that axis)."""
    if len(key) != len(shape):
        raise DisclosureError(f"cell key {tuple(key)!r} does not have {len(shape)} coordinates")
    coords = []
    for value, size in zip(key, shape, strict=True):
        if value is None:
            coords.append(size)
            continue
        index = int(value)
        if not 0 <= index < size:
            raise DisclosureError(f"cell key {tuple(key)!r} is outside a table of shape {shape}")
        coords.append(index)
    return tuple(coords)


def ext_to_key(coords: Sequence[int | np.integer] | np.ndarray, shape: tuple[int, ...]) -> CellKey:
    """Public cell key of extended coordinates."""
    return tuple(None if int(c) == size else int(c) for c, size in zip(coords, shape, strict=True))


def marginal_slab(axes: frozenset[int] | Sequence[int], shape: tuple[int, ...]) -> tuple[int | slice, ...]:
    """Index into the extended array selecting the marginal that sums over ``axes``."""
    summed = frozenset(int(a) for a in axes)
    if any(not 0 <= a < len(shape) for a in summed):
        raise DisclosureError(f"axes {sorted(summed)} do not fit a table with {len(shape)} dimensions")
    return tuple(size if axis in summed else slice(0, size) for axis, size in enumerate(shape))


def span_indices(shape: tuple[int, ...]) -> tuple[np.ndarray, list[frozenset[int]]]:
    """For every marginal and every interior cell, the flat extended index of the marginal cell that
    contains the interior cell.

    Returns an ``(m, n)`` int64 array (``m = 2**k - 1`` marginals in :func:`axis_subsets` order, ``n`` the
    number of interior cells in C order) and the list of axis sets.
    """
    ext_shape = tuple(n + 1 for n in shape)
    strides = np.array([int(np.prod(ext_shape[axis + 1 :])) for axis in range(len(shape))], dtype=np.int64)
    coords = np.indices(shape).reshape(len(shape), -1).astype(np.int64)
    base = (coords * strides[:, None]).sum(axis=0)
    subsets = list(axis_subsets(len(shape)))
    rows = np.empty((len(subsets), base.size), dtype=np.int64)
    for row, axes in enumerate(subsets):
        shift = np.zeros_like(base)
        for axis in axes:
            shift += (shape[axis] - coords[axis]) * strides[axis]
        rows[row] = base + shift
    return rows, subsets


def interior_to_ext(shape: tuple[int, ...]) -> np.ndarray:
    """Flat extended index of every interior cell (C order)."""
    ext_shape = tuple(n + 1 for n in shape)
    flat = np.ravel_multi_index(tuple(np.indices(shape).reshape(len(shape), -1)), ext_shape)
    return np.asarray(flat, dtype=np.int64)
