"""Disclosure across releases of one dataset (issue #16, cases D and E), attacked from outside.

The attacker is the independent interval attacker of ``interval_audit`` (integer programme over the
table's cells), given every figure an anonymous visitor can read of a person-level dataset in two
releases: two versions one after the other (E), or one version before and after its threshold was
changed (D). Each case first shows that protecting each release on its own (what the platform did
before) lets the attacker fix a small count exactly, then that the stored patterns do not.
"""

from __future__ import annotations

import numpy as np
import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import UserFactory
from samverkan.core.actor import Actor
from samverkan.core.errors import PermissionDenied
from samverkan.statistics import disclosure, disclosure_store, selectors, services
from samverkan.statistics.cube import TIME, Category, Cube, Dimension, TableMeta
from samverkan.statistics.models import Dataset, DatasetVersion
from samverkan.statistics.storage import version_cube

from .interval_audit import Model, pinned, table_cells

pytestmark = pytest.mark.django_db


# --- The attacker's view ----------------------------------------------------------------------------


def _value(counts: np.ndarray, atoms: list[int]) -> int:
    return int(counts.ravel()[atoms].sum())


def _see(model: Model, counts: np.ndarray, withheld: np.ndarray, atoms_of, offset: int = 0) -> None:
    """Add one release: each published cell as an equation; each withheld cell as at least 1 when
    the release publishes all of its zeros (the visitor knows the rule)."""
    zeros_published = not any(
        withheld[ext] and _value(counts, atoms) == 0 for ext, atoms in table_cells(counts.shape)
    )
    for ext, atoms in table_cells(counts.shape):
        terms = atoms_of(atoms)
        if not withheld[ext]:
            model.equal(terms, _value(counts, atoms))
        elif zeros_published:
            model.at_least(terms, 1)


def _pinned_cells(model: Model, counts: np.ndarray, threshold: int, atoms_of) -> list[tuple]:
    found = []
    for ext, atoms in table_cells(counts.shape):
        value = _value(counts, atoms)
        if 0 < value < threshold and pinned(model.interval(atoms_of(atoms)), value, threshold):
            found.append((ext, value))
    return found


def two_versions(
    first: np.ndarray, first_withheld: np.ndarray, second: np.ndarray, second_withheld: np.ndarray
):
    """Attack model for two versions where the second only adds persons: atoms 0..n-1 are the first
    version's cells, n..2n-1 the persons added per cell."""
    n = first.size
    model = Model(2 * n)
    _see(model, first, first_withheld, lambda atoms: atoms)
    _see(model, second, second_withheld, lambda atoms: [*atoms, *(a + n for a in atoms)])
    return model


# --- E: successive versions -------------------------------------------------------------------------

FIRST = np.array([[4, 9, 12, 7], [10, 8, 6, 11], [9, 14, 7, 8]])


def _dataset_cube(values: np.ndarray, years=("2021", "2022", "2023")) -> Cube:
    return Cube(
        (
            Dimension("year", "År", "Year", tuple(Category(y, y, y) for y in years), role=TIME),
            Dimension("ground", "Grund", "Ground", tuple(Category(g, g, g) for g in "ABCD")),
        ),
        np.asarray(values, dtype=float),
        {},
        TableMeta(title_sv="Fiktiv persontabell", source="Fiktiv källa"),
    )


def _system() -> Actor:
    return Actor.system()


def _import(values: np.ndarray) -> DatasetVersion:
    outcome = services.dataset_version_import(
        actor=_system(),
        cube=_dataset_cube(values),
        format="csv",
        dataset_slug="fiktiv-persontabell",
        fields=services.DatasetFields(slug="fiktiv-persontabell", person_level=True),
    )
    return outcome.version


def _published_mask(version: DatasetVersion) -> np.ndarray:
    version = DatasetVersion.objects.select_related("dataset").get(pk=version.pk)
    cube = version_cube(version)
    return np.asarray(disclosure_store.pattern_for(version, cube).extended)


def test_a_second_version_adding_one_person_does_not_give_away_the_first_versions_small_cell():
    second = FIRST.copy()
    second[0, 0] += 1  # one more person in the withheld cell of 4
    first_withheld = disclosure.protect(FIRST, 5).extended
    assert first_withheld[0, 0]

    # Before: the second version protected on its own publishes the 5, and every margin through the
    # cell rose by one: the first version's withheld 4 is recovered.
    alone = disclosure.protect(second, 5).extended
    model = two_versions(FIRST, first_withheld, second, alone)
    assert ((0, 0), 4) in _pinned_cells(model, FIRST, 5, lambda atoms: atoms)

    # Now: the stored pattern of version 2 is protected together with version 1.
    v1 = _import(FIRST)
    v2 = _import(second)
    assert v2.number == 2
    assert np.array_equal(_published_mask(v1), first_withheld)
    joint = _published_mask(v2)
    model = two_versions(FIRST, first_withheld, second, joint)
    assert _pinned_cells(model, FIRST, 5, lambda atoms: atoms) == []
    # Nor can the persons added be placed: the added person's cell is not pinned either.
    n = FIRST.size
    assert _pinned_cells(model, second - FIRST, 5, lambda atoms: [a + n for a in atoms]) == []


