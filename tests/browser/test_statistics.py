"""The statistics theme pages in the browser: the real shipped figures as a chart (rendered by
Vega-Lite under the Content-Security-Policy) with the same figures in a table, and a CSV download
that holds exactly the table's figures."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from samverkan.statistics import demo
from samverkan.statistics.real_data import asylum_seekers_annual

pytestmark = pytest.mark.browser


@pytest.fixture
def real_statistics(transactional_db: Any) -> None:
    demo.load_demo()


def _number(text: str) -> float | None:
    """A figure as the Swedish page writes it ("162 877", "1,5"), or None for a symbol."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _csv_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _download_csv(page: Any, link: str) -> list[list[str]]:
    with page.expect_download() as download_info:
        page.locator(link).click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _table(page: Any, selector: str) -> list[list[str]]:
    return page.locator(f"{selector} tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.children).map(c => c.textContent.trim()))"
    )


def test_asylum_theme_page_renders_chart_and_table_and_the_csv_matches(
    page: Any, real_statistics: None
) -> None:
    page.goto("/statistics/asylum-seekers/")
    chart = page.locator('[data-chart="chart-total-spec"]')
    chart.locator("svg").first.wait_for()
    assert chart.get_attribute("data-chart-rendered") == "true"
    # One point per year in the chart, and the y axis labelled with Swedish grouping.
    assert chart.locator("svg path.mark-symbol, svg g.mark-symbol path").count() >= 25
    rows = _table(page, 'table[data-table="chart-total"]')
    shipped = asylum_seekers_annual().cube
    years = [c.code for c in shipped.dimensions[0].categories]
    assert [r[0] for r in rows] == years
    by_year = {r[0]: r[1] for r in rows}
    assert by_year["2015"] == "162\u00a0877"  # the real figure, with a Swedish thousands separator

    csv_rows = _download_csv(page, 'a[data-csv="chart-total"]')
    assert csv_rows[0][0] == "År"
    assert [(r[0], _csv_number(r[1])) for r in csv_rows[1:]] == [(r[0], _number(r[1])) for r in rows]


def test_sex_chart_has_two_series_and_its_table_and_csv_agree(page: Any, real_statistics: None) -> None:
    page.goto("/statistics/asylum-seekers/")
    chart = page.locator('[data-chart="chart-sex-spec"]')
    chart.locator("svg").first.wait_for()
    legend = chart.locator("svg .role-legend-label text").all_text_contents()
    assert sorted(legend) == ["Kvinnor", "Män"]
    rows = _table(page, 'table[data-table="chart-sex"]')
    assert rows[0][0] == "2002"
    csv_rows = _download_csv(page, 'a[data-csv="chart-sex"]')
    assert csv_rows[0][1:] == ["Kvinnor", "Män"]
    assert [[r[0], *map(_csv_number, r[1:])] for r in csv_rows[1:]] == [
        [r[0], *map(_number, r[1:])] for r in rows
    ]


def test_forecast_page_shows_the_agency_assumptions_and_model_intervals(
    page: Any, real_statistics: None
) -> None:
    page.goto("/statistics/forecasts/")
    chart = page.locator('[data-chart="chart-forecast-spec"]')
    chart.locator("svg").first.wait_for()
    assert chart.get_attribute("data-chart-rendered") == "true"
    agency = _table(page, 'table[data-table="agency"]')
    first = agency[0]
    assert (
        first[0].startswith("Prognos 2015-07-23")
        and _number(first[1]) == 74000
        and _number(first[4]) == 162877
    )
    models = _table(page, 'table[data-table="models"]')
    assert {r[1] for r in models} == {"2025", "2026", "2027"}


def test_dataset_page_filters_and_its_csv_follows_the_filter(page: Any, real_statistics: None) -> None:
    page.goto("/statistics/datasets/asylum-seekers/")
    page.locator("summary").filter(has_text="Välj siffror").click()
    page.get_by_role("checkbox", name="2015", exact=True).check()
    page.get_by_role("checkbox", name="2016", exact=True).check()
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**year=2015**")
    rows = _table(page, 'table[data-table="chart-dataset"]')
    assert [r[0] for r in rows] == ["2015", "2016"]
    assert _number(rows[0][1]) == 162877
    csv_rows = _download_csv(page, 'a[data-csv="chart-dataset"]')
    assert [[r[0], *map(_csv_number, r[1:])] for r in csv_rows[1:]] == [
        [r[0], *map(_number, r[1:])] for r in rows
    ]
