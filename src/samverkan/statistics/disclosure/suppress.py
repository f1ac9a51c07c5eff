"""Primary and secondary cell suppression.

Secondary suppressions are chosen with hypercubes in the extended table (the idea of the GHMITER
hypercube method used by tau-ARGUS, extended to marginal cells as corners):

For a cell ``c`` pick, on every axis ``i``, one other index ``b_i`` (another category or the total).
The ``2**k`` cells whose coordinates are ``c_i`` or ``b_i`` form a cube. Give corner ``c`` the sign +1
and flip the sign each time a corner takes ``b_i`` on an axis where neither ``c_i`` nor ``b_i`` is the
total (on an axis where one of them is the total both sides keep the same sign, because the total
moves with its parts). Adding ``t`` times these signs to the corners changes no other cell and keeps
every additivity relation of the extended table, so if all corners are withheld the attacker cannot
tell the true table from the shifted one. The shift stays feasible while every interior corner stays
at least 1, so the cube lets ``c`` rise by the smallest (value − 1) of the interior corners with sign
−1 (its *upward capacity*) and fall by that of the interior corners with sign +1 (*downward capacity*).
Corners must be non-zero because zeros are never suppressed.

The all-totals cube of an interior cell (``b_i`` = total on every axis: the cell and all of its
marginals) has unlimited upward and ``value − 1`` downward capacity, so every interior primary can
always be protected by one cube. A marginal primary always has a cube with unlimited upward capacity;
downward it may need one cube per interior cell of its span.

Among the cubes that give the required capacity the cheapest is taken; the cost of a corner is its
value if it is not yet withheld and 0 if it is (so cubes that reuse withheld cells, i.e. complete
existing cycles, are preferred, and small cells are preferred to large totals). Ties go to the first
cube in index order. Primary cells are processed interior first, then marginals with fewer summed
axes, each in C order, which makes the result deterministic.

After that the LP attacker (:mod:`.attack`) checks the whole pattern. Each exposed cell gets further
cubes that add at least one new suppression; if a round adds nothing, every non-zero cell is
suppressed (a pattern that is always safe), so the loop terminates.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from ._table import DisclosureError, as_counts, ext_to_key, extend, interior
from .attack import GivenAway, _Finding, _findings
from .pattern import SuppressionPattern

UP = "up"
DOWN = "down"


# Capacity of a cube that does not limit the move at all.
UNLIMITED = np.iinfo(np.int64).max // 4


@dataclass
class _Cubes:
    """Every cube around one cell, as arrays over the grid of choices ``(b_0, ..., b_k-1)``."""

    options: list[np.ndarray]
    valid: np.ndarray
    cost: np.ndarray
    new: np.ndarray
    up: np.ndarray
    down: np.ndarray

    def capacity(self, side: str) -> np.ndarray:
        return self.up if side == UP else self.down


class _Suppressor:
    def __init__(
        self,
        ext: np.ndarray,
        threshold: int,
        protection: int,
        *,
        known: np.ndarray | None = None,
        hidden: np.ndarray | None = None,
        lower: np.ndarray | None = None,
        at_least_one: np.ndarray | None = None,
        allow_given_away: bool = False,
        insensitive: np.ndarray | None = None,
    ) -> None:
        self.ext = ext
        self.allow_given_away = allow_given_away
        self.totals = tuple(n - 1 for n in ext.shape)
        self.k = ext.ndim
        self.threshold = threshold
        self.protection = protection
        no = np.zeros(ext.shape, dtype=bool)
        self.known = no if known is None else np.asarray(known, dtype=bool)
        self.hidden = no if hidden is None else np.asarray(hidden, dtype=bool) & ~self.known
        self.joint = bool(self.known.any() or self.hidden.any())
        # Small cells the audience already knows cannot be protected; they are withheld from now on
        # all the same (``given_away``) but are not targets.
        small = (ext > 0) & (ext < threshold)
        if insensitive is not None:
            small &= ~insensitive
        self.given_away = small & self.known
        self.primary = small & ~self.known
        self.suppressed = self.primary | self.hidden | self.given_away
        # Lower bound of each cell as a cube corner: 1 by the zero rule, 0 for a hidden cell (the
        # audience does not know it is non-zero), or as the caller says.
        self.lbs = (
            np.where(self.hidden, 0, 1).astype(np.int64)
            if lower is None
            else np.asarray(lower, dtype=np.int64)
        )
        self.at_least_one = at_least_one
        # Zero cells that may be withheld as secondaries: those made of hidden cells only (a release's
        # cell over the hidden change tables); elsewhere zeros are published.
        visible_parts = extend((~interior(self.hidden) & ~interior(self.known)).astype(np.int64))
        hidden_parts = extend(interior(self.hidden).astype(np.int64))
        self.zero_ok = (ext == 0) & (visible_parts == 0) & (hidden_parts > 0) & ~self.known & ~self.hidden
        self.decided = ~self.known & ~self.hidden
        # Primary cells already protected by one fully suppressed cube.
        self.done = np.zeros_like(self.primary)
        self._ranges = [np.arange(n) for n in ext.shape]
        self._strides = [int(np.prod(ext.shape[i + 1 :])) for i in range(self.k)]
        # Value and suppression of every extended cell in one flat lookup: 2 * value + suppressed.
        self._key = (ext.ravel() * 2 + self.suppressed.ravel()).astype(np.int64)
        self._usable = ((ext.ravel() > 0) | self.zero_ok.ravel() | self.hidden.ravel()) & ~self.known.ravel()
        self._lb_flat = self.lbs.ravel()
        # Corners as the tuple of axes on which they take b_i instead of c_i.
        self._corners = [
            tuple(i for i, take in enumerate(pattern) if take) for pattern in product((0, 1), repeat=self.k)
        ]

    # Cubes -------------------------------------------------------------------------------------------

    def cubes(self, cell: tuple[int, ...]) -> _Cubes:
        k = self.k
        options: list[np.ndarray] = []
        offsets: list[np.ndarray] = []
        at_total: list[np.ndarray] = []
        flips: list[np.ndarray] = []
        for i in range(k):
            shape = [1] * k
            shape[i] = -1
            choice = self._ranges[i][self._ranges[i] != cell[i]].reshape(shape)
            options.append(choice)
            offsets.append(choice * self._strides[i])
            at_total.append(choice == self.totals[i])
            # The sign flips on axis i when neither c_i nor b_i is the total.
            flips.append(~at_total[i] if cell[i] != self.totals[i] else np.zeros_like(at_total[i]))
        grid = tuple(o.size for o in options)
        # Accumulate from the smallest corners up, so that most operations run on small arrays and
        # only the last few broadcast to the whole grid.
        corners = sorted(self._corners, key=lambda taken: (int(np.prod([grid[i] for i in taken])), taken))
        valid: np.ndarray | bool = True
        cost: np.ndarray | int = 0
        new: np.ndarray | int = 0
        up: np.ndarray | int = UNLIMITED
        down: np.ndarray | int = UNLIMITED
        for taken in corners:
            flat: np.ndarray | int = sum(cell[i] * self._strides[i] for i in range(k) if i not in taken)
            for i in taken:
                flat = flat + offsets[i]
            key = np.take(self._key, flat)
            values = key >> 1
            open_ = 1 - (key & 1)  # 1 where not yet suppressed
            valid = valid & np.take(self._usable, flat)
            cost = cost + values * open_
            new = new + open_
            if any(cell[i] == self.totals[i] for i in range(k) if i not in taken):
                continue  # a marginal corner: its bound follows from its interior cells
            inner: np.ndarray | bool = True
            negative: np.ndarray | bool = False
            for i in taken:
                inner = inner & ~at_total[i]
                negative = negative ^ flips[i]
            slack = values - np.take(self._lb_flat, flat)
            up = np.minimum(up, np.where(inner & negative, slack, UNLIMITED))
            down = np.minimum(down, np.where(inner & ~np.asarray(negative), slack, UNLIMITED))
        valid, cost, new, up, down = (
            np.broadcast_to(np.asarray(a), grid) for a in (valid, cost, new, up, down)
        )
        return _Cubes(options, valid, cost, new, up, down)

    def apply(self, cell: tuple[int, ...], cubes: _Cubes, choice: int) -> int:
        """Suppress every corner of cube ``choice`` (a flat index into the grid); return how many are new.

        Every primary corner that this one cube already protects (the cube seen from that corner has
        enough capacity both ways) is marked done."""
        picks = [
            int(o.flat[j])
            for o, j in zip(cubes.options, np.unravel_index(choice, cubes.valid.shape), strict=True)
        ]
        corners = []
        for taken in self._corners:
            coords = tuple(picks[i] if i in taken else cell[i] for i in range(self.k))
            negative = (
                sum(1 for i in taken if cell[i] != self.totals[i] and picks[i] != self.totals[i]) % 2 == 1
            )
            inner = all(c != t for c, t in zip(coords, self.totals, strict=True))
            corners.append((coords, negative, inner))
        new = 0
        for coords, _, _ in corners:
            if not self.suppressed[coords]:
                new += 1
                self.suppress(coords)
        for coords, negative, _ in corners:
            if not self.primary[coords] or self.done[coords]:
                continue
            against = [
                int(self.ext[c] - self.lbs[c]) for c, neg, inner in corners if inner and neg != negative
            ]
            along = [int(self.ext[c] - self.lbs[c]) for c, neg, inner in corners if inner and neg == negative]
            if min(against, default=UNLIMITED) >= self.protection and min(
                along, default=UNLIMITED
            ) >= self.need_down(coords):
                self.done[coords] = True
        return new

    @staticmethod
    def _cheapest(cubes: _Cubes, usable: np.ndarray) -> int | None:
        if not usable.any():
            return None
        return int(np.argmin(np.where(usable, cubes.cost, np.iinfo(np.int64).max), axis=None))

    def _pick(self, cubes: _Cubes, side: str, need: float, require_new: bool) -> int | None:
        usable = cubes.valid & (cubes.new > 0) if require_new else cubes.valid.copy()
        capacity = cubes.capacity(side)
        choice = self._cheapest(cubes, usable & (capacity >= need))
        if choice is not None:
            return choice
        # No single cube is enough: take the largest capacity (then the cheapest) and come back for more.
        usable &= capacity > 0
        if not usable.any():
            return None
        best = np.max(capacity[usable])
        return self._cheapest(cubes, usable & (capacity == best))

    def cover(self, cell: tuple[int, ...], need_up: float, need_down: float, *, require_new: bool) -> int:
        """Add cubes around ``cell`` until their capacities (added up, a heuristic the audit checks)
        reach ``need_up`` upwards and ``need_down`` downwards. Returns the number of new suppressions."""
        cubes = self.cubes(cell)
        usable = cubes.valid & (cubes.new > 0) if require_new else cubes.valid
        both = self._cheapest(cubes, usable & (cubes.up >= need_up) & (cubes.down >= need_down))
        if both is not None:
            return self.apply(cell, cubes, both)
        added = 0
        for side, need in ((UP, need_up), (DOWN, need_down)):
            reached = 0.0
            first = True
            while reached < need:
                if not first:
                    cubes = self.cubes(cell)
                choice = self._pick(cubes, side, need - reached, require_new or not first)
                if choice is None:
                    break
                added += self.apply(cell, cubes, choice)
                reached += float(cubes.capacity(side).flat[choice])
                first = False
            cubes = self.cubes(cell)
        return added

    # Driver ------------------------------------------------------------------------------------------

    def suppress(self, coords: tuple[int, ...]) -> None:
        self.suppressed[coords] = True
        self._key[int(np.ravel_multi_index(coords, self.ext.shape))] |= 1

    def suppress_all(self) -> None:
        self.suppressed |= ((self.ext > 0) | self.zero_ok) & ~self.known
        self._key = (self.ext.ravel() * 2 + self.suppressed.ravel()).astype(np.int64)

    def need_down(self, cell: tuple[int, ...]) -> int:
        """How far a primary cell must be able to fall: to ``value - p``, or to what the pattern alone
        implies (1 per suppressed interior cell of its span plus its published ones). All non-zero
        interior cells under a primary marginal are primary themselves, so this does not change as
        secondary cells are added."""
        span = tuple(slice(0, n) if c == n else c for c, n in zip(cell, self.totals, strict=True))
        floor = int(np.where(self.suppressed[span] & ~self.known[span], self.lbs[span], self.ext[span]).sum())
        value = int(self.ext[cell])
        return value - max(value - self.protection, floor)

    def run(self) -> int:
        self.initial()
        return self.refine()

    def initial(self) -> None:
        """One cube (or a few) around every primary cell not yet protected by an earlier cube."""
        coords = np.argwhere(self.primary)
        # Interior cells first, then marginals with fewer summed axes; C order within.
        summed = (coords == np.array(self.totals)).sum(axis=1)
        for r in np.lexsort((np.arange(len(coords)), summed)):
            cell = tuple(int(c) for c in coords[r])
            if not self.done[cell]:
                self.cover(cell, self.protection, self.need_down(cell), require_new=False)

    def findings(self) -> list[_Finding]:
        """The attacker's findings on the current pattern. With known or hidden cells the zero rule
        holds only while the pattern withholds no zero: then every withheld cell this pattern decides
        is known to be at least 1, otherwise nothing is."""
        if not self.joint:
            return _findings(self.ext, self.suppressed, self.threshold, self.protection)
        zero_withheld = bool(np.any(self.suppressed & self.decided & (self.ext == 0)))
        lower = self.lbs.copy()
        facts = (
            np.zeros(self.ext.shape, dtype=bool) if self.at_least_one is None else self.at_least_one.copy()
        )
        if zero_withheld:
            lower[self.decided] = 0
        elif self.hidden.any():
            facts |= self.suppressed & self.decided & (self.ext > 0)
        return _findings(
            self.ext,
            self.suppressed,
            self.threshold,
            self.protection,
            known=self.known,
            lower=lower,
            at_least_one=facts,
            base_known=self.known | ((self.ext == 0) & ~self.zero_ok & ~self.hidden),
            base_at_least_one=facts,
            allow_given_away=self.allow_given_away,
            hidden=self.hidden,
            change_at_least_one=self.at_least_one,
        )

    def refine(self) -> int:
        """Audit and repair until the LP attacker finds nothing; returns the number of audits."""
        rounds = 0
        while True:
            rounds += 1
            findings = self.findings()
            if not findings:
                return rounds
            if np.array_equal(
                self.suppressed, self.suppressed | (((self.ext > 0) | self.zero_ok) & ~self.known)
            ):
                raise DisclosureError(
                    "withholding every cell the audience does not know did not protect the table"
                )
            added = sum(self.repair(f) for f in findings)
            if added == 0:
                self.suppress_all()

    def repair(self, finding: _Finding) -> int:
        cell = tuple(int(c) for c in np.unravel_index(finding.ext_index, self.ext.shape))
        need_up = finding.required_upper - finding.value if finding.upper < finding.required_upper else 0.0
        need_down = finding.value - finding.required_lower if finding.lower > finding.required_lower else 0.0
        return self.cover(cell, need_up, need_down, require_new=True)


def _checked(threshold: int, protection: int | None) -> tuple[int, int]:
    if isinstance(threshold, bool) or int(threshold) != threshold or threshold < 0:
        raise DisclosureError("threshold must be a non-negative integer")
    p = max(int(threshold), 1) if protection is None else protection
    if isinstance(p, bool) or int(p) != p or p < 1:
        raise DisclosureError("protection must be a positive integer")
    return int(threshold), int(p)


def _mask(mask: np.ndarray | None, shape: tuple[int, ...], name: str) -> np.ndarray | None:
    if mask is None:
        return None
    array = np.asarray(mask)
    if array.dtype != bool or array.shape != shape:
        raise DisclosureError(f"{name} must be a boolean mask of the extended shape {shape}")
    return array


def protect(
    counts: np.ndarray,
    threshold: int = 5,
    *,
    protection: int | None = None,
    known: np.ndarray | None = None,
    allow_given_away: bool = False,
) -> SuppressionPattern:
    """Suppression pattern for a table of person counts and all of its marginal totals.

    Primary: every interior or marginal cell with ``0 < value < threshold``. Zeros are published.
    Secondary: further cells until, for every primary cell, the LP attacker's bounds satisfy
    ``upper >= value + p`` and ``lower <= max(value - p, floor)`` (see :func:`.attack.audit`), where
    ``p = protection`` (default: ``threshold``, at least 1).

    ``known`` (a boolean mask of the extended shape) marks cells the audience knows whatever is
    published: a panel's announced size, the cells an earlier pattern of the same table published.
    They are never withheld as secondaries and the attacker uses them. When they alone give a small
    count away (a known small cell; a panel of 5 whose size leaves each category under 5), no pattern
    can help: :class:`GivenAway` is raised, or with ``allow_given_away`` (what was published is out
    already) such cells are withheld from now on and the requirement on the others is capped at what
    the known cells leave open.
    """
    table = as_counts(counts)
    t, p = _checked(threshold, protection)
    ext = extend(table)
    known_mask = _mask(known, ext.shape, "known")
    if known_mask is not None and not allow_given_away and np.any(known_mask & (ext > 0) & (ext < t)):
        raise GivenAway([ext_to_key(c, table.shape) for c in np.argwhere(known_mask & (ext > 0) & (ext < t))])
    suppressor = _Suppressor(ext, t, p, known=known_mask, allow_given_away=allow_given_away)
    rounds = suppressor.run()
    return SuppressionPattern(
        shape=table.shape,
        extended=suppressor.suppressed,
        primary_extended=suppressor.primary | suppressor.given_away,
        threshold=t,
        protection=p,
        rounds=rounds,
    )
