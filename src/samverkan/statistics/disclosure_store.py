"""Disclosure control for stored dataset versions: compute the suppression pattern at import,
keep it with the version (packed bits), and publish figures only through it.

What an audience has seen constrains every later pattern:

* **A new version** is protected together with the version before it (the one the audience saw),
  with :func:`disclosure.protect_release`: categories are matched by code, so a year appended or
  a category dropped lines up, and cells that differencing the two versions would reveal (the
  persons added, a cell the earlier version withheld) stay protected.
* **A changed threshold** never publishes more of a version than it already published: the new
  pattern is made with every cell published so far *known* to the attacker, and the cells withheld
  so far stay withheld (``stored | new``). Raising the threshold thus re-protects against what was
  already published; lowering it changes nothing. The service that changes a threshold stores the
  result (:func:`reprotect_dataset`); until then (a changed platform default) it is derived the same
  way in memory, deterministically.

Caches are keyed by everything a pattern depends on: the version, its content, the stored bits,
the threshold and the previous version's pattern.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from samverkan.statistics import disclosure
from samverkan.statistics.cube import Cube
from samverkan.statistics.models import Dataset, DatasetVersion
from samverkan.statistics.storage import version_cube


def _pack(extended: np.ndarray, primary: np.ndarray) -> bytes:
    bits = np.concatenate([extended.ravel(), primary.ravel()])
    return np.packbits(bits).tobytes()


def _unpack(data: bytes, shape: tuple[int, ...], threshold: int) -> disclosure.SuppressionPattern:
    ext_shape = tuple(n + 1 for n in shape)
    size = int(np.prod(ext_shape))
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), count=2 * size).astype(bool)
    return disclosure.SuppressionPattern(
        shape=shape,
        extended=bits[:size].reshape(ext_shape),
        primary_extended=bits[size:].reshape(ext_shape),
        threshold=threshold,
        protection=threshold,
    )


@dataclass(frozen=True)
class _Aligned:
    """The previous version's counts and pattern in the layout of a (possibly larger) union table,
    and how to cut this version's pattern out of it."""

    counts: np.ndarray
    withheld: np.ndarray
    primary: np.ndarray
    now: np.ndarray
    absent: np.ndarray  # union cells this version does not have (known zeros)
    cut: tuple[np.ndarray, ...]  # extended indices of this version's cells in the union layout


def _align(cube: Cube, previous_cube: Cube, previous: disclosure.SuppressionPattern) -> _Aligned:
    """Match the previous version to this one by dimension and category code."""
    order = [previous_cube.axis(d.code) for d in cube.dimensions]
    prev_values = np.transpose(previous_cube.values, order)
    prev_withheld = np.transpose(previous.extended, order)
    prev_primary = np.transpose(previous.primary_extended, order)
    prev_dims = [previous_cube.dimensions[a] for a in order]
    union_codes: list[list[str]] = []
    for dim, prev_dim in zip(cube.dimensions, prev_dims, strict=True):
        codes = [c.code for c in dim.categories]
        known = set(codes)
        union_codes.append(codes + [c.code for c in prev_dim.categories if c.code not in known])
    shape = tuple(len(c) for c in union_codes)
    counts = np.zeros(shape, dtype=np.int64)
    withheld = np.zeros(tuple(n + 1 for n in shape), dtype=bool)
    primary = np.zeros_like(withheld)
    # Previous cells (and totals) in the union layout; categories it lacked stay published zeros.
    prev_index = []
    for codes, prev_dim in zip(union_codes, prev_dims, strict=True):
        position = {code: i for i, code in enumerate(codes)}
        prev_index.append(np.array([position[c.code] for c in prev_dim.categories], dtype=np.int64))
    counts[np.ix_(*prev_index)] = np.rint(prev_values).astype(np.int64)
    ext_index = [np.append(index, len(codes)) for index, codes in zip(prev_index, union_codes, strict=True)]
    withheld[np.ix_(*ext_index)] = prev_withheld
    primary[np.ix_(*ext_index)] = prev_primary
    now = np.zeros(shape, dtype=np.int64)
    own = tuple(slice(0, len(d.categories)) for d in cube.dimensions)
    now[own] = np.rint(cube.values).astype(np.int64)
    present = np.zeros(tuple(n + 1 for n in shape), dtype=bool)
    cut = tuple(
        np.append(np.arange(len(d.categories)), len(codes))
        for d, codes in zip(cube.dimensions, union_codes, strict=True)
    )
    present[np.ix_(*cut)] = True
    return _Aligned(counts, withheld, primary, now, ~present, cut)


