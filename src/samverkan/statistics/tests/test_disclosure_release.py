"""Protecting a release together with the one before it (pure: no database).

Checked against the independent integer attacker of ``tests/security/interval_audit.py``: given
everything both releases publish, no small count of persons — in either release, among those who
left or among those who joined — is pinned.
"""

from __future__ import annotations

import numpy as np
import pytest

from samverkan.statistics.disclosure import DisclosureError, Release, protect, protect_release
from tests.security.interval_audit import Model, pinned, table_cells

T = 5


def attack(
    earlier, first, now, second, left, joined, *, nobody_left=False, known_total=False, model_out=None
):
    """Atoms: stayed (0..n-1), left (n..2n-1), joined (2n..3n-1) per cell. Returns the pinned small
    cells of the earlier release, this release and the change tables."""
    n = earlier.size
    stayed = earlier - left
    truth = np.concatenate([stayed.ravel(), left.ravel(), joined.ravel()])
    model = Model(3 * n)
    parts = {"earlier": (0, 1), "now": (0, 2), "left": (1,), "joined": (2,)}

    def atoms(kind, cells):
        return [c + part * n for part in parts[kind] for c in cells]

    for kind, counts, withheld in (("earlier", earlier, first.extended), ("now", now, second.extended)):
        zeros_published = not any(
            withheld[ext] and counts.ravel()[cells].sum() == 0 for ext, cells in table_cells(counts.shape)
        )
        for ext, cells in table_cells(counts.shape):
            if not withheld[ext] or (known_total and len(cells) == n):
                model.equal(atoms(kind, cells), counts.ravel()[cells].sum())
            elif zeros_published:
                model.at_least(atoms(kind, cells), 1)
    if nobody_left:
        model.equal(atoms("left", range(n)), 0)
    if model_out is not None:
        model_out.append((model, atoms))
    found = []
    for kind in parts:
        for ext, cells in table_cells(earlier.shape):
            terms = atoms(kind, cells)
            value = int(truth[terms].sum())
            if known_total and len(cells) == n and kind in ("earlier", "now"):
                continue  # announced: nothing to protect
            if 0 < value < T and pinned(model.interval(terms), value, T):
                found.append((kind, ext, value))
    return found


def test_version_two_adding_one_person_to_a_withheld_cell():
    earlier = np.array([[4, 9, 12], [10, 8, 6], [9, 14, 7]])
    now = earlier.copy()
    now[0, 0] += 1
    first = protect(earlier, T)
    # Alone, the second release gives the first one's 4 away.
    alone = protect(now, T)
    left, joined = np.zeros_like(now), now - earlier
    assert ("earlier", (0, 0), 4) in attack(earlier, first, now, alone, left, joined, nobody_left=True)
    second = protect_release(now, T, previous=Release(earlier, first))
    assert attack(earlier, first, now, second, left, joined, nobody_left=True) == []


@pytest.mark.parametrize("seed", range(12))
def test_random_releases_pin_nothing(seed):
    rng = np.random.default_rng(seed)
    shape = (3, 4) if seed % 2 else (2, 2, 3)
    earlier = rng.integers(0, 12, shape)
    left = np.minimum(earlier, rng.integers(0, 2, shape) * (seed % 3 != 0))
    joined = rng.integers(0, 3, shape) * (rng.random(shape) < 0.3)
    now = earlier - left + joined
    first = protect(earlier, T)
    exact = {"left": left, "joined": joined} if left.any() else {}
    second = protect_release(now, T, previous=Release(earlier, first), **exact)
    assert second.shape == now.shape and second.threshold == T
    assert attack(earlier, first, now, second, left, joined, nobody_left=not left.any()) == []


def test_a_withdrawal_does_not_reveal_the_leavers_category():
    """Panel report: 11 people, Europe withheld; then the European withdraws: 10 people."""
    known = np.array([False, False, False, True])  # the size is announced
    earlier = np.array([1, 5, 5])
    first = protect(earlier, T, known=known)
    assert not first.extended[3] and first.extended[0]
    left, joined = np.array([1, 0, 0]), np.zeros(3, dtype=int)
    now = earlier - left

    def leaver_could_be(pattern):
        """The categories the attacker cannot rule out for the leaver (nobody joined: the size fell
        by one and the panel was not topped up)."""
        out: list = []
        attack(earlier, first, now, pattern, left, joined, known_total=True, model_out=out)
        model, atoms = out[0]
        model.equal(atoms("joined", range(3)), 0)
        return [c for c in range(3) if model.interval(atoms("left", [c]))[1] >= 1]

    # Protected alone, "Europe 0" is published and the leaver's origin is known.
    alone = protect(now, T, known=known)
    assert not alone.extended[0]
    assert leaver_could_be(alone) == [0]
    second = protect_release(now, T, previous=Release(earlier, first), left=left, joined=joined, known=known)
    assert second.extended[0]  # the zero is withheld
    assert len(leaver_could_be(second)) >= 2


def test_a_known_size_is_never_withheld_instead_of_a_second_cell():
    known = np.array([False, False, False, True])
    pattern = protect(np.array([5, 5, 1]), T, known=known)
    assert not pattern.extended[3]
    assert pattern.interior.sum() >= 2


def test_inconsistent_changes_are_refused():
    earlier = np.array([[3, 6], [7, 8]])
    first = protect(earlier, T)
    with pytest.raises(DisclosureError, match="must equal"):
        protect_release(
            earlier,
            T,
            previous=Release(earlier, first),
            left=np.ones((2, 2), int),
            joined=np.zeros((2, 2), int),
        )
    with pytest.raises(DisclosureError, match="both"):
        protect_release(earlier, T, previous=Release(earlier, first), left=np.zeros((2, 2), int))
    with pytest.raises(DisclosureError, match="shape"):
        protect_release(np.ones(3, int), T, previous=Release(earlier, first))


def test_known_cells_that_give_a_small_count_away_are_refused_not_hidden_behind():
    from samverkan.statistics.disclosure import GivenAway

    known = np.array([False, False, False, True])
    # A panel of 5 with nobody from Europe: the size alone says Asia and Africa are each under 5.
    with pytest.raises(GivenAway):
        protect(np.array([0, 1, 4]), T, known=known)
    # A known small total gives itself away.
    with pytest.raises(GivenAway):
        protect(np.array([2, 2]), T, known=np.array([False, False, True]))
    # ... unless the caller accepts it (what was published is out already): withheld from now on.
    pattern = protect(np.array([2, 2]), T, known=np.array([False, False, True]), allow_given_away=True)
    assert pattern.extended.all()
    # A panel of 11 can be protected.
    assert not protect(np.array([5, 5, 1]), T, known=known).extended[3]
