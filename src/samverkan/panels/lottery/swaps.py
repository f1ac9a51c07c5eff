"""A fast pricing heuristic: steepest-ascent local search over single swaps of panel members.

Given type weights ``w`` and a feasible panel (type counts ``c``), repeatedly replace one member of type
``a`` by one of type ``b`` (a type with room left, whose household is free) when every quota stays within
bounds and ``w[b] > w[a]``, taking the best such swap each time.  Used before the exact pricing MIP in the
fallback stages of :mod:`.leximin`; the MIP is still solved whenever the heuristic finds nothing, so it never
affects exactness, only speed.
"""

from __future__ import annotations

import numpy as np

from .model import Types


class SwapSearch:
    def __init__(self, types: Types) -> None:
        self.T = types.count
        features = list(dict.fromkeys(q.feature for q, _ in types.quota_rows))
        self.Q = len(types.quota_rows)
        self.value = np.zeros((self.T, len(features)), dtype=int)  # quota row index per type and feature
        self.matrix = np.zeros((self.Q, self.T))
        for k, (q, ts) in enumerate(types.quota_rows):
            f = features.index(q.feature)
            self.value[ts, f] = k
            self.matrix[k, ts] = 1.0
        self.mins = np.array([q.min for q, _ in types.quota_rows])
        self.maxs = np.array([q.max for q, _ in types.quota_rows])
        self.household = np.full(self.T, -1)
        for h, ts in enumerate(types.household_rows):
            self.household[ts] = h
        self.H = len(types.household_rows)

    def improve(
        self, counts: np.ndarray, weights: np.ndarray, upper: np.ndarray, max_steps: int = 200
    ) -> np.ndarray:
        c = counts.copy()
        load = (self.matrix @ c).round().astype(int)
        occupied = np.zeros(self.H + 1, dtype=bool)
        for _ in range(max_steps):
            occupied[:] = False
            hh_in = self.household[(c > 0) & (self.household >= 0)]
            occupied[hh_in] = True
            can_dec = load - 1 >= self.mins
            can_inc = load + 1 <= self.maxs
            a_idx = np.flatnonzero(c > 0)
            room = c < upper
            room &= ~occupied[self.household] | (self.household < 0)
            va = self.value[a_idx]  # (A, F)
            same = va[:, None, :] == self.value[None, :, :]  # (A, T, F)
            ok = (same | (can_dec[va][:, None, :] & can_inc[self.value][None, :, :])).all(axis=2)
            # a and b in the same household: removing a frees the household for b
            same_home = (self.household[a_idx][:, None] == self.household[None, :]) & (
                self.household[None, :] >= 0
            )
            ok &= room[None, :] | (same_home & (c[None, :] < upper[None, :]))
            gain = np.where(ok, weights[None, :] - weights[a_idx][:, None], -np.inf)
            best = int(np.argmax(gain))
            i, b = divmod(best, self.T)
            if gain[i, b] <= 1e-12:
                break
            a = int(a_idx[i])
            c[a] -= 1
            c[b] += 1
            load[self.value[a]] -= 1
            load[self.value[b]] += 1
        return c
