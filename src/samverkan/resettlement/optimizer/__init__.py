"""Pure placement optimizer for resettlement (no Django): cases x municipalities on HiGHS."""

from .model import LARGE_FAMILY, NEED_CODES, Case, Explanation, Municipality, Placement, Problem
from .solver import greedy, solve

__all__ = [
    "LARGE_FAMILY",
    "NEED_CODES",
    "Case",
    "Explanation",
    "Municipality",
    "Placement",
    "Problem",
    "greedy",
    "solve",
]
