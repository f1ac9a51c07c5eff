"""Statistics pages: theme pages on the real shipped data, the dataset page with filters, CSV
downloads, and the upload page (permissions, refused files, size limit, nothing half-written)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from samverkan.accounts.tests.factories import member
from samverkan.core.models import AuditEvent
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.statistics import demo
from samverkan.statistics.models import Dataset, DatasetVersion
from samverkan.statistics.tests.factories import cube, store

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).with_name("fixtures")
UPLOAD = "/statistics/upload/"


@pytest.fixture
def real_data():
    demo.load_demo()


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_theme_pages_show_the_real_figures_with_their_source(client, real_data):
    page = client.get("/statistics/asylum-seekers/").content.decode()
    assert "162\u00a0877" in page  # 2015, Swedish grouping
    assert "Statistiska centralbyrån (SCB)" in page
    assert 'data-chart="chart-total-spec"' in page and 'id="chart-total-spec"' in page
    forecasts = client.get("/statistics/forecasts/").content.decode()
    assert "Prognos 2015-07-23 för 2015" in forecasts
    assert "74\u00a0000" in forecasts and "162\u00a0877" in forecasts


def test_the_csv_download_holds_the_tables_figures(client, real_data):
    rows = _csv(client.get("/statistics/datasets/asylum-seekers/table.csv?sex=1%2B2&x=year&by="))
    assert rows[0][0] == "År"
    assert dict(rows[1:])["2015"] == "162877" and dict(rows[1:])["2001"] == "23515"
    by_sex = _csv(client.get("/statistics/datasets/asylum-seekers/table.csv?sex=2&sex=1&year=2001&year=2002"))
    assert by_sex == [["År", "Kvinnor", "Män"], ["2001", "..", ".."], ["2002", "12257", "20759"]]


def test_the_api_link_on_the_dataset_page_answers_with_the_same_figures(client, real_data):
    import re
    from html import unescape

    page = client.get("/statistics/datasets/asylum-seekers/?sex=1%2B2&x=year").content.decode()
    found = re.search(r'href="(/api/v1/statistics/datasets/asylum-seekers/observations\?[^"]*)"', page)
    link = unescape(found[1])
    response = client.get(link)
    assert response.status_code == 200, response.content[:300]
    values = {row["year"]: row["value"] for row in response.json()["observations"]}
    assert values["2015"] == 162877


def test_dataset_page_with_a_bad_filter_names_it_and_shows_the_default(client, real_data):
    response = client.get("/statistics/datasets/asylum-seekers/?sex=7")
    assert response.status_code == 400
    assert "”7” är ingen kategori i ”sex”" in response.content.decode()
    assert client.get("/statistics/datasets/asylum-seekers/table.csv?colour=red").status_code == 400


def test_an_internal_dataset_is_404_on_page_and_csv_for_outsiders(client):
    owner = OrganisationFactory()
    slug = store(cube([[1, 2], [3, 4]]), owner_id=owner.pk, is_public=False).dataset.slug
    assert client.get(f"/statistics/datasets/{slug}/").status_code == 404
    assert client.get(f"/statistics/datasets/{slug}/table.csv").status_code == 404
    client.force_login(member("reader"))
    assert client.get(f"/statistics/datasets/{slug}/").status_code == 404
    client.force_login(member("reader", owner))
    assert client.get(f"/statistics/datasets/{slug}/").status_code == 200


def test_upload_needs_an_editor(client):
    assert client.get(UPLOAD).status_code == 302
    client.force_login(member("reader"))
    assert client.get(UPLOAD).status_code == 403


def _post(client, data: bytes, name: str = "table.px", **fields):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), "format": "auto", **fields})


def test_an_editor_uploads_a_pc_axis_file_once(client):
    organisation = OrganisationFactory()
    client.force_login(member("editor", organisation))
    data = (FIXTURES / "asylum_sex_2002_2004_utf8.px").read_bytes()
    response = _post(client, data, owner=organisation.pk, dataset="asylsokande-kon")
    assert response.status_code == 302, response.content.decode()[:2000]
    dataset = Dataset.objects.get(slug="asylsokande-kon")
    assert dataset.owner == organisation and dataset.versions.count() == 1
    assert AuditEvent.objects.filter(code="statistics.version.imported").count() == 1
    again = _post(client, data, owner=organisation.pk, dataset="asylsokande-kon")
    assert again.status_code == 302 and dataset.versions.count() == 1
    assert AuditEvent.objects.filter(code="statistics.version.imported").count() == 1


def test_a_refused_file_names_the_line_and_writes_nothing(client):
    organisation = OrganisationFactory()
    client.force_login(member("editor", organisation))
    bad = b"year,sex,value\n2022,1,10\n2022,2\n"
    response = _post(
        client, bad, name="bad.csv", owner=organisation.pk, dataset="bad", title="T", source_organisation="S"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "line 3" in body.lower()
    assert not Dataset.objects.exists() and not DatasetVersion.objects.exists()


@override_settings(STATISTICS_MAX_UPLOAD_BYTES=1000)
def test_an_upload_over_the_limit_is_refused_before_it_is_stored(client):
    organisation = OrganisationFactory()
    client.force_login(member("editor", organisation))
    response = _post(client, b"x" * 5000, name="big.csv", owner=organisation.pk)
    assert response.status_code == 413
    assert not Dataset.objects.exists()


def test_a_2_gb_upload_is_refused_from_its_declared_length(client):
    organisation = OrganisationFactory()
    client.force_login(member("editor", organisation))
    boundary = "BoUnDaRy"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="owner"\r\n\r\n{organisation.pk}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.px"\r\n'
        'Content-Type: application/octet-stream\r\n\r\nCHARSET="ANSI";\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    response = client.generic(
        "POST",
        UPLOAD,
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(2 * 1024**3),
    )
    assert response.status_code == 413
    assert not Dataset.objects.exists()
