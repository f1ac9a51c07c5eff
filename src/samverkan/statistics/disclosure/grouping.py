"""Rows chosen before counting: categories a design expects to be small, counted together.

A one-way table whose categories are fixed by a design (a panel's quotas, say) can often say more
when the categories the design expects to have fewer than ``threshold`` persons each are counted
together in one row: alone, each such count would be withheld or would tell (it is under the
threshold or zero whatever happens); together they may reach the threshold and be shown. The rows
depend only on the expected sizes, never on the counts, so the choice gives nothing away; the
table of rows is then protected like any other (``protect``, ``protect_release``). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence


def rows_by_design(expected: Sequence[float], threshold: int) -> list[list[int]]:
    """The rows of a table over categories with ``expected`` sizes: each category alone, in order,
    except those expected under ``threshold``, which form one last row when there are two or more
    of them (one alone stays a row of its own: merging it would change nothing)."""
    small = [i for i, size in enumerate(expected) if size < threshold]
    if len(small) < 2:
        return [[i] for i in range(len(expected))]
    return [[i] for i in range(len(expected)) if i not in small] + [small]
