"""Disclosure control for stored dataset versions: compute the suppression pattern at import,
keep it with the version (packed bits), and publish figures only through it.

The pattern belongs to the version's cells and the threshold it was computed for; if a
dataset's threshold has changed since, the pattern is recomputed rather than trusted.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from samverkan.statistics import disclosure
from samverkan.statistics.cube import Cube
from samverkan.statistics.models import DatasetVersion


def _pack(pattern: disclosure.SuppressionPattern) -> bytes:
    bits = np.concatenate([pattern.extended.ravel(), pattern.primary_extended.ravel()])
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


def protect_version(version: DatasetVersion, cube: Cube, threshold: int) -> None:
    """Compute and attach the pattern to an unsaved (or re-saved) version."""
    pattern = disclosure.protect(cube.values, threshold)
    version.suppression = _pack(pattern)
    version.suppression_threshold = threshold


@functools.lru_cache(maxsize=32)
def _stored_pattern(
    version_id: int, sha256: str, threshold: int, shape: tuple[int, ...]
) -> disclosure.SuppressionPattern:
    data = DatasetVersion.objects.values_list("suppression", flat=True).get(pk=version_id)
    if data is None:
        raise ValueError(f"Dataset version {version_id} has no stored suppression pattern.")
    return _unpack(bytes(data), shape, threshold)


_computed: dict[tuple[str, int], disclosure.SuppressionPattern] = {}


def _computed_pattern(sha256: str, threshold: int, cube: Cube) -> disclosure.SuppressionPattern:
    key = (sha256, threshold)
    if key not in _computed:
        if len(_computed) >= 8:
            _computed.pop(next(iter(_computed)))
        _computed[key] = disclosure.protect(cube.values, threshold)
    return _computed[key]


def pattern_for(version: DatasetVersion, cube: Cube) -> disclosure.SuppressionPattern:
    threshold = version.dataset.threshold
    if version.suppression_threshold == threshold:
        return _stored_pattern(version.pk, version.content_sha256, threshold, cube.shape)
    return _computed_pattern(version.content_sha256, threshold, cube)


def published_values(
    version: DatasetVersion, cube: Cube, selection: Sequence[Sequence[int] | None], sum_axes: Sequence[int]
) -> np.ndarray:
    """What may be published of a person-level table: NaN where withheld."""
    return disclosure.publish(cube.values, pattern_for(version, cube), selection, sum_axes)
