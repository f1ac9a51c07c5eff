"""The open data API: datasets, observations filtered by dimension as JSON and CSV, composition."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from samverkan.accounts.tests.factories import member
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.statistics.cube import Cube
from samverkan.statistics.tests.factories import cube, dim, store

pytestmark = pytest.mark.django_db
URL = "/api/v1/statistics/datasets"


def test_datasets_are_listed_with_provenance_and_detailed_with_dimensions(client):
    store(cube([[10, 12], [7, 9]], table_id="TAB1"))
    listing = client.get(URL).json()
    assert [(d["slug"], d["source_organisation"], d["current_version"]) for d in listing] == [
        ("test-table", "Fiktiv källa", 1)
    ]
    detail = client.get(f"{URL}/test-table").json()
    assert [d["code"] for d in detail["dimensions"]] == ["year", "sex"]
    assert detail["dimensions"][1]["categories"][0] == {
        "code": "1",
        "label_sv": "1 (sv)",
        "label_en": "1 (en)",
        "label_ar": "",
        # In the request's language (Swedish by default), and every language the table has.
        "label": "1 (sv)",
        "labels": {"sv": "1 (sv)", "en": "1 (en)"},
    }
    assert detail["versions"][0]["number"] == 1 and detail["versions"][0]["cell_count"] == 4


def test_observations_filter_by_dimension_and_total_the_rest(client):
    store(cube([[10, 12], [7, 9]]))
    body = client.get(f"{URL}/test-table/observations", {"sex": "2"}).json()
    assert body["observations"] == [
        {"year": "2022", "sex": "2", "value": 12.0, "status": None},
        {"year": "2023", "sex": "2", "value": 9.0, "status": None},
    ]
    totals = client.get(f"{URL}/test-table/observations?keep=year&year=2022,2023").json()
    assert [o["value"] for o in totals["observations"]] == [22.0, 16.0]
    assert [d["code"] for d in totals["dimensions"]] == ["year"]


def test_observations_as_csv_hold_the_same_figures(client):
    store(cube([[10, float("nan")], [7, 9]]))
    response = client.get(f"{URL}/test-table/observations", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["year", "sex", "value", "status"]
    assert rows[1:] == [
        ["2022", "1", "10", ""],
        ["2022", "2", "", ".."],
        ["2023", "1", "7", ""],
        ["2023", "2", "9", ""],
    ]


def test_bad_filters_are_422_naming_the_dimension(client):
    store(cube([[10, 12], [7, 9]]))
    response = client.get(f"{URL}/test-table/observations", {"region": "A"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "region"
    response = client.get(f"{URL}/test-table/observations", {"sex": "7"})
    assert response.status_code == 422 and "7" in response.json()["detail"][0]["msg"]


def test_internal_datasets_are_404_on_the_api_for_outsiders(client):
    owner = OrganisationFactory()
    slug = store(cube([[1, 2], [3, 4]]), owner_id=owner.pk, is_public=False).dataset.slug
    for path in ("", "/observations", "/composition?dimensions=sex"):
        assert client.get(f"{URL}/{slug}{path}").status_code == 404
    assert client.get(URL).json() == []
    client.force_login(member("reader", owner))
    assert client.get(f"{URL}/{slug}/observations").status_code == 200


def test_person_level_observations_withhold_small_cells(client):
    values = np.array([[30, 2, 40], [25, 35, 45], [50, 60, 70]])
    store(Cube((dim("region", ["A", "B", "C"]), dim("ground", ["P", "F", "W"])), values), person_level=True)
    body = client.get(f"{URL}/test-table/observations").json()
    cell = next(o for o in body["observations"] if (o["region"], o["ground"]) == ("A", "F"))
    assert cell == {"region": "A", "ground": "F", "value": None, "status": "x"}
    assert body["withheld"] >= 4
    assert all(o["value"] != 2 for o in body["observations"])


def test_composition_returns_target_shares(client):
    store(cube([[10, 30], [20, 40]]))
    body = client.get(f"{URL}/test-table/composition", {"dimensions": "sex", "year": "2022"}).json()
    assert body["filters"] == {"year": ["2022"]}
    (sex,) = body["dimensions"]
    assert [(s["code"], s["share"]) for s in sex["shares"]] == [("1", 0.25), ("2", 0.75)]
    assert client.get(f"{URL}/test-table/composition", {"dimensions": "colour"}).status_code == 422


def test_keep_with_a_repeated_or_unknown_dimension_is_422(client):
    store(cube([[10, 12], [7, 9]]))
    for keep in ("year,year", "colour"):
        response = client.get(f"{URL}/test-table/observations", {"keep": keep})
        assert response.status_code == 422, keep
        assert response.json()["detail"][0]["loc"][-1] == "keep"
