"""Statistical disclosure control for published tables of person counts: primary and secondary cell
suppression, checked by a linear-programming attacker. Pure: NumPy and HiGHS, no Django.

What is protected
    A dense table of non-negative integer counts (e.g. year × sex × ground × municipality) as the site
    and the API publish it: every interior cell, every marginal total (the sum over any non-empty set
    of axes, down to the grand total), and sums over filtered subsets of categories
    (:func:`publish`). Tables and their marginals live together in one *extended* array
    (:func:`extended_table`): index ``d_i`` on axis ``i`` is the total over that axis.

Primary suppression
    Every interior or marginal cell with ``0 < value < threshold`` (default 5). Zeros are published:
    "nobody" identifies no one. Zeros are also never used as secondary suppressions, so an attacker
    knows that every withheld cell is at least 1, and the attacker model uses that bound.

Protection criterion (the upper/lower protection levels of tau-ARGUS, with the lower level capped)
    With ``p = protection`` (default ``threshold``), every primary cell of value ``v`` must satisfy,
    for the attacker's bounds ``[lower, upper]`` computed from everything published:

    * ``upper >= v + p``: the attacker cannot exclude values at least ``p`` above the true one, in
      particular cannot prove that the cell is below the threshold;
    * ``lower <= max(v - p, floor)``: downwards the attacker learns nothing beyond ``p`` below the true
      value except what the pattern itself implies. ``floor`` is 1 for an interior cell (a withheld
      cell is at least 1) and, for a marginal, its published interior cells plus 1 per withheld one.
      The plain level ``v - lower >= p`` is impossible for ``v < p`` because counts are non-negative.

    A determined cell (``lower == upper``) always fails the criterion.

Secondary suppression (:func:`protect`)
    Hypercubes in the extended table around each primary cell, cheapest first (cost = value of the
    cells newly withheld), then an LP audit of the whole pattern; cells still exposed get further cubes,
    and if a round can add nothing every non-zero cell is withheld (always safe), so it terminates.
    The result is deterministic. Details in :mod:`.suppress`.

The attacker (:func:`audit`)
    Unknowns are the withheld interior cells (``>= 1``); each published marginal cell is an equation.
    Every withheld primary cell, interior or marginal, is minimised and maximised with HiGHS (one model
    per audit, warm-started between objectives; most bounds are settled by the optimum of another
    solve, see :mod:`.attack`). ``protect`` runs it after building the pattern and repairs until it
    finds nothing.

Integer attacker
    The true counts are integers, so an attacker could solve the integer programme instead. Its interval
    is always contained in the LP interval (every integer completion is an LP solution), so LP safety
    is the weaker statement: necessary, not sufficient. For 2-D tables they coincide: the constraint
    matrix (row sums with the grand total, column sums: two laminar families) is totally unimodular,
    so the LP optima are integral. For 3 or more dimensions the integer interval can be strictly
    narrower. Where a primary cell's protection comes from cubes (how :func:`protect` builds it) it
    holds for integer tables as well, because a cube moves the table in integer steps; protection that
    rests on the LP audit alone is only LP-safe. The tests enumerate all integer completions of small
    2-D and 3-D tables to check both statements.

What the audience knows (``known``), and successive releases
    :func:`protect` takes the cells an audience knows whatever is published (a panel's announced
    size, what an earlier pattern of the same table published); they are never withheld as
    secondaries and the attacker uses them. :func:`protect_release` protects a new release of a
    table together with the release the same audience saw before, in one joint table of the persons
    who stayed, left and joined (see :mod:`.release`); the change tables are counts of persons and
    get the same protection. Counts over overlapping groups published to organisations that know
    their own contributions (a dashboard fed by many municipalities) follow the rule in
    :mod:`.shared`.

Limits
    * Two *different* datasets that share totals (the same population split by ground in one table
      and by age in another) are not protected against each other: protect such tables jointly (as
      one larger table) or publish the shared totals from one of them only. Successive versions of
      one table are protected pairwise (each with the one before it), not all at once.
    * Hierarchies inside an axis (municipality → county → country as categories of one axis) are not
      modelled; a county total published elsewhere is another table sharing totals, see above.
    * The attacker is assumed to know the rule (threshold, zeros published) but not to reason about
      the algorithm's choices (e.g. "this cell must be secondary, hence at least 5").
    * Secondary cells get no protection level of their own. :func:`protect` still leaves none of them
      determined (each lies on a cube that can move), which ``audit(..., secondary=True)`` checks.
    * A dataset table does not say who contributed its persons, so :func:`protect` does not model an
      attacker who knows some of the people counted (a person in a cell of 2 can subtract themself);
      where contributors are known (the resettlement dashboard), :mod:`.shared` protects the others'
      counts.
    * The cube heuristic is not optimal (fewest or cheapest suppressions); it tends to suppress more
      than an exact MILP method would.
"""

from ._table import CellKey, DisclosureError, extended_table
from .attack import Exposure, GivenAway, audit
from .pattern import SuppressionPattern
from .release import Release, protect_release
from .suppress import protect
from .views import publish

__all__ = [
    "CellKey",
    "DisclosureError",
    "Exposure",
    "GivenAway",
    "Release",
    "SuppressionPattern",
    "audit",
    "extended_table",
    "protect",
    "protect_release",
    "publish",
]
