"""The Sortition Foundation's greedy "legacy" selection, and its empirical lottery.

One run: delete everyone in a category (feature value) with ``max = 0``; then, ``size`` times, take the
category with the largest ratio ``(min - selected) / remaining`` (first in quota order on ties; categories
with nobody left are skipped), pick a uniformly random remaining person in it, remove them (and their
household) from the pool, and delete everyone left in any category of theirs that is now full.  The run
fails if some category can no longer reach its minimum or the pool runs dry; a failed run is retried (up to
``ATTEMPTS`` times) with the same random stream continuing.  A finished panel is checked against every quota.

The legacy method gives no closed-form probabilities, so :func:`find_legacy` repeats it ``runs`` times
(default ``LEGACY_RUNS = 1000``) with seeds derived from the input: run ``i`` uses Python's
``random.Random`` seeded with the integer of ``SHA-256("legacy:{input sha256}:{i}")``.  The lottery is the
empirical one (each distinct panel weighted ``count / successful runs``); probabilities carry sampling error
of about ``sqrt(p (1 - p) / runs)``.
"""

from __future__ import annotations

import hashlib
import random
import time

import numpy as np

from .feasibility import check_feasible
from .model import Distribution, Instance, LotteryTimeout, selection_probabilities

LEGACY_RUNS = 1000
ATTEMPTS = 100


class _Pool:
    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        people = instance.people
        self.quotas = instance.quotas
        self.member = np.array(
            [[instance.features[p][q.feature] == q.value for p in people] for q in self.quotas], dtype=bool
        )
        self.counting = self.member.astype(np.int64)
        self.mins = np.array([q.min for q in self.quotas])
        self.maxs = np.array([q.max for q in self.quotas])
        self.cats_of = [np.flatnonzero(self.member[:, i]) for i in range(len(people))]
        if instance.households is None:
            self.housemates: list[np.ndarray] = [np.array([i]) for i in range(len(people))]
        else:
            homes: dict[str, list[int]] = {}
            for i, p in enumerate(people):
                homes.setdefault(instance.households[p], []).append(i)
            self.housemates = [np.array(homes[instance.households[p]]) for p in people]

    def run_once(self, rng: random.Random) -> list[int] | None:
        remaining = np.ones(len(self.instance.people), dtype=bool)
        selected = np.zeros(len(self.quotas), dtype=int)
        for empty in np.flatnonzero(self.maxs == 0):
            remaining &= ~self.member[empty]
        chosen: list[int] = []
        for _ in range(self.instance.size):
            left = self.counting @ remaining.astype(np.int64)
            need = self.mins - selected
            if (left < need).any():
                return None
            usable = (left > 0) & (self.maxs > 0)
            if not usable.any():
                return None
            ratio = np.where(usable, need / np.maximum(left, 1), -np.inf)
            k = int(np.argmax(ratio))
            candidates = np.flatnonzero(self.member[k] & remaining)
            person = int(candidates[rng.randrange(len(candidates))])
            chosen.append(person)
            remaining[self.housemates[person]] = False
            cats = self.cats_of[person]
            selected[cats] += 1
            for c in cats:
                if selected[c] >= self.maxs[c]:
                    remaining &= ~self.member[c]
        if ((selected < self.mins) | (selected > self.maxs)).any():
            return None
        return chosen

    def run(self, rng: random.Random) -> list[int] | None:
        for _ in range(ATTEMPTS):
            panel = self.run_once(rng)
            if panel is not None:
                return panel
        return None


def run_seed(input_sha: str, i: int) -> int:
    return int.from_bytes(hashlib.sha256(f"legacy:{input_sha}:{i}".encode()).digest(), "big")


def find_legacy(
    instance: Instance, *, runs: int = LEGACY_RUNS, time_limit: float | None = None
) -> Distribution:
    start = time.monotonic()
    if runs < 1:
        raise ValueError("legacy needs at least one run")
    check_feasible(instance)
    pool = _Pool(instance)
    sha = instance.sha256()
    counts: dict[tuple[int, ...], int] = {}
    failed = 0
    for i in range(runs):
        if time_limit is not None and time.monotonic() - start > time_limit:
            raise LotteryTimeout(f"legacy did not finish {runs} runs within {time_limit} s")
        panel = pool.run(random.Random(run_seed(sha, i)))  # noqa: S311 - a lottery simulation, not crypto
        if panel is None:
            failed += 1
            continue
        key = tuple(sorted(panel))
        counts[key] = counts.get(key, 0) + 1
    done = runs - failed
    if done == 0:
        raise RuntimeError(f"the legacy greedy failed in all {runs} runs ({ATTEMPTS} attempts each)")
    keys = sorted(counts)
    people = instance.people
    panels = tuple(tuple(people[i] for i in key) for key in keys)
    weights = tuple(counts[key] / done for key in keys)
    probabilities = selection_probabilities(people, panels, weights)
    return Distribution(
        algorithm="legacy",
        panels=panels,
        weights=weights,
        probabilities=probabilities,
        seconds=time.monotonic() - start,
        stats={"runs": runs, "failed_runs": failed, "distinct_panels": len(panels)},
    )