def _protect(
    cube: Cube,
    threshold: int,
    *,
    previous: tuple[Cube, disclosure.SuppressionPattern] | None,
    published: np.ndarray | None,
) -> disclosure.SuppressionPattern:
    """The pattern for ``cube``: jointly with ``previous`` (the version before, as published), and
    with ``published`` (the cells of this version published so far) known and kept withheld where
    they were withheld."""
    values = np.rint(cube.values).astype(np.int64)
    if previous is None:
        pattern = disclosure.protect(values, threshold, known=published, allow_given_away=True)
    else:
        aligned = _align(cube, *previous)
        known = aligned.absent.copy()
        if published is not None:
            known[np.ix_(*aligned.cut)] |= published
        before = disclosure.SuppressionPattern(
            shape=aligned.counts.shape,
            extended=aligned.withheld,
            primary_extended=aligned.primary,
            threshold=previous[1].threshold,
            protection=previous[1].protection,
        )
        joint = disclosure.protect_release(
            aligned.now,
            threshold,
            previous=disclosure.Release(aligned.counts, before),
            known=known,
            allow_given_away=True,
        )
        grid = np.ix_(*aligned.cut)
        pattern = disclosure.SuppressionPattern(
            shape=values.shape,
            extended=joint.extended[grid],
            primary_extended=joint.primary_extended[grid],
            threshold=threshold,
            protection=joint.protection,
            rounds=joint.rounds,
        )
    if published is None:
        return pattern
    # Every small cell is primary in the new pattern (withheld, or given away and withheld from now).
    return disclosure.SuppressionPattern(
        shape=values.shape,
        extended=pattern.extended | ~published,
        primary_extended=pattern.primary_extended,
        threshold=threshold,
        protection=pattern.protection,
        rounds=pattern.rounds,
    )


def _previous_of(version: DatasetVersion) -> DatasetVersion | None:
    return (
        DatasetVersion.objects.filter(dataset_id=version.dataset_id, number__lt=version.number)
        .select_related("dataset")
        .order_by("-number")
        .first()
    )


def protect_version(version: DatasetVersion, cube: Cube, threshold: int) -> None:
    """Compute and attach the pattern to an unsaved new version, jointly with the version before it."""
    previous = _previous_of(version) if version.number and version.number > 1 else None
    prior = None
    if previous is not None and previous.suppression is not None:
        previous_cube = version_cube(previous)
        prior = (previous_cube, pattern_for(previous, previous_cube))
    pattern = _protect(cube, threshold, previous=prior, published=None)
    version.suppression = _pack(pattern.extended, pattern.primary_extended)
    version.suppression_threshold = threshold


def _digest(data: bytes | memoryview | None) -> str:
    return hashlib.sha256(bytes(data or b"")).hexdigest()


@functools.lru_cache(maxsize=32)
def _stored_pattern(
    version_id: int, sha256: str, bits: str, threshold: int, shape: tuple[int, ...]
) -> disclosure.SuppressionPattern:
    data = DatasetVersion.objects.values_list("suppression", flat=True).get(pk=version_id)
    if data is None:
        raise ValueError(f"Dataset version {version_id} has no stored suppression pattern.")
    if _digest(bytes(data)) != bits:
        raise ValueError(f"Dataset version {version_id} changed while it was read.")
    return _unpack(bytes(data), shape, threshold)


_derived: dict[tuple[object, ...], disclosure.SuppressionPattern] = {}


def _derived_pattern(version: DatasetVersion, cube: Cube, threshold: int) -> disclosure.SuppressionPattern:
    """The pattern for a threshold the stored one was not made for (see the module docstring)."""
    stored = _stored(version, cube)
    previous = _previous_of(version)
    prior = None
    prior_key: tuple[object, ...] = ()
    if previous is not None and previous.suppression is not None:
        previous_cube = version_cube(previous)
        prior_pattern = pattern_for(previous, previous_cube)
        prior = (previous_cube, prior_pattern)
        prior_key = (
            previous.pk,
            previous.content_sha256,
            _digest(np.packbits(prior_pattern.extended).tobytes()),
        )
    key = (version.pk, version.content_sha256, _digest(version.suppression), threshold, cube.shape, prior_key)
    if key not in _derived:
        if len(_derived) >= 8:
            _derived.pop(next(iter(_derived)))
        _derived[key] = _protect(cube, threshold, previous=prior, published=~stored.extended)
    return _derived[key]


def _stored(version: DatasetVersion, cube: Cube) -> disclosure.SuppressionPattern:
    threshold = version.suppression_threshold or version.dataset.threshold
    data = version.suppression
    if data is None:
        raise ValueError(f"Dataset version {version.pk} has no stored suppression pattern.")
    return _stored_pattern(version.pk, version.content_sha256, _digest(bytes(data)), threshold, cube.shape)


def pattern_for(version: DatasetVersion, cube: Cube) -> disclosure.SuppressionPattern:
    threshold = version.dataset.threshold
    if version.suppression_threshold == threshold:
        return _stored(version, cube)
    return _derived_pattern(version, cube, threshold)


def reprotect_dataset(dataset: Dataset) -> list[DatasetVersion]:
    """After the dataset's threshold changed: derive and store every version's pattern for it, oldest
    first (each is protected with the one before it). The caller holds the transaction."""
    changed = []
    for version in dataset.versions.exclude(suppression=None).order_by("number"):
        version.dataset = dataset
        if version.suppression_threshold == dataset.threshold:
            continue
        cube = version_cube(version)
        pattern = _derived_pattern(version, cube, dataset.threshold)
        version.suppression = _pack(pattern.extended, pattern.primary_extended)
        version.suppression_threshold = dataset.threshold
        version.save(update_fields=["suppression", "suppression_threshold"])
        changed.append(version)
    return changed


def clear_caches() -> None:
    """Forget every cached pattern (tests; a process that changed stored patterns)."""
    _stored_pattern.cache_clear()
    _derived.clear()


def published_values(
    version: DatasetVersion, cube: Cube, selection: Sequence[Sequence[int] | None], sum_axes: Sequence[int]
) -> np.ndarray:
    """What may be published of a person-level table: NaN where withheld."""
    return disclosure.publish(cube.values, pattern_for(version, cube), selection, sum_axes)
