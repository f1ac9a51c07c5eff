"""Turn a lottery over *type* panels (count vectors) into an exact lottery over concrete panels.

Within a type every member must end up with the same probability ``p_t = sum_P w_P c_P[t] / n_t``.
Per type we allocate to each member ``j`` and type panel ``P`` a share ``a_jP`` of the panel's weight
(``0 <= a_jP <= w_P``, ``sum_P a_jP = p_t``, ``sum_j a_jP = c_P[t] w_P``) greedily, member by member:
first the amounts the remaining members could not absorb (``max(0, R_P - (m-1) w_P)`` with ``R_P`` the
unallocated weight of panel ``P`` and ``m`` the members left), then the rest in panel order.  This keeps
``R_P <= m w_P`` and ``sum R = m p_t``, which (by a max-flow/min-cut argument with equal demands) suffices
for the remaining members, so the greedy never gets stuck.

Inside a panel ``P`` the members' fractions ``a_jP / w_P`` (each at most 1) are laid end to end over
``c_P[t]`` unit "seats" (McNaughton's wrap-around rule): a member never occupies two seats at the same
moment.  Local time ``[0, 1)`` of ``P`` is cut at every seat boundary of every type; each piece is one
concrete panel with weight ``w_P`` times the piece's length.  The number of concrete panels is about the
number of type panels plus the number of fractional allocations, i.e. of the order of the pool size.
"""

from __future__ import annotations

import numpy as np

from .model import Types

MERGE = 1e-10  # breakpoints closer than this are merged (pieces this small carry no weight to speak of)


def _allocate(weights: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    """Shares ``a[j, k]`` as fractions of panel ``k``'s weight for the ``n`` members of one type."""
    R = weights * counts
    p = R.sum() / n
    out = np.zeros((n, len(weights)))
    for j in range(n):
        m = n - j
        if m == 1:
            a = np.clip(R, 0.0, None)
        else:
            forced = np.clip(R - (m - 1) * weights, 0.0, None)
            r = max(p - forced.sum(), 0.0)
            avail = np.clip(np.minimum(weights, R) - forced, 0.0, None)
            before = np.cumsum(avail) - avail
            a = forced + np.clip(r - before, 0.0, avail)
        R = R - a
        out[j] = a / weights
    return np.clip(out, 0.0, 1.0)


def expand(
    types: Types, type_panels: list[tuple[float, np.ndarray]]
) -> tuple[tuple[tuple[str, ...], ...], tuple[float, ...]]:
    people = types.instance.people
    K = len(type_panels)
    w = np.array([wk for wk, _ in type_panels])
    C = np.array([c for _, c in type_panels], dtype=int).reshape(K, types.count)
    # per panel: list of (member indices, cumulative seat ends) for each type present
    layout: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(K)]
    for t in range(types.count):
        ks = np.flatnonzero(C[:, t])
        if len(ks) == 0:
            continue
        members = np.asarray(types.members[t])
        n = len(members)
        if n == 1 or bool((C[ks, t] == n).all()):
            for kp in ks:
                layout[kp].append((members, np.arange(1, n + 1, dtype=float)))
            continue
        shares = _allocate(w[ks], C[ks, t].astype(float), n)
        for col, kp in enumerate(ks):
            f = shares[:, col]
            on = np.flatnonzero(f > 0)
            cum = np.cumsum(f[on])
            c = C[kp, t]
            assert abs(cum[-1] - c) < 1e-6, "seat allocation does not add up"
            cum[-1] = c
            layout[kp].append((members[on], cum))
    merged: dict[tuple[int, ...], float] = {}
    for k in range(K):
        cuts = [0.0, 1.0]
        for _, cum in layout[k]:
            frac = cum - np.floor(cum)
            cuts.extend(frac[(frac > MERGE) & (frac < 1 - MERGE)].tolist())
        cuts.sort()
        points = [cuts[0]]
        for b in cuts[1:]:
            if b - points[-1] > MERGE:
                points.append(b)
        if points[-1] < 1.0:
            points[-1] = 1.0
        bounds = np.array(points)
        mids = (bounds[:-1] + bounds[1:]) / 2
        lengths = np.diff(bounds)
        chosen = np.empty((len(mids), types.instance.size), dtype=int)
        col = 0
        for members, cum in layout[k]:
            seats = round(float(cum[-1]))
            pos = np.arange(seats)[None, :] + mids[:, None]
            idx = np.minimum(np.searchsorted(cum, pos, side="right"), len(cum) - 1)
            chosen[:, col : col + seats] = members[idx]
            col += seats
        assert col == types.instance.size
        chosen.sort(axis=1)
        for row, length in zip(chosen, lengths, strict=True):
            key = tuple(int(i) for i in row)
            merged[key] = merged.get(key, 0.0) + float(w[k] * length)
    keys = sorted(merged)
    total = sum(merged.values())
    panels = tuple(tuple(people[i] for i in key) for key in keys)
    weights = tuple(merged[key] / total for key in keys)
    for key in keys:
        assert len(set(key)) == len(key), "a concrete panel repeats a person"
    return panels, weights
