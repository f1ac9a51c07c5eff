"""Importing tables as dataset versions: provenance, idempotence, permissions, audit, no partial writes."""

from __future__ import annotations

import math

import pytest

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member
from samverkan.core.audit import verify
from samverkan.core.errors import PermissionDenied, ValidationError
from samverkan.core.models import AuditEvent
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.statistics.models import Dataset, DatasetVersion
from samverkan.statistics.storage import version_cube
from samverkan.statistics.tests.factories import cube, store

pytestmark = pytest.mark.django_db


def test_first_import_creates_the_dataset_with_provenance_and_an_audited_version():
    outcome = store(cube([[10, 12], [7, math.nan]], table_id="TAB1"))
    dataset, version = outcome.dataset, outcome.version
    assert outcome.created_dataset and not outcome.unchanged
    assert (dataset.title_sv, dataset.source_organisation, dataset.table_id) == (
        "Testtabell (fiktiv)",
        "Fiktiv källa",
        "TAB1",
    )
    assert (version.number, version.cell_count, version.format) == (1, 4, "csv")
    stored = version_cube(version)
    assert stored.values[0].tolist() == [10, 12]
    assert math.isnan(stored.values[1, 1]) and stored.status == {3: ".."}
    event = AuditEvent.objects.get(code="statistics.version.imported")
    assert event.data["dataset"] == "test-table" and event.data["cells"] == 4
    assert verify().ok


def test_reimporting_the_same_table_changes_nothing():
    store(cube([[1, 2], [3, 4]]))
    before = (DatasetVersion.objects.count(), AuditEvent.objects.count())
    again = store(cube([[1, 2], [3, 4]]))
    assert again.unchanged and again.version.number == 1
    assert (DatasetVersion.objects.count(), AuditEvent.objects.count()) == before


def test_a_changed_table_becomes_the_next_version_and_old_versions_are_kept():
    store(cube([[1, 2], [3, 4]]))
    second = store(cube([[1, 2], [3, 5]]))
    assert second.version.number == 2 and not second.unchanged
    assert list(DatasetVersion.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_a_new_version_with_another_dimension_is_refused_naming_it(english):
    store(cube([[1, 2], [3, 4]]))
    from samverkan.statistics.cube import Cube
    from samverkan.statistics.tests.factories import dim

    other = Cube((dim("year", ["2022"]), dim("region", ["A"])), [[1]])
    with pytest.raises(ValidationError) as exc:
        store(other)
    assert "dimensions in the file only: region" in str(exc.value)
    assert DatasetVersion.objects.count() == 1


def test_only_the_owners_editors_may_import_new_versions():
    owner = OrganisationFactory()
    editor = actor_for_user(member("editor", owner))
    store(cube([[1, 2], [3, 4]]), actor=editor, owner_id=owner.pk)
    reader = actor_for_user(member("reader", owner))
    with pytest.raises(PermissionDenied):
        store(cube([[1, 2], [3, 9]]), actor=reader)
    outsider = actor_for_user(member("editor"))
    with pytest.raises(PermissionDenied):
        store(cube([[1, 2], [3, 9]]), actor=outsider)
    assert DatasetVersion.objects.count() == 1


def test_another_organisations_internal_dataset_is_not_found_to_an_outsider():
    owner = OrganisationFactory()
    insider = actor_for_user(member("editor", owner))
    internal = store(cube([[1, 2], [3, 4]]), actor=insider, owner_id=owner.pk, is_public=False).dataset
    # Its members add versions under the name they chose, or its full name.
    assert (
        store(cube([[1, 2], [3, 5]]), actor=insider, owner_id=owner.pk, is_public=False).dataset == internal
    )
    again = store(
        cube([[1, 2], [3, 6]]), slug=internal.slug, actor=insider, owner_id=owner.pk, is_public=False
    )
    assert again.dataset == internal and again.version.number == 3
    # An outsider's import under the same name, public or internal, goes exactly as under an
    # unused name: a new dataset of their own; the internal one is neither found nor touched.
    other = OrganisationFactory()
    outsider = actor_for_user(member("editor", other))
    seen = {}
    for slug in ("test-table", "unused-name"):
        steps = []
        for is_public in (False, True, True):
            outcome = store(
                cube([[1, 2], [3, 9]]), slug=slug, actor=outsider, owner_id=other.pk, is_public=is_public
            )
            assert outcome.dataset.owner == other
            steps.append(
                (outcome.created_dataset, outcome.unchanged, outcome.dataset.slug.replace(slug, "NAME"))
            )
        seen[slug] = steps
    assert seen["test-table"] == seen["unused-name"]
    assert seen["test-table"][0] == (True, False, f"NAME--{other.pk}")
    # The internal dataset's full name, given by an outsider, is read as a chosen name like any other.
    outcome = store(cube([[1, 2], [3, 9]]), slug=internal.slug, actor=outsider, owner_id=other.pk)
    assert outcome.created_dataset and outcome.dataset != internal
    assert internal.versions.count() == 3
    with pytest.raises(PermissionDenied):  # and no one writes into another organisation's space
        store(cube([[1, 2], [3, 9]]), actor=outsider, owner_id=owner.pk, is_public=False)


def test_an_editor_cannot_create_a_dataset_for_an_organisation_they_do_not_write_for():
    with pytest.raises(PermissionDenied):
        store(
            cube([[1, 2], [3, 4]]), actor=actor_for_user(member("editor")), owner_id=OrganisationFactory().pk
        )
    assert not Dataset.objects.exists()


def test_person_level_tables_must_be_complete_counts():
    with pytest.raises(ValidationError) as exc:
        store(cube([[10, 12], [7, math.nan]]), person_level=True)
    assert "year=2023, sex=2" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        store(cube([[10, 1.5], [7, 8]]), person_level=True)
    assert "year=2022, sex=2" in str(exc.value)
    assert not Dataset.objects.exists()


def test_a_person_level_import_stores_its_suppression_pattern():
    outcome = store(cube([[30, 2], [40, 50]]), person_level=True)
    version = DatasetVersion.objects.get(pk=outcome.version.pk)
    assert version.suppression and version.suppression_threshold == 5


def test_a_person_level_table_over_the_size_limit_is_refused(settings, english):
    settings.STATISTICS_PERSON_LEVEL_MAX_CELLS = 3
    with pytest.raises(ValidationError, match="at most 3 cells"):
        store(cube([[30, 2], [40, 50]]), person_level=True)
    assert not Dataset.objects.exists()
