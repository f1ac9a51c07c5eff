"""Pure lottery core for selecting representative panels (sortition): leximin and legacy lotteries,
feasibility diagnosis, seeded draws, quotas from population shares and replacements.

No Django, no platform imports: dataclasses in, dataclasses out.
"""

from .draw import draw, find_distribution, replacement, select
from .feasibility import explain_infeasible
from .messages import LotteryInputError, Message
from .model import (
    ALGORITHM_VERSION,
    Distribution,
    InfeasibleQuotas,
    Instance,
    LotteryTimeout,
    Quota,
    Selection,
    is_feasible_panel,
    validate,
)
from .quotas import quotas_from_shares

__all__ = [
    "ALGORITHM_VERSION",
    "Distribution",
    "InfeasibleQuotas",
    "Instance",
    "LotteryInputError",
    "LotteryTimeout",
    "Message",
    "Quota",
    "Selection",
    "draw",
    "explain_infeasible",
    "find_distribution",
    "is_feasible_panel",
    "quotas_from_shares",
    "replacement",
    "select",
    "validate",
]
