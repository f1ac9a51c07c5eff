"""Synthetic lottery instances for tests and benchmarks.

Volunteer pools are skewed against the population the panel should mirror, as real pools are: every
feature's population shares are drawn from a Dirichlet distribution, and the pool's shares are the
population shares tilted by a log-normal factor (``skew``), so some values are over- and others
under-represented among volunteers; ground for settlement depends on the origin region.  Quotas are the
population shares rounded by :func:`quotas_from_shares` with ``tolerance`` seats either way.
"""

from __future__ import annotations

import numpy as np

from .model import Instance
from .quotas import quotas_from_shares

FEATURES: dict[str, list[str]] = {
    "region": [
        "Africa",
        "Asia",
        "EU",
        "Europe other",
        "Middle East",
        "North America",
        "South America",
        "Oceania",
    ],
    "sex": ["female", "male"],
    "ground": ["work", "family", "protection", "study"],
    "municipality": [f"M{i:02d}" for i in range(12)],
    "age": ["18-29", "30-44", "45-64", "65+"],
}


def synthetic_instance(
    pool: int,
    size: int,
    *,
    features: int = 4,
    tolerance: int = 1,
    skew: float = 0.6,
    households: bool = False,
    seed: int = 0,
) -> Instance:
    rng = np.random.default_rng(seed)
    names = list(FEATURES)[:features]
    population: dict[str, dict[str, float]] = {}
    pool_shares: dict[str, np.ndarray] = {}
    for name in names:
        values = FEATURES[name]
        share = rng.dirichlet(np.full(len(values), 3.0))
        population[name] = {v: float(s) for v, s in zip(values, share, strict=True)}
        tilted = share * np.exp(rng.normal(0.0, skew, len(values)))
        pool_shares[name] = tilted / tilted.sum()
    ground_by_region = {r: rng.dirichlet(np.full(4, 2.0)) for r in FEATURES["region"]}
    people = tuple(f"p{i:05d}" for i in range(pool))
    rows: dict[str, dict[str, str]] = {}
    for p in people:
        row: dict[str, str] = {}
        for name in names:
            values = FEATURES[name]
            probs = pool_shares[name]
            if name == "ground" and "region" in row:
                probs = 0.5 * probs + 0.5 * ground_by_region[row["region"]]
            row[name] = values[int(rng.choice(len(values), p=probs / probs.sum()))]
        rows[p] = row
    homes: dict[str, str] | None = None
    if households:
        homes = {}
        h = 0
        i = 0
        while i < pool:
            n = int(rng.choice([1, 1, 1, 2, 2, 3]))
            for p in people[i : i + n]:
                homes[p] = f"h{h:05d}"
            h += 1
            i += n
    quotas = quotas_from_shares(population, size, tolerance)
    return Instance(people=people, features=rows, quotas=quotas, size=size, households=homes)