def test_the_published_figures_of_a_second_version_come_from_the_joint_pattern():
    second = FIRST.copy()
    second[0, 0] += 1
    _import(FIRST)
    _import(second)
    dataset = Dataset.objects.get(slug="fiktiv-persontabell")
    table = selectors.table_for(actor=Actor.anonymous(), dataset=dataset).cube
    assert np.isnan(table.values[0, 0])  # 5, published alone, is withheld with version 1 in view


def test_an_appended_year_lines_up_by_category_code():
    first = FIRST[:2]
    v1 = _import_years(first, ("2021", "2022"))
    v2 = _import_years(FIRST, ("2021", "2022", "2023"))
    assert v2.number == 2
    pattern = _published_mask(v2)
    assert pattern.shape == (4, 5)
    # The old years are unchanged and their withheld cells stay withheld.
    assert np.all(pattern[:2, :4] >= _published_mask(v1)[:2, :4])


def _import_years(values: np.ndarray, years: tuple[str, ...]) -> DatasetVersion:
    return services.dataset_version_import(
        actor=_system(),
        cube=_dataset_cube(values, years),
        format="csv",
        dataset_slug="fiktiv-persontabell",
        fields=services.DatasetFields(slug="fiktiv-persontabell", person_level=True),
    ).version


# --- D: changing the threshold ----------------------------------------------------------------------

# Protected at 5 and, separately, at 7, the two patterns together fix the 3 in the corner exactly.
TABLE_D = np.array([[6, 7, 11, 8], [7, 6, 6, 11], [3, 9, 8, 0]])


def _threshold_model(counts: np.ndarray, *patterns: np.ndarray) -> Model:
    model = Model(counts.size)
    for withheld in patterns:
        _see(model, counts, withheld, lambda atoms: atoms)
    return model


def _admin():
    user = UserFactory(is_staff=True, is_superuser=True)
    return actor_for_user(user, ip="127.0.0.1", two_factor_verified=True)


def _import_d(threshold: int | None = None) -> DatasetVersion:
    return services.dataset_version_import(
        actor=_system(),
        cube=_dataset_cube(TABLE_D),
        format="csv",
        dataset_slug="fiktiv-troskel",
        fields=services.DatasetFields(
            slug="fiktiv-troskel", person_level=True, disclosure_threshold=threshold
        ),
    ).version


def test_raising_the_threshold_re_protects_against_what_was_published():
    at_five = disclosure.protect(TABLE_D, 5).extended
    fresh_at_seven = disclosure.protect(TABLE_D, 7).extended
    before = _threshold_model(TABLE_D, at_five, fresh_at_seven)
    assert ((2, 0), 3) in _pinned_cells(before, TABLE_D, 5, lambda atoms: atoms)

    version = _import_d()
    assert np.array_equal(_published_mask(version), at_five)
    dataset = Dataset.objects.get(slug="fiktiv-troskel")
    services.dataset_threshold_set(actor=_admin(), dataset=dataset, threshold=7)
    stored = DatasetVersion.objects.get(pk=version.pk)
    assert stored.suppression_threshold == 7
    after = _published_mask(version)
    model = _threshold_model(TABLE_D, at_five, after)
    assert _pinned_cells(model, TABLE_D, 5, lambda atoms: atoms) == []
    # Small cells at the new threshold that had been withheld are protected too; the 6s published
    # at 5 were seen already and are withheld from now on.
    ext = disclosure.extended_table(TABLE_D)
    assert np.all(after[(ext > 0) & (ext < 7)])
    withheld_before = at_five & (ext > 0) & (ext < 7)
    assert not any(
        pinned(model.interval(atoms), _value(TABLE_D, atoms), 7)
        for ext, atoms in table_cells(TABLE_D.shape)
        if withheld_before[ext]
    )


def test_lowering_the_threshold_publishes_nothing_more():
    version = _import_d()
    before = _published_mask(version)
    dataset = Dataset.objects.get(slug="fiktiv-troskel")
    services.dataset_threshold_set(actor=_admin(), dataset=dataset, threshold=2)
    assert np.array_equal(_published_mask(version), before)


def test_a_threshold_changed_outside_the_service_is_derived_the_same_way(settings):
    version = _import_d()
    at_five = _published_mask(version)
    settings.STATISTICS_DISCLOSURE_THRESHOLD = 7  # a changed platform default: nothing was stored
    derived = _published_mask(version)
    assert DatasetVersion.objects.get(pk=version.pk).suppression_threshold == 5
    assert np.all(derived >= at_five)
    ext = disclosure.extended_table(TABLE_D)
    assert np.all(derived[(ext > 0) & (ext < 7)])


def test_the_datasets_own_threshold_is_used():
    version = _import_d(threshold=7)
    dataset = Dataset.objects.get(slug="fiktiv-troskel")
    table = selectors.table_for(actor=Actor.anonymous(), dataset=dataset).cube
    assert np.isnan(table.values[1, 1])  # a 6 is small at 7
    # ... and protected at 7 from the start: nothing under 7 can be worked out.
    model = _threshold_model(TABLE_D, _published_mask(version))
    assert _pinned_cells(model, TABLE_D, 7, lambda atoms: atoms) == []


def test_only_administrators_change_a_threshold():
    _import_d()
    dataset = Dataset.objects.get(slug="fiktiv-troskel")
    plain = actor_for_user(UserFactory(), ip="127.0.0.1", two_factor_verified=True)
    with pytest.raises(PermissionDenied):
        services.dataset_threshold_set(actor=plain, dataset=dataset, threshold=7)
    assert DatasetVersion.objects.get(dataset=dataset).suppression_threshold == 5
