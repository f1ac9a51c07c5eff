"""Issue #15, item 12: uploading under the short name of another organisation's internal dataset
must answer exactly as under an unused name, so the page cannot be used to learn which internal
datasets exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samverkan.accounts.tests.factories import member
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.statistics.models import Dataset

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parents[2] / "src/samverkan/statistics/tests/fixtures/asylum_sex_2002_2004_utf8.px"


def _upload(client, owner, name: str, **extra):
    data = FIXTURE.read_bytes()
    fields = {"file": SimpleUploadedFile("t.px", data), "format": "auto", "owner": owner.pk, "dataset": name}
    return client.post("/statistics/upload/", {**fields, **extra})


def _answer(response, name: str) -> tuple[int, str]:
    return response.status_code, response.get("Location", "").replace(name, "NAME")


def test_an_internal_datasets_name_answers_like_an_unused_one(client):
    insider_org, outsider_org = OrganisationFactory(), OrganisationFactory()
    client.force_login(member("editor", insider_org))
    assert _upload(client, insider_org, "hemlig-tabell", internal="on").status_code == 302
    internal = Dataset.objects.get(owner=insider_org)

    client.force_login(member("editor", outsider_org))
    taken = _upload(client, outsider_org, "hemlig-tabell")
    unused = _upload(client, outsider_org, "ledigt-namn")
    assert _answer(taken, "hemlig-tabell") == _answer(unused, "ledigt-namn")
    assert taken.status_code == 302, taken.content.decode()[:500]
    # Their own dataset under the name they chose; the internal one untouched.
    assert Dataset.objects.get(slug="hemlig-tabell").owner == outsider_org
    assert internal.versions.count() == 1
