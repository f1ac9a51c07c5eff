"""Counts of persons over overlapping groups, published in releases to organisations that know their
own contributions. Pure: NumPy and the standard library, no Django.

The setting
    A *block* (for example a year) holds persons contributed by several *contributors* (for example
    municipalities). Per block a release publishes the number of persons and a set of *figures*:
    counts of persons with a characteristic. Figures may nest (``Layout.parent``: everyone counted in a
    child is counted in its parent), and a parent may be *exhaustive*: exactly the persons counted in at
    least one of its children ("any need" over the need codes). Every contributor sees every release
    and knows its own contribution to every figure exactly, so for a contributor the release is a
    table of *the others'* counts: the published figure minus its own. Releases follow each other, and
    whoever kept the previous ones can subtract them too.

The rule (threshold ``t``; ``small(x)`` means ``0 < |x| < t``)
    The *audiences* are: nobody in particular (the published counts themselves), each contributor,
    and any groups of contributors the caller names (for example municipalities served by one
    person). For an audience ``A``, ``n_A`` is the others' persons and ``x_A`` a figure's others'
    count in the block. A block is published afresh ("fresh") only when, for every audience,

    * ``n_A`` is not small (0 persons, or at least ``t``), and
    * ``n_A`` did not change by a small amount since any earlier release that published the block
      afresh.

    Otherwise the block is *stale*: it shows exactly what its newest fresh release showed, with that
    release's number (nothing new can be learnt from it), or it is left out if it never was fresh. In
    a fresh block a figure with a total of 0 is always published ("nobody" identifies no one, and so
    a withheld figure is known to be at least 1). Any other figure is withheld when, for some
    audience, what that audience then knows (see *Derivations*) breaks one of:

    * level, in this release: ``x_A`` small; ``x_A > 0`` and ``n_A - x_A < t`` (all or nearly all of
      the others have it); an ancestor ``a`` known with ``a_A - x_A`` small (a parent less a child is
      a count of persons too). On that last rule the child is withheld and the parent kept.
    * time, against every earlier fresh release ``r`` of the block where the figure is known:
      ``d = x_A - x_A(r)`` small; ``d > 0`` and ``0 <= dn - d < t`` for ``dn = n_A - n_A(r)`` (all or
      nearly all of the persons added since have it); an ancestor known in both with a small
      ``(a_A - a_A(r)) - d``.

    A withheld figure stays withheld, release after release, until it passes, because every later
    release is checked against the last one that published it (and every earlier one).

Derivations (what an audience can bound)
    An audience knows more than the published figures: every count of persons is at least 0, a
    child is at most its parent, a parent at most the persons, an exhaustive parent at most the sum
    of its children, a withheld figure is at least 1 (zeros are published) less the audience's own,
    and persons are added, not removed, so no count of persons goes down from one release to the
    next (the persons added are a group of their own with the same structure). Over the newest
    ``window`` fresh releases of the block and this one, the rule propagates these inequalities to
    bounds on every figure of every release, per audience (bounds propagation, the integer form of
    an LP attacker's reasoning, without the LP), and applies the checks above to what is *pinned*:
    a small count whose upper bound is under ``t`` or whose bounds meet, a count of persons without
    a characteristic that is exact (or at least ``t`` known to have it and fewer than ``t`` left), and
    the same for changes and ancestor differences. Ties (every child but one known to be 0, so the
    parent equals that child), counts unchanged between two releases (so unchanged in between) and a
    figure published after being withheld (so its change is at most the new value less 1) are all
    found this way. A bound that makes a check fail withholds the figure of this release that gives
    it (reason ``DERIVABLE`` when it is not the failing figure itself), and the bounds are
    recomputed; if nothing can be withheld the block stays stale (``UNSAFE``). Bounds an audience had
    before this release are not counted against it. Figures published before the window are still
    checked directly (the change since each of them).

    An audience whose counts went down (a correction) finds that "added only" contradicts what it
    sees; for it only the direct checks apply.

Why these checks
    Within one group of persons and one family of figures (a parent and its children), the attacker's
    knowledge is exactly ``0 <= child <= parent <= persons`` and, for an exhaustive parent,
    ``parent <= sum(children)``: any integers satisfying that are the counts of some set of persons.
    The persons added between two releases are such a group too. So what can be pinned is a figure,
    a figure's complement (the persons, or an ancestor, less the figure) or the same over the persons
    added, exactly the quantities checked, once the bounds above are taken into account; sums of
    published counts over disjoint groups (other years) are never small when each part is 0 or at
    least ``t``. Different families over the same persons (for example needs *flagged* by the agency
    and needs *observed* by the municipality) are independent given the number of persons: any two
    distributions with the same total can belong to the same persons, so their differences say
    nothing about any group of persons (``flagged - observed`` is the difference of two overlapping
    groups, not a count) and no check across families is needed.

Sources
    Hundepool et al., *Statistical Disclosure Control*, Wiley 2012: ch. 5 (frequency tables: the
    threshold rule, group attribute disclosure when all or nearly all of a group share a value, and
    disclosure by differencing overlapping tables), and ch. 4 (the sensitivity rules of magnitude
    tables, (n, k)-dominance and p %, whose intruder is a contributor who subtracts its own
    contribution from the published total; here every contributor is such an intruder). The
    successive releases are treated as linked tables, protected together: tau-ARGUS protects linked
    tables jointly, and sdcTable's ``protectLinkedTables`` requires a cell common to two tables to
    have the same status in both (here: a year held at an earlier release shows exactly that
    release; a figure withheld for its change stays withheld until the change is large enough).
    This module is a rule with bounds propagation, not an optimiser or an exact LP audit: it
    withholds more than an exact method would, bounds propagation can be weaker than the LP over
    long chains, and its guarantee is checked by an independent integer attacker in the tests
    (``tests/security/test_disclosure_dashboard.py``).

Limits
    * Coalitions of contributors are covered only where the caller names them as audiences, and only
      from the release on in which they are named: earlier releases were not protected for them.
    * The attacker is assumed to know the rule but not to reason from which figures are withheld or
      which blocks are stale (as for :func:`protect`): a stale block says that something changed.
    * Derivations are searched within the newest ``window`` fresh releases of a block (default 6);
      against older ones only the direct change of each figure is checked.
    * Corrections (a count going down) get the direct checks; the "nearly all of the persons added"
      rule is about additions.
    * Reasons are internal codes (``Reason``); they must not be shown to audiences, since "changed by
      a small amount" is itself a small count.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

__all__ = [
    "BlockState",
    "Contribution",
    "Layout",
    "Reason",
    "Release",
    "Shown",
    "next_release",
]


class BlockState(StrEnum):
    FRESH = "fresh"  # computed from this release's contributions
    STALE = "stale"  # shows what the newest fresh release of the block showed (``Shown.as_of``)
    WITHHELD = "withheld"  # not shown


class Reason(StrEnum):
    """Why a block is not fresh, or a figure is withheld. Internal: never shown to an audience."""

    EMPTY = "empty"  # no persons
    PERSONS_SMALL = "persons_small"  # some audience's others are 1 .. t-1 persons
    PERSONS_CHANGED = "persons_changed"  # ... changed by 1 .. t-1 since a fresh release
    UNSAFE = "unsafe"  # no set of figures could be published without a derivation
    SMALL = "small"
    COMPLEMENT = "complement"  # all or nearly all of the others have it
    NESTED = "nested"  # an ancestor less the figure is small
    CHANGED = "changed"  # changed by a small amount since a release where it was known
    CHANGED_COMPLEMENT = "changed_complement"  # all or nearly all of the persons added have it
    CHANGED_NESTED = "changed_nested"  # the change of an ancestor less its own change is small
    DERIVABLE = "derivable"  # publishing it would let an audience derive a withheld figure


@dataclass(frozen=True)
class Layout:
    """The figures of a block, in display order, and how they nest.

    ``parent[f]`` is the figure that counts everyone ``f`` counts (and maybe more); a figure without
    a parent is nested in the block's persons. A parent in ``exhaustive`` counts exactly the persons
    counted by at least one of its children."""

    figures: tuple[str, ...]
    parent: Mapping[str, str] = field(default_factory=dict)
    exhaustive: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        names = set(self.figures)
        if len(names) != len(self.figures):
            raise ValueError("figure names must be unique")
        for child, parent in self.parent.items():
            if child not in names or parent not in names:
                raise ValueError(f"unknown figure in parent {child!r} -> {parent!r}")
        for f in self.figures:
            seen = {f}
            g = f
            while g in self.parent:
                g = self.parent[g]
                if g in seen:
                    raise ValueError(f"figures nest in a cycle through {f!r}")
                seen.add(g)
        for p in self.exhaustive:
            if p not in names or not self.children(p):
                raise ValueError(f"exhaustive figure {p!r} has no children")

    def children(self, figure: str) -> tuple[str, ...]:
        return tuple(f for f in self.figures if self.parent.get(f) == figure)

    def ancestors(self, figure: str) -> tuple[str, ...]:
        out = []
        g = figure
        while g in self.parent:
            g = self.parent[g]
            out.append(g)
        return tuple(out)


@dataclass(frozen=True)
class Contribution:
    """What one contributor contributes to one block: its persons and, per figure, how many of them
    it counts (a missing figure is 0)."""

    persons: int
    counts: Mapping[str, int] = field(default_factory=dict)


# block -> contributor -> contribution (any hashable keys: years, kommunkoder, ...)
Snapshot = Mapping[Any, Mapping[Any, Contribution]]


@dataclass(frozen=True)
class Shown:
    """What a release shows for one block. ``as_of`` is the number of the release whose data are
    shown; ``figures`` maps every figure to its published total or ``None`` (withheld).
    ``reasons`` (why the block is not fresh) and ``withheld`` (why each figure is withheld) are
    internal."""

    state: BlockState
    as_of: int | None = None
    persons: int | None = None
    contributors: int = 0
    figures: Mapping[str, int | None] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()
    withheld: Mapping[str, tuple[Reason, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Release:
    """One release: the contributions it was computed from (internal) and what it shows per block."""

    number: int
    snapshot: Snapshot
    blocks: Mapping[Any, Shown]


def next_release(
    number: int,
    snapshot: Snapshot,
    history: Sequence[Release],
    *,
    layout: Layout,
    threshold: int,
    audiences: Iterable[Iterable[Hashable]] = (),
    window: int = 6,
) -> Release:
    """The release ``number`` computed from ``snapshot``, protected together with ``history`` (every
    earlier release, in any order; numbers must be smaller than ``number``).

    ``audiences`` are groups of contributors that are known to pool their knowledge (each
    contributor alone, and nobody, are always audiences)."""
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")
    past = sorted(history, key=lambda r: r.number)
    if past and past[-1].number >= number:
        raise ValueError("a release must have a larger number than every earlier one")
    _validate(snapshot, layout)
    groups = [frozenset(g) for g in audiences]
    blocks: dict[Hashable, Shown] = {}
    keys = list(snapshot) + [b for r in past for b in r.blocks if b not in snapshot]
    for block in dict.fromkeys(keys):
        fresh = [
            (r.number, r.snapshot.get(block, {}), r.blocks[block])
            for r in past
            if block in r.blocks and r.blocks[block].state == BlockState.FRESH
        ]
        blocks[block] = _Block(
            number, snapshot.get(block, {}), fresh, layout, threshold, groups, window
        ).decide()
    return Release(number=number, snapshot=snapshot, blocks=blocks)


# --- internals ---------------------------------------------------------------------------------------


def _validate(snapshot: Snapshot, layout: Layout) -> None:
    names = set(layout.figures)
    for block, contributions in snapshot.items():
        for who, c in contributions.items():
            unknown = set(c.counts) - names
            if unknown:
                raise ValueError(f"{block!r}/{who!r}: unknown figures {sorted(unknown)}")
            if c.persons < 0 or any(v < 0 for v in c.counts.values()):
                raise ValueError(f"{block!r}/{who!r}: negative count")
            for f in layout.figures:
                v = c.counts.get(f, 0)
                limit = c.counts.get(layout.parent[f], 0) if f in layout.parent else c.persons
                if v > limit:
                    raise ValueError(f"{block!r}/{who!r}: {f!r} counts more than its parent")
            for p in layout.exhaustive:
                if c.counts.get(p, 0) > sum(c.counts.get(ch, 0) for ch in layout.children(p)):
                    raise ValueError(f"{block!r}/{who!r}: {p!r} counts persons none of its children counts")


def _small(x: np.ndarray, t: int) -> np.ndarray:
    a = np.abs(x)
    return (a > 0) & (a < t)


def _narrow(lo: np.ndarray, hi: np.ndarray, t: int) -> np.ndarray:
    """Whether bounds on a difference of counts (a parent less a child) give it away: exact, or
    known to be at least 1 and under ``t``. (Only an upper bound under ``t`` is no disclosure here:
    in a group of ``t`` persons one of whom is known to have a need, every other count is below
    ``t``.)"""
    return (lo == hi) | ((lo >= 1) & (hi < t))


# Check kinds: single figure in one release, single figure over two, figure and ancestor.
_LEVEL, _COMPLEMENT, _NESTED, _CHANGED, _CHANGED_COMPLEMENT, _CHANGED_NESTED = range(6)
_REASON = {
    _LEVEL: Reason.SMALL,
    _COMPLEMENT: Reason.COMPLEMENT,
    _NESTED: Reason.NESTED,
    _CHANGED: Reason.CHANGED,
    _CHANGED_COMPLEMENT: Reason.CHANGED_COMPLEMENT,
    _CHANGED_NESTED: Reason.CHANGED_NESTED,
}


class _Structure:
    """Index arithmetic for one block: columns 0..F-1 are the figures, column F the persons. The
    *forms* are the counts of persons that are linear in one release's columns: each figure, the
    persons less a figure, an ancestor less a figure, an exhaustive parent's children less the
    parent (the persons with more than one of them, counted with multiplicity), and the persons."""

    def __init__(self, layout: Layout) -> None:
        self.figures = layout.figures
        self.F = F = len(layout.figures)
        self.C = F + 1
        index = {f: i for i, f in enumerate(layout.figures)}
        self.parent = [index[layout.parent[f]] if f in layout.parent else None for f in layout.figures]
        self.ancestors = [tuple(index[a] for a in layout.ancestors(f)) for f in layout.figures]
        self.children = [tuple(index[c] for c in layout.children(f)) for f in layout.figures]
        self.families = [
            (index[p], self.children[index[p]]) for p in layout.figures if p in layout.exhaustive
        ]
        forms: list[dict[int, int]] = [{f: 1} for f in range(F)]  # form f is figure f itself
        forms += [{F: 1, f: -1} for f in range(F)]
        forms += [{a: 1, f: -1} for f in range(F) for a in self.ancestors[f]]
        forms += [{**dict.fromkeys(ch, 1), p: -1} for p, ch in self.families]
        forms += [{F: 1}]  # the persons
        self.forms = forms
        self.population = len(forms) - 1


_BIG = 1 << 40  # "no upper bound" (far above any count, and sums of a few stay exact in float64)


class _Constraints:
    """The attacker's knowledge of the structure, as sparse rows ``sum(coef * node) >= 0`` over the
    nodes of ``R1`` releases (node ``i * C + col``): every form (a count of persons) is at least 0 in
    every release and did not go down between any two (persons are added, not removed)."""

    def __init__(self, st: _Structure, R1: int) -> None:
        rows: list[int] = []
        cols: list[int] = []
        coefs: list[int] = []
        r = 0
        C = st.C
        for i in range(R1):
            for q, form in enumerate(st.forms):
                if q == st.population:
                    continue
                for col, coef in form.items():
                    rows.append(r)
                    cols.append(i * C + col)
                    coefs.append(coef)
                r += 1
        for i in range(R1):
            for j in range(i + 1, R1):
                for form in st.forms:
                    for col, coef in form.items():
                        rows += [r, r]
                        cols += [j * C + col, i * C + col]
                        coefs += [coef, -coef]
                    r += 1
        self.n_rows = r
        self.rows = np.array(rows, dtype=np.int64)
        self.cols = np.array(cols, dtype=np.int64)
        self.coefs = np.array(coefs, dtype=np.int64)

    def propagate(self, lo: np.ndarray, hi: np.ndarray, rounds: int = 200) -> tuple[np.ndarray, np.ndarray]:
        """Bounds propagation for every audience (rows of ``lo``/``hi``, shape (A, N)): each
        constraint bounds each of its nodes by the others' bounds, until nothing moves."""
        lo = lo.astype(np.int64).copy()
        hi = hi.astype(np.int64).copy()
        A, N = lo.shape
        if A == 0 or not len(self.rows):
            return lo, hi
        pos = self.coefs > 0
        offsets = (np.arange(A, dtype=np.int64) * N)[:, None]
        row_index = (np.arange(A, dtype=np.int64) * self.n_rows)[:, None] + self.rows[None, :]
        flat_pos = (offsets + self.cols[None, :])[:, pos].ravel()
        flat_neg = (offsets + self.cols[None, :])[:, ~pos].ravel()
        for _ in range(rounds):
            take = np.where(pos[None, :], hi[:, self.cols], lo[:, self.cols])
            contrib = self.coefs[None, :] * take
            rowmax = np.bincount(
                row_index.ravel(), weights=contrib.ravel().astype(np.float64), minlength=A * self.n_rows
            )
            rest = rowmax[row_index] - contrib  # the most the other nodes of the row can add
            bound = np.rint(-rest / self.coefs[None, :]).astype(np.int64)  # coefficients are +-1
            flat_lo = lo.ravel().copy()
            flat_hi = hi.ravel().copy()
            np.maximum.at(flat_lo, flat_pos, bound[:, pos].ravel())
            np.minimum.at(flat_hi, flat_neg, bound[:, ~pos].ravel())
            new_lo = flat_lo.reshape(A, N)
            new_hi = np.minimum(flat_hi.reshape(A, N), _BIG)
            if np.array_equal(new_lo, lo) and np.array_equal(new_hi, hi):
                break
            lo, hi = new_lo, new_hi
        return lo, hi


