"""Seeded synthetic placement instances for tests and benchmarks. The people and scores are
invented; only the municipalities (codes, names, populations) are real, passed in by the caller.

* Reception numbers: ``persons * slack`` shared by population (largest remainder), at least 1 each.
* Large dwellings and need-service slots: in proportion to the reception number, with slack.
* Family sizes from 1 to 9 (mean about 2.5); about ``need_share`` of the persons have a need code,
  drawn from the UNHCR categories with invented frequencies; a few cases have a tie (a relative) in a
  municipality chosen by population.
* Scores: an invented "predicted outcome" in [0, 1]: a municipality effect (its labour market), a
  case effect and a case x municipality interaction, plus a bonus for a tie.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from .model import LARGE_FAMILY, NEED_CODES, Case, Municipality, Problem

SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9)
SIZE_WEIGHTS = (45, 18, 12, 9, 6, 4, 3, 2, 1)
NEED_WEIGHTS = (30, 12, 15, 8, 10, 8, 4, 6, 4, 2, 1)  # invented frequencies per NEED_CODES


def _shares(total: int, weights: Sequence[float], floor: int = 1) -> list[int]:
    base = [floor] * len(weights)
    rest = max(total - floor * len(weights), 0)
    s = sum(weights)
    exact = [rest * w / s for w in weights]
    out = [b + math.floor(x) for b, x in zip(base, exact, strict=True)]
    missing = total - sum(out)
    for i in sorted(range(len(weights)), key=lambda i: -(exact[i] - math.floor(exact[i])))[: max(missing, 0)]:
        out[i] += 1
    return out


def instance(
    municipalities: Sequence[tuple[str, str, int]],
    *,
    cases: int = 2000,
    need_share: float = 0.09,
    tie_share: float = 0.04,
    slack: float = 1.08,
    seed: int = 1,
    with_scores: bool = True,
) -> Problem:
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    people = [rng.choices(SIZES, weights=SIZE_WEIGHTS)[0] for _ in range(cases)]
    persons = sum(people)
    populations = [p for _, _, p in municipalities]
    capacity = _shares(math.ceil(persons * slack), populations)
    large_total = sum(1 for s in people if s >= LARGE_FAMILY)
    large = _shares(math.ceil(large_total * 1.25), capacity, floor=0)
    needs: list[tuple[str, ...]] = []
    need_count = {k: 0 for k in NEED_CODES}
    for size in people:
        drawn = tuple(
            rng.choices(NEED_CODES, weights=NEED_WEIGHTS)[0] for _ in range(size) if rng.random() < need_share
        )
        needs.append(drawn)
        for code in drawn:
            need_count[code] += 1
    slots = {k: _shares(math.ceil(n * 1.3) + 3, capacity, floor=0) for k, n in need_count.items()}
    munis = tuple(
        Municipality(
            code=code,
            name=name,
            capacity_persons=capacity[i],
            large_dwellings=large[i],
            need_slots={k: slots[k][i] for k in NEED_CODES if slots[k][i]},
        )
        for i, (code, name, _) in enumerate(municipalities)
    )
    codes = [m.code for m in munis]
    persons_left = {m.code: m.capacity_persons for m in munis}
    large_left = {m.code: m.large_dwellings for m in munis}
    slots_left = {m.code: dict(m.need_slots) for m in munis}
    case_list = []
    for i, size in enumerate(people):
        tie = None
        if rng.random() < tie_share:
            # a relative lives where the family can be received (persons, dwelling and services)
            # (ties together take at most half of what a municipality has)
            fits = [
                j
                for j, code in enumerate(codes)
                if persons_left[code] - size >= capacity[j] / 2
                and (size < 6 or large_left[code] - 1 >= large[j] / 2)
                and all(
                    slots_left[code].get(k, 0) - needs[i].count(k) >= slots[k][j] / 2 for k in set(needs[i])
                )
            ]
            if fits:
                tie = codes[rng.choices(fits, weights=[capacity[j] for j in fits])[0]]
                persons_left[tie] -= size
                large_left[tie] -= int(size >= LARGE_FAMILY)
                for k in needs[i]:
                    slots_left[tie][k] -= 1
        case_list.append(Case(f"K{i + 1:05d}", size, needs[i], tie))
    scores = None
    if with_scores:
        effect = {code: rng.gauss(0.3, 0.08) for code in codes}
        scores = {}
        for case in case_list:
            own = rng.gauss(0.0, 0.1)
            for code in codes:
                value = effect[code] + own + rng.gauss(0.0, 0.05) + (0.2 if case.tie == code else 0.0)
                scores[(case.case_id, code)] = round(min(max(value, 0.0), 1.0), 4)
    return Problem(munis, tuple(case_list), scores)
