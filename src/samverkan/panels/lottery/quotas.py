"""Quotas from population shares by largest-remainder (Hamilton) rounding.

For each feature the shares are normalised to sum 1, ``size * share`` is split into its integer part and
remainder, and the seats still missing go to the values with the largest remainders (ties: the value
listed first).  The targets sum exactly to ``size``; ``min = max(target - tolerance, 0)`` and
``max = target + tolerance``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .messages import LotteryInputError
from .model import Quota


def quotas_from_shares(
    shares: Mapping[str, Mapping[str, float]], size: int, tolerance: int = 0
) -> tuple[Quota, ...]:
    if size < 1:
        raise LotteryInputError("size_below_one", size=size)
    if tolerance < 0:
        raise LotteryInputError("tolerance_negative", tolerance=tolerance)
    out: list[Quota] = []
    for feature, values in shares.items():
        if not values:
            raise LotteryInputError("feature_no_values", feature=feature)
        for value, share in values.items():
            if not math.isfinite(share) or share < 0:
                raise LotteryInputError("share_invalid", feature=feature, value=value, share=share)
        total = sum(values.values())
        if total <= 0:
            raise LotteryInputError("shares_zero", feature=feature)
        exact = {value: size * share / total for value, share in values.items()}
        targets = {value: math.floor(x) for value, x in exact.items()}
        missing = size - sum(targets.values())
        order = sorted(enumerate(exact), key=lambda iv: (-(exact[iv[1]] - targets[iv[1]]), iv[0]))
        for _, value in order[:missing]:
            targets[value] += 1
        for value, target in targets.items():
            out.append(Quota(feature, value, max(target - tolerance, 0), target + tolerance))
    return tuple(out)
