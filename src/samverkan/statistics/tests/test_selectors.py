"""Reading figures: filters, totals, scoping to the actor, disclosure control, composition."""

from __future__ import annotations

import math

import numpy as np
import pytest
from django.test import override_settings

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member
from samverkan.core.actor import Actor
from samverkan.core.errors import NotFound, ValidationError
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.statistics import selectors
from samverkan.statistics.cube import Cube
from samverkan.statistics.tests.factories import cube, dim, store

pytestmark = pytest.mark.django_db
PUBLIC = Actor.anonymous()


def test_filters_choose_cells_and_keep_totals_the_other_dimensions():
    dataset = store(cube([[10, 12], [7, 9]])).dataset
    table = selectors.table_for(actor=PUBLIC, dataset=dataset, filters={"sex": ["2"]}).cube
    assert table.values.tolist() == [[12], [9]]
    totals = selectors.table_for(actor=PUBLIC, dataset=dataset, keep=["year"]).cube
    assert totals.values.tolist() == [22, 16]


def test_a_total_category_is_used_not_added_to():
    table = Cube(
        (dim("year", ["2022", "2023"]), dim("sex", ["1+2", "1", "2"], total="1+2")),
        [[22, 10, 12], [16, 7, 9]],
    )
    dataset = store(table).dataset
    totals = selectors.table_for(actor=PUBLIC, dataset=dataset, keep=["year"]).cube
    assert totals.values.tolist() == [22, 16]


def test_a_total_over_a_missing_cell_is_missing():
    dataset = store(cube([[10, math.nan], [7, 9]])).dataset
    totals = selectors.table_for(actor=PUBLIC, dataset=dataset, keep=["year"]).cube
    assert math.isnan(totals.values[0]) and totals.values[1] == 16


def test_unknown_dimensions_and_categories_are_named(english):
    dataset = store(cube([[10, 12], [7, 9]])).dataset
    with pytest.raises(ValidationError) as exc:
        selectors.table_for(actor=PUBLIC, dataset=dataset, filters={"region": ["A"]})
    assert "Unknown dimension “region”" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        selectors.table_for(actor=PUBLIC, dataset=dataset, filters={"sex": ["9"]})
    assert "“9” is not a category of “sex”" in str(exc.value)


@override_settings(STATISTICS_MAX_CELLS_PER_REQUEST=3)
def test_a_selection_larger_than_the_limit_is_refused_with_its_size(english):
    dataset = store(cube([[10, 12], [7, 9]])).dataset
    with pytest.raises(ValidationError) as exc:
        selectors.table_for(actor=PUBLIC, dataset=dataset)
    assert "4 cells" in str(exc.value)
    assert selectors.table_for(actor=PUBLIC, dataset=dataset, keep=["year"]).cube.size == 2


@pytest.mark.parametrize("role", ["administrator", "coordinator", "case_officer", "editor", "reader"])
def test_internal_datasets_are_seen_by_the_owners_members_only(role):
    owner = OrganisationFactory()
    dataset = store(cube([[1, 2], [3, 4]]), owner_id=owner.pk, is_public=False).dataset
    insider = actor_for_user(member(role, owner))
    outsider = actor_for_user(member(role))
    assert selectors.dataset_get_for(actor=insider, slug=dataset.slug) == dataset
    assert dataset in selectors.dataset_list_for(actor=insider)
    for actor in (outsider, PUBLIC):
        with pytest.raises(NotFound):
            selectors.dataset_get_for(actor=actor, slug=dataset.slug)
        with pytest.raises(NotFound):
            selectors.table_for(actor=actor, dataset=dataset)
        assert dataset not in selectors.dataset_list_for(actor=actor)


def test_person_level_figures_are_published_with_small_cells_withheld():
    values = np.array([[30, 2, 40], [25, 35, 45], [50, 60, 70]])
    table = Cube((dim("region", ["A", "B", "C"]), dim("ground", ["P", "F", "W"])), values)
    dataset = store(table, person_level=True).dataset
    published = selectors.table_for(actor=PUBLIC, dataset=dataset)
    assert math.isnan(published.cube.values[0, 1])
    assert published.cube.status[1] == selectors.SUPPRESSED
    # The small cell cannot be worked out from its row total: more than one cell is withheld.
    assert published.suppressed_count >= 4
    totals = selectors.table_for(actor=PUBLIC, dataset=dataset, keep=["region"]).cube.values
    cells = published.cube.values
    for row in range(3):
        if np.isnan(cells[row]).any() and not np.isnan(totals[row]):
            assert np.isnan(cells[row]).sum() >= 2


def test_composition_gives_shares_per_category():
    dataset = store(cube([[10, 30], [20, 40]])).dataset
    (sex,) = selectors.composition_for(actor=PUBLIC, dataset=dataset, dimensions=["sex"])
    assert sex.total == 100
    assert [(s.code, s.count, s.share) for s in sex.shares] == [("1", 30, 0.3), ("2", 70, 0.7)]
    (recent,) = selectors.composition_for(
        actor=PUBLIC, dataset=dataset, dimensions=["sex"], filters={"year": ["2023"]}
    )
    assert [s.share for s in recent.shares] == pytest.approx([1 / 3, 2 / 3])


def test_composition_leaves_out_a_total_category():
    table = Cube((dim("year", ["2023"]), dim("sex", ["1+2", "1", "2"], total="1+2")), [[100, 40, 60]])
    dataset = store(table).dataset
    (sex,) = selectors.composition_for(actor=PUBLIC, dataset=dataset, dimensions=["sex"])
    assert sex.total == 100 and [s.code for s in sex.shares] == ["1", "2"]
    assert [s.share for s in sex.shares] == [0.4, 0.6]
