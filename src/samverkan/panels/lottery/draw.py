"""Entry points: compute a lottery, draw from it with a public seed, and find replacements.

The draw, by hand
-----------------
1. ``digest = SHA-256(str(seed) encoded as UTF-8)`` (so ``7`` and ``"7"`` give the same draw).
2. ``u = (first 8 bytes of digest as a big-endian integer >> 11) / 2**53`` — a number in ``[0, 1)``
   exactly representable as a double.
3. Walk the panels in the order of ``Distribution.panels`` (sorted by the input positions of their
   members), adding their weights in double precision; the drawn panel is the first one at which the running
   sum exceeds ``u * (sum of all weights)``.

Replacement: the eligible people are listed in input order and the one at index
``floor(u * len(eligible))`` is chosen, with ``u`` computed as above from the string
``"replacement:{seed}:{withdrawn}"``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from .legacy import LEGACY_RUNS, find_legacy
from .leximin import find_leximin
from .messages import LotteryInputError
from .model import ALGORITHM_VERSION, Distribution, Instance, Selection

ALGORITHMS = ("leximin", "legacy")


def uniform(text: str) -> float:
    """The documented map from a string to a number in ``[0, 1)``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return (int.from_bytes(digest[:8], "big") >> 11) / 2**53


def find_distribution(
    instance: Instance,
    algorithm: str = "leximin",
    *,
    time_limit: float | None = None,
    legacy_runs: int = LEGACY_RUNS,
) -> Distribution:
    """The lottery over feasible panels chosen by ``algorithm`` ("leximin" or "legacy")."""
    if algorithm == "leximin":
        return find_leximin(instance, time_limit=time_limit)
    if algorithm == "legacy":
        return find_legacy(instance, runs=legacy_runs, time_limit=time_limit)
    raise LotteryInputError("algorithm_unknown", algorithm=algorithm, allowed=list(ALGORITHMS))


def draw(distribution: Distribution, seed: int | str) -> tuple[str, ...]:
    """Pick one panel; deterministic in (distribution, seed). See the module docstring for the rule."""
    if not distribution.panels:
        raise ValueError("The distribution has no panels.")
    u = uniform(str(seed))
    target = u * sum(distribution.weights)
    running = 0.0
    last = distribution.panels[-1]
    for panel, weight in zip(distribution.panels, distribution.weights, strict=True):
        if weight <= 0:
            continue
        running += weight
        last = panel
        if target < running:
            return panel
    return last


def select(
    instance: Instance,
    algorithm: str = "leximin",
    seed: int | str = 0,
    *,
    time_limit: float | None = None,
) -> Selection:
    """Compute the lottery and draw one panel from it."""
    distribution = find_distribution(instance, algorithm, time_limit=time_limit)
    return Selection(
        distribution=distribution,
        panel=draw(distribution, seed),
        seed=seed,
        input_sha256=instance.sha256(),
        algorithm_version=ALGORITHM_VERSION,
    )


def eligible_replacements(
    instance: Instance, panel: Collection[str], withdrawn: str, *, exclude: Collection[str] = ()
) -> list[str]:
    """Pool members off the panel (and not excluded) whose entry for ``withdrawn`` keeps every quota and
    the household rule, in input order."""
    if withdrawn not in panel:
        raise ValueError(f"{withdrawn!r} is not on the panel.")
    rest = [p for p in panel if p != withdrawn]
    on_panel = set(panel)
    excluded = set(exclude)
    homes = set() if instance.households is None else {instance.households[p] for p in rest}
    counts = {(q.feature, q.value): 0 for q in instance.quotas}
    for p in rest:
        for feature, value in instance.features[p].items():
            if (feature, value) in counts:
                counts[(feature, value)] += 1
    out = []
    for person in instance.people:
        if person in on_panel or person in excluded:
            continue
        if instance.households is not None and instance.households[person] in homes:
            continue
        row = instance.features[person]
        if all(
            q.min <= counts[(q.feature, q.value)] + (row.get(q.feature) == q.value) <= q.max
            for q in instance.quotas
        ):
            out.append(person)
    return out


def replacement(
    instance: Instance,
    panel: Collection[str],
    withdrawn: str,
    seed: int | str,
    *,
    exclude: Collection[str] = (),
) -> str | None:
    """A replacement for ``withdrawn``, uniformly among the eligible (seeded), or ``None`` if nobody fits."""
    eligible = eligible_replacements(instance, panel, withdrawn, exclude=exclude)
    if not eligible:
        return None
    return eligible[int(uniform(f"replacement:{seed}:{withdrawn}") * len(eligible))]
