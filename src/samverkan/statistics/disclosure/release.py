"""Protecting a new release of a table together with the release the same audience saw before.

Successive releases of a count table (a dataset's next version, a panel report after a member
withdrew, a dashboard's next snapshot) can be differenced: a cell withheld in one release and
published in the next, or margins that all rise by one, give away who changed and what was
withheld. So a release is protected *jointly* with its predecessor, in one larger table over the
same persons:

    axis "in the earlier release" (yes / no) × axis "in this release" (yes / no) × the table's axes

Its interior holds the persons who *stayed* (yes, yes), *left* (yes, no) and *joined* (no, yes)
per cell; (no, no) is empty. Its marginal cells include the earlier release (yes, total), this
release (total, yes), and the change tables (left, joined, everyone). That is an ordinary count
table, so the one rule of this package applies to all of it:

* the earlier release's published cells are *known* (the audience saw them) and its withheld cells
  are known to be non-zero when that release published all of its zeros;
* the change tables (who left, who joined) are never published (*hidden*) but are counts of
  persons: each small one is a primary cell and must stay deniable from below
  (``lower <= max(v - p, floor)``, the floor being what the audience knew before this release)
  and keep its upper protection as far as the known facts allow (when both sizes are known, so is
  the number who left), against an attacker who sees both releases; so a member's withdrawal or a
  replacement does not reveal their attributes. Those who stayed, and everyone in either release,
  are hidden but not primary: their counts follow from the releases, which are protected;
* the cells of this release are chosen by the same hypercube search and LP audit as a single
  table (:mod:`.suppress`); a cube may now pass through hidden cells, and a zero of this release
  may be withheld when it would otherwise show that everyone in a cell left.

This is the consistency requirement of linked-table protection as practised with tau-ARGUS and
sdcTable (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, §4.4 "linked tables";
de Wolf and Giessing on protecting sets of linked tables): cells that can be differenced across
releases are protected in one model, and a published earlier release is treated as fixed.

When the caller does not know the persons (a dataset revised in bulk), the change is taken as the
smallest one: ``left = max(earlier - now, 0)``, ``joined = max(now - earlier, 0)``; when nothing
decreased, the attacker is assumed to know that nobody left (an append-only register), and when
nobody joined that nobody did (a withdrawal without replacement): the stronger attacker.

Limit: each release is protected with the one before it (which was protected with its own
predecessor), not with every earlier release at once; a cell published in releases 1 and 3 but
withheld in 2 gives the change from 1 to 3. :func:`protect_release` therefore never publishes in a
new release a cell the previous release withheld unless the joint model allows it, and callers keep
the chain short by publishing releases on a schedule rather than on every change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._table import DisclosureError, as_counts, ext_to_key, extend
from .attack import GivenAway
from .pattern import SuppressionPattern
from .suppress import _checked, _mask, _Suppressor, protect


@dataclass(frozen=True, eq=False)
class Release:
    """What an audience was shown: the counts and the pattern they were published with."""

    counts: np.ndarray
    pattern: SuppressionPattern


YES, NO, TOTAL = 0, 1, 2


def _at(first: int, second: int | None, full: tuple[slice, ...]) -> tuple[int | slice, ...]:
    """Index of a slab of the joint table: one or two release coordinates, then every table cell."""
    head: tuple[int, ...] = (first,) if second is None else (first, second)
    return (*head, *full)


def _joint(earlier: np.ndarray, now: np.ndarray, left: np.ndarray, joined: np.ndarray) -> np.ndarray:
    stayed = earlier - left
    table = np.zeros((2, 2, *now.shape), dtype=np.int64)
    table[YES, YES] = stayed
    table[YES, NO] = left
    table[NO, YES] = joined
    return table


def protect_release(
    counts: np.ndarray,
    threshold: int = 5,
    *,
    previous: Release | None,
    left: np.ndarray | None = None,
    joined: np.ndarray | None = None,
    known: np.ndarray | None = None,
    protection: int | None = None,
    allow_given_away: bool = False,
) -> SuppressionPattern:
    """Suppression pattern for ``counts`` as the next release after ``previous``.

    ``left`` and ``joined`` (interior-shaped counts) are the persons who left and joined since
    ``previous``, exact when the caller knows them; ``previous.counts - left + joined`` must equal
    ``counts``. ``known`` marks cells of this release the audience knows anyway (extended shape of
    ``counts``, e.g. a panel's size). Without ``previous`` this is :func:`.protect`.

    The pattern may withhold zero cells of this release. Raises :class:`.GivenAway` (a
    :class:`DisclosureError`) when what the audience knows before this release (the earlier release,
    ``known``) gives a small count away, which nothing this release withholds can help; with
    ``allow_given_away`` such counts are left as they are and the rest is protected.
    """
    now = as_counts(counts)
    t, p = _checked(threshold, protection)
    ext_shape = tuple(n + 1 for n in now.shape)
    known_now = _mask(known, ext_shape, "known")
    if previous is None:
        return protect(now, t, protection=p, known=known_now, allow_given_away=allow_given_away)
    earlier = as_counts(previous.counts)
    if earlier.shape != now.shape or previous.pattern.shape != now.shape:
        raise DisclosureError(f"the previous release has shape {earlier.shape}, this one {now.shape}")
    inferred = left is None and joined is None
    if inferred:
        left = np.maximum(earlier - now, 0)
        joined = np.maximum(now - earlier, 0)
    elif left is None or joined is None:
        raise DisclosureError("give both left and joined, or neither")
    left = as_counts(left)
    joined = as_counts(joined)
    if left.shape != now.shape or joined.shape != now.shape:
        raise DisclosureError("left and joined must have the shape of the table")
    if np.any(left > earlier) or not np.array_equal(earlier - left + joined, now):
        raise DisclosureError("previous - left + joined must equal the counts, with left <= previous")

    earlier_ext = extend(earlier)
    earlier_withheld = np.asarray(previous.pattern.extended)
    zero_rule = not np.any(earlier_withheld & (earlier_ext == 0))
    full: tuple[slice, ...] = tuple(slice(None) for _ in now.shape)
    earlier_at: tuple[int | slice, ...]
    now_at: tuple[int | slice, ...]
    if not left.any():
        # Nobody left: one axis (earlier release, joined) whose total is this release.
        table = np.stack([earlier, joined])
        ext = extend(table)
        earlier_at, now_at = _at(0, None, full), _at(2, None, full)
        known_mask = np.zeros(ext.shape, dtype=bool)
        known_mask[earlier_at] = ~earlier_withheld
        lower = np.zeros(ext.shape, dtype=np.int64)
        if zero_rule:
            lower[earlier_at] = 1
    else:
        table = _joint(earlier, now, left, joined)
        ext = extend(table)
        earlier_at, now_at = _at(YES, TOTAL, full), _at(TOTAL, YES, full)
        known_mask = np.zeros(ext.shape, dtype=bool)
        # Nobody is in neither release: the (no, no) cells and their totals are known zeros.
        known_mask[_at(NO, NO, full)] = True
        known_mask[earlier_at] = ~earlier_withheld
        if not joined.any():
            # Nobody joined (a withdrawal without replacement): assume the audience knows it.
            known_mask[_at(NO, YES, full)] = True
            known_mask[_at(NO, TOTAL, full)] = True
        # The hidden persons' lower bounds are 0: the audience does not know where anybody is.
        lower = np.zeros(ext.shape, dtype=np.int64)
    if known_now is not None:
        known_mask[now_at] |= known_now
    # Those who stayed, and everyone in either release, are not a change: their counts follow from
    # the releases, which carry the protection themselves.
    insensitive = np.zeros(ext.shape, dtype=bool)
    if ext.shape[0] == 3 and ext.ndim == now.ndim + 2:
        insensitive[_at(YES, YES, full)] = True
        insensitive[_at(TOTAL, TOTAL, full)] = True
    hidden = np.ones(ext.shape, dtype=bool)
    hidden[now_at] = False
    hidden &= ~known_mask
    facts = np.zeros(ext.shape, dtype=bool)
    if zero_rule:
        # The earlier release published its zeros, so each cell it withheld is at least 1.
        facts[earlier_at] = earlier_withheld & (earlier_ext > 0)
    if known_now is not None and not allow_given_away:
        small = known_now & (extend(now) > 0) & (extend(now) < t)
        if small.any():
            raise GivenAway([ext_to_key(c, now.shape) for c in np.argwhere(small)])
    suppressor = _Suppressor(
        ext,
        t,
        p,
        known=known_mask,
        hidden=hidden,
        lower=lower,
        at_least_one=facts,
        allow_given_away=allow_given_away,
        insensitive=insensitive,
    )
    rounds = suppressor.run()
    withheld = suppressor.suppressed[now_at]
    primary = ((ext > 0) & (ext < t))[now_at]
    return SuppressionPattern(
        shape=now.shape,
        extended=withheld,
        primary_extended=primary & withheld,
        threshold=t,
        protection=p,
        rounds=rounds,
    )