class _Block:
    def __init__(
        self,
        number: int,
        current: Mapping[Hashable, Contribution],
        fresh: list[tuple[int, Mapping[Hashable, Contribution], Shown]],
        layout: Layout,
        threshold: int,
        groups: list[frozenset[Hashable]],
        window: int,
    ) -> None:
        self.number = number
        self.layout = layout
        self.t = threshold
        self.st = st = _Structure(layout)
        # Consecutive fresh releases with the same data and the same figures add nothing.
        kept: list[tuple[int, Mapping[Hashable, Contribution], Shown]] = []
        for entry in fresh:
            if kept and kept[-1][1] == entry[1] and dict(kept[-1][2].figures) == dict(entry[2].figures):
                kept[-1] = entry
            else:
                kept.append(entry)
        self.latest = fresh[-1][2] if fresh else None
        who = sorted({c for _, s, _ in kept for c in s} | set(current), key=str)
        audiences: list[frozenset[Hashable]] = [frozenset()] + [frozenset({c}) for c in who]
        members = set(who)
        for g in groups:
            g = g & members
            if len(g) > 1 and g not in audiences:
                audiences.append(g)
        self.audiences = audiences
        R1 = len(kept) + 1
        X = np.zeros((R1, len(who), st.C), dtype=np.int64)
        for i, snap in enumerate([s for _, s, _ in kept] + [current]):
            for k, c in enumerate(who):
                contribution = snap.get(c)
                if contribution is None:
                    continue
                X[i, k, st.F] = contribution.persons
                for f, name in enumerate(layout.figures):
                    X[i, k, f] = contribution.counts.get(name, 0)
        M = np.array([[c in a for c in who] for a in audiences], dtype=np.int64).reshape(len(audiences), -1)
        self.total = X.sum(axis=1)  # (R1, C)
        self.values = self.total[None, :, :] - np.einsum("ak,ikc->aic", M, X)  # (A, R1, C): the others'
        self.history = np.array(
            [[s.figures.get(f) is not None for f in st.figures] + [True] for _, _, s in kept], dtype=bool
        ).reshape(R1 - 1, st.C)
        self.contributors = int((X[-1, :, st.F] > 0).sum())
        self.R = R1 - 1  # index of this release
        self.W = min(window, self.R)  # earlier fresh releases searched for derivations

    # -- block -------------------------------------------------------------------------------------
    def _not_fresh(self, reasons: list[Reason]) -> Shown:
        if self.latest is None or Reason.EMPTY in reasons:
            return Shown(state=BlockState.WITHHELD, reasons=tuple(reasons))
        last = self.latest
        return Shown(
            state=BlockState.STALE,
            as_of=last.as_of,
            persons=last.persons,
            contributors=last.contributors,
            figures=dict(last.figures),
            reasons=tuple(reasons),
        )

    def decide(self) -> Shown:
        st, t, R = self.st, self.t, self.R
        if self.total[R, st.F] == 0:
            return self._not_fresh([Reason.EMPTY])
        n = self.values[:, :, st.F]
        reasons = []
        if _small(n[:, R], t).any():
            reasons.append(Reason.PERSONS_SMALL)
        if R and _small(n[:, R : R + 1] - n[:, :R], t).any():
            reasons.append(Reason.PERSONS_CHANGED)
        if reasons:
            return self._not_fresh(reasons)
        decided = self._figures()
        if decided is None:
            return self._not_fresh([Reason.UNSAFE])
        figures, withheld = decided
        return Shown(
            state=BlockState.FRESH,
            as_of=self.number,
            persons=int(self.total[R, st.F]),
            contributors=self.contributors,
            figures=figures,
            withheld=withheld,
        )

    # -- figures -----------------------------------------------------------------------------------
    def _initial(self, known: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
        """The attacker's starting bounds on the releases ``first..`` (known: the exact value; a
        withheld figure: its total is at least 1, so the others' count is at least 1 - own)."""
        last = first + known.shape[0]
        V = self.values[:, first:last, :]
        total = self.total[None, first:last, :]
        lo = np.where(known[None], V, np.maximum(0, 1 - (total - V)))
        hi = np.where(known[None], V, _BIG)
        return lo, hi

    def _figures(self) -> tuple[dict[str, int | None], dict[str, tuple[Reason, ...]]] | None:
        st, R, W = self.st, self.R, self.W
        zero_total = self.total[R, : st.F] == 0
        first = R - W  # the window: releases first..R (R is this one)
        full = _Constraints(st, W + 1)
        if W:
            past = _Constraints(st, W)
            lo0, hi0 = self._initial(self.history[first:], first)
            A0 = lo0.shape[0]
            base_lo, base_hi = past.propagate(lo0.reshape(A0, -1), hi0.reshape(A0, -1))
            base_lo = base_lo.reshape(len(self.audiences), W, st.C)
            base_hi = base_hi.reshape(len(self.audiences), W, st.C)
        published = ~np.zeros(st.F, dtype=bool)
        reasons: dict[int, list[Reason]] = {}
        fallback = False
        while True:
            known = np.vstack([self.history, np.append(published, True)[None, :]])
            lo, hi = self._initial(known[first:], first)
            A = lo.shape[0]
            lo, hi = full.propagate(lo.reshape(A, -1), hi.reshape(A, -1))
            lo = lo.reshape(A, W + 1, st.C)
            hi = hi.reshape(A, W + 1, st.C)
            new = np.ones_like(lo, dtype=bool)
            if W:
                new[:, :W] = (lo[:, :W] != base_lo) | (hi[:, :W] != base_hi)
            primary: dict[int, Reason] = {}
            secondary: dict[int, Reason] = {}
            stuck = False
            checks = list(self._violations(known, first, lo, hi, new))
            checks += list(self._direct(published, first))
            for kind, nodes, failing in checks:
                stuck |= not self._act(kind, nodes, failing, known, published, zero_total, primary, secondary)
            if primary:
                actions = primary
            elif secondary:
                actions = secondary
            elif stuck:
                if fallback:
                    return None
                fallback = True
                actions = {f: Reason.DERIVABLE for f in range(st.F) if published[f] and not zero_total[f]}
                if not actions:
                    return None
            else:
                break
            for f, reason in actions.items():
                published[f] = False
                reasons.setdefault(f, []).append(reason)
        figures = {
            name: (int(self.total[R, f]) if published[f] else None) for f, name in enumerate(st.figures)
        }
        withheld = {st.figures[f]: tuple(dict.fromkeys(rs)) for f, rs in reasons.items() if not published[f]}
        return figures, withheld

    def _violations(
        self, known: np.ndarray, first: int, lo: np.ndarray, hi: np.ndarray, new: np.ndarray
    ) -> Iterable[tuple[int, list[tuple[int, int]], tuple[int, int]]]:
        """The checks on what each audience can bound (within the window) that fail for some
        audience, among those that involve a node whose bounds this release changes. Yields (kind,
        involved nodes, failing node), nodes as (release index, column)."""
        st, t = self.st, self.t
        V = self.values[:, first:, :]
        W1 = V.shape[1]
        # An audience whose counts went down (a correction) is not bound by "added only" reasoning:
        # for it only the direct checks apply.
        sane = ((lo <= V) & (hi >= V)).all(axis=(1, 2))
        exact = lo == hi
        n = V[:, :, st.F]
        for f in range(st.F):
            for i in range(W1):
                gi = first + i
                v = V[:, i, f]
                if (sane & new[:, i, f] & _small(v, t) & ((hi[:, i, f] < t) | exact[:, i, f])).any():
                    yield _LEVEL, [(gi, f)], (gi, f)
                c = n[:, i] - v
                nearly = exact[:, i, f] | ((lo[:, i, f] >= t) & (n[:, i] - lo[:, i, f] < t))
                if (sane & new[:, i, f] & (v > 0) & (c >= 0) & (c < t) & nearly).any():
                    yield _COMPLEMENT, [(gi, f)], (gi, f)
                for a in st.ancestors[f]:
                    q = V[:, i, a] - v
                    qlo = np.maximum(lo[:, i, a] - hi[:, i, f], 0)
                    qhi = hi[:, i, a] - lo[:, i, f]
                    involved = new[:, i, f] | new[:, i, a]
                    if (sane & involved & _small(q, t) & _narrow(qlo, qhi, t)).any():
                        yield _NESTED, [(gi, f), (gi, a)], (gi, f)
                for j in range(i + 1, W1):
                    gj = first + j
                    dlo, dhi = self._delta_bounds(lo, hi, V, f, i, j)
                    d = V[:, j, f] - v
                    involved = new[:, i, f] | new[:, j, f]
                    if (sane & involved & _small(d, t) & ((dhi < t) | (dlo == dhi))).any():
                        yield _CHANGED, [(gj, f), (gi, f)], (gj, f)
                    dn = n[:, j] - n[:, i]
                    nearly = (dlo == dhi) | ((dlo >= t) & (dn - dlo < t))
                    if (sane & involved & (d > 0) & (dn - d >= 0) & (dn - d < t) & nearly).any():
                        yield _CHANGED_COMPLEMENT, [(gj, f), (gi, f)], (gj, f)
                    for a in st.ancestors[f]:
                        alo, ahi = self._delta_bounds(lo, hi, V, a, i, j)
                        q = (V[:, j, a] - V[:, i, a]) - d
                        qlo = np.maximum(alo - dhi, 0)
                        qhi = ahi - dlo
                        inv = involved | new[:, i, a] | new[:, j, a]
                        if (sane & inv & _small(q, t) & _narrow(qlo, qhi, t)).any():
                            yield _CHANGED_NESTED, [(gj, f), (gi, f), (gj, a), (gi, a)], (gj, f)

    def _delta_bounds(
        self, lo: np.ndarray, hi: np.ndarray, V: np.ndarray, f: int, i: int, j: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bounds on the change of column ``f`` from release ``i`` to ``j`` (window indices): at least
        0 (added only), at most the change of every ancestor and of the persons."""
        st = self.st
        dlo = np.maximum(lo[:, j, f] - hi[:, i, f], 0)
        dhi = hi[:, j, f] - lo[:, i, f]
        for a in (*st.ancestors[f], st.F):
            dhi = np.minimum(dhi, hi[:, j, a] - lo[:, i, a])
        return dlo, np.maximum(dhi, dlo)

    def _direct(
        self, published: np.ndarray, first: int
    ) -> Iterable[tuple[int, list[tuple[int, int]], tuple[int, int]]]:
        """The time checks on published values against the fresh releases before the window."""
        st, t, R = self.st, self.t, self.R
        V = self.values
        n = V[:, :, st.F]
        for f in range(st.F):
            if not published[f]:
                continue
            for i in range(first):
                if not self.history[i, f]:
                    continue
                d = V[:, R, f] - V[:, i, f]
                dn = n[:, R] - n[:, i]
                if _small(d, t).any():
                    yield _CHANGED, [(R, f)], (R, f)
                if ((d > 0) & (dn - d >= 0) & (dn - d < t)).any():
                    yield _CHANGED_COMPLEMENT, [(R, f)], (R, f)
                for a in st.ancestors[f]:
                    if published[a] and self.history[i, a]:
                        da = V[:, R, a] - V[:, i, a]
                        if _small(da - d, t).any():
                            yield _CHANGED_NESTED, [(R, f), (R, a)], (R, f)

    def _act(
        self,
        kind: int,
        nodes: list[tuple[int, int]],
        failing: tuple[int, int],
        known: np.ndarray,
        published: np.ndarray,
        zero_total: np.ndarray,
        primary: dict[int, Reason],
        secondary: dict[int, Reason],
    ) -> bool:
        """Choose the figure(s) of this release to withhold for one failed check. Returns False when
        nothing of this release can be withheld for it."""
        R, st = self.R, self.st

        def can(col: int) -> bool:
            return col < st.F and bool(published[col]) and not zero_total[col]

        i, col = failing
        if i == R and known[i, col] and can(col):  # the plain rule on a figure of this release
            target = primary if kind in (_LEVEL, _COMPLEMENT, _CHANGED, _CHANGED_COMPLEMENT) else secondary
            target.setdefault(col, _REASON[kind])
            return True
        for i, c in nodes:  # another published figure of this release in the check
            if i == R and known[i, c] and can(c):
                secondary.setdefault(c, _REASON[kind] if c == col else Reason.DERIVABLE)
                return True
        # Only bounded (unpublished) nodes: withhold, in this release, the first of what bounds them:
        # the figure itself, its parent, its children, its siblings (the loop comes back if needed).
        for _, c in nodes:
            family = [c]
            parent = st.parent[c] if c < st.F else None
            if parent is not None:
                family.append(parent)
            family += list(st.children[c]) if c < st.F else []
            if parent is not None:
                family += [s for s in st.children[parent] if s != c]
            for other in family:
                if can(other):
                    secondary.setdefault(other, Reason.DERIVABLE)
                    return True
        return False
