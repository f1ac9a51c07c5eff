"""seed_demo loads the real published datasets shipped in data/statistics/, with their sources."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command

from samverkan.core.actor import Actor
from samverkan.statistics import selectors
from samverkan.statistics.models import Dataset, DatasetVersion
from samverkan.statistics.real_data import DATA_DIR

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_shipped_datasets_with_sources_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert set(Dataset.objects.values_list("slug", flat=True)) == {
        "asylum-seekers",
        "asylum-applicants-monthly",
        "asylum-forecasts",
    }
    for dataset in Dataset.objects.all():
        assert dataset.source_organisation and dataset.source_note, dataset.slug
        assert dataset.is_public and not dataset.person_level
    with (DATA_DIR / "asylum_seekers_annual.csv").open(encoding="utf-8") as handle:
        shipped = {row["year"]: float(row["asylum_seekers"]) for row in csv.DictReader(handle)}
    annual = Dataset.objects.get(slug="asylum-seekers")
    table = selectors.table_for(
        actor=Actor.anonymous(), dataset=annual, filters={"sex": ["1+2"]}, keep=["year"]
    )
    assert dict(zip(table.cube.dimensions[0].codes, table.cube.values.tolist(), strict=True)) == shipped
    versions = DatasetVersion.objects.count()
    call_command("seed_demo")
    assert DatasetVersion.objects.count() == versions == 3
