"""The statistics theme pages in the browser: the real shipped figures as a chart (rendered by
Vega-Lite under the Content-Security-Policy) with the same figures in a table, and a CSV download
that holds exactly the table's figures; charts on Arabic pages with no label over another, and
wide tables that scroll inside their own box."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from samverkan.statistics import demo
from samverkan.statistics.real_data import asylum_forecasts_published, asylum_seekers_annual
from tests.browser.support import snap, t

pytestmark = pytest.mark.browser


@pytest.fixture
def real_statistics(transactional_db: Any) -> None:
    demo.load_demo()
    # The forecast models are fitted once per process and cached: fit them before the browser
    # waits for the page.
    Client().get("/statistics/forecasts/")


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
    page.locator("summary").filter(has_text=t("Customise the table")).click()
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


# The boxes of a rendered chart's texts and legend symbols, as the page lays them out. Labels that
# Vega hides to avoid overlaps (a time axis thins its labels) have opacity 0 and are left out.
CHART_BOXES = """
el => {
  const svg = el.querySelector("svg");
  const box = node => {
    const r = node.getBoundingClientRect();
    return {text: node.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  };
  const shown = node => getComputedStyle(node).opacity !== "0" && node.getAttribute("opacity") !== "0";
  const texts = selector => Array.from(el.querySelectorAll(selector)).filter(shown).map(box);
  return {
    svg: box(svg),
    axes: Array.from(el.querySelectorAll(".role-axis")).map(axis =>
      Array.from(axis.querySelectorAll(".role-axis-label text")).filter(shown).map(box)),
    legendLabels: texts(".role-legend-label text"),
    legendSymbols: texts(".role-legend-symbol path"),
    titles: texts(".role-axis-title text, .role-legend-title text"),
  };
}
"""


def _overlap(a: dict[str, Any], b: dict[str, Any], slack: float = 0.5) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack
    )


def _inside(inner: dict[str, Any], outer: dict[str, Any], slack: float = 0.5) -> bool:
    return (
        inner["left"] >= outer["left"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["top"] >= outer["top"] - slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


def _chart_boxes(page: Any, chart_id: str, name: str) -> dict[str, Any]:
    chart = page.locator(f'[data-chart="{chart_id}"]')
    chart.locator("svg").first.wait_for()
    page.wait_for_selector(f'[data-chart="{chart_id}"][data-chart-rendered="true"]')
    chart.scroll_into_view_if_needed()
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        chart.screenshot(path=str(Path(folder) / f"{name}.png"))
    return chart.evaluate(CHART_BOXES)


def _assert_apart(boxes: dict[str, Any]) -> None:
    for axis in boxes["axes"]:
        for i, a in enumerate(axis):
            for b in axis[i + 1 :]:
                assert not _overlap(a, b), f"axis labels overlap: {a} and {b}"
    for label in boxes["legendLabels"]:
        for symbol in boxes["legendSymbols"]:
            assert not _overlap(label, symbol), f"legend symbol on its text: {label} and {symbol}"
    for text in [label for axis in boxes["axes"] for label in axis] + boxes["legendLabels"] + boxes["titles"]:
        assert _inside(text, boxes["svg"]), f"label cut at the chart's edge: {text} in {boxes['svg']}"


def test_an_arabic_line_chart_keeps_labels_legend_symbols_and_the_last_label_apart(
    pages: Any, real_statistics: None
) -> None:
    page = pages.new("ar")
    page.goto("/statistics/asylum-seekers/")
    boxes = _chart_boxes(page, "chart-sex-spec", "statistics-ar-chart-sex")
    years = next(axis for axis in boxes["axes"] if any(label["text"] == "2002" for label in axis))
    assert years[-1]["text"] == "2024", "the last year is drawn"
    assert sorted(label["text"] for label in boxes["legendLabels"]) == ["الرجال", "النساء"]
    assert boxes["legendSymbols"], "the legend has its symbols"
    _assert_apart(boxes)
    snap(page, "statistics-ar-asylum-seekers")


def test_a_category_chart_draws_every_label_in_full_in_arabic_and_swedish(
    pages: Any, real_statistics: None
) -> None:
    forecasts = asylum_forecasts_published().cube.dimensions[0].categories
    for language in ("ar", "sv"):
        page = pages.new(language)
        page.goto("/statistics/datasets/asylum-forecasts/")
        boxes = _chart_boxes(page, "chart-dataset-spec", f"statistics-{language}-forecast-bars")
        labels = max(boxes["axes"], key=len)
        # Every category on its own row, in full: none dropped, none cut short with "…".
        assert sorted(label["text"] for label in labels) == sorted(c.label(language) for c in forecasts)
        _assert_apart(boxes)


OVERFLOWS = "el => el.scrollWidth > el.clientWidth + 1"


def _tables_in_scroll_regions(page: Any) -> list[Any]:
    """Every table of <main> sits in a focusable, labelled region inside the page's column."""
    main = page.locator("main").bounding_box()
    assert main is not None
    regions = []
    for table in page.locator("main table").all():
        region = table.locator("xpath=ancestor::div[contains(@class, 'sv-table-scroll')][1]")
        assert region.count() == 1, "a table outside a scroll region"
        assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
        assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")
        box = region.bounding_box()
        assert box is not None
        assert box["x"] >= main["x"] - 1 and box["x"] + box["width"] <= main["x"] + main["width"] + 1
        regions.append(region)
    return regions


def test_tables_are_not_cut_and_a_wide_one_scrolls_inside_its_labelled_box(
    pages: Any, real_statistics: None
) -> None:
    page = pages.new("en")
    page.goto("/statistics/datasets/asylum-seekers/")
    for region in _tables_in_scroll_regions(page):
        # On a desktop screen every table fits its box: none loses its right-hand columns.
        assert not region.evaluate(OVERFLOWS), "a table is cut at the right of its box"
    for language in ("en", "ar"):
        page = pages.new(language)
        page.set_viewport_size({"width": 360, "height": 800})
        # Sex down the rows and a column for each of the 25 years: far wider than a phone.
        page.goto("/statistics/datasets/asylum-seekers/?x=sex&by=year")
        wider = [region for region in _tables_in_scroll_regions(page) if region.evaluate(OVERFLOWS)]
        assert wider, "the table of 25 years is wider than the page"
        for region in wider:
            region.focus()
            # Towards the end of the line: right in English, left in Arabic.
            for _ in range(5):
                page.keyboard.press("ArrowRight" if language == "en" else "ArrowLeft")
            # Chromium scrolls by keyboard with an animation: wait for it (fails after 5 s).
            page.wait_for_function(
                "el => Math.abs(el.scrollLeft) > 0", arg=region.element_handle(), timeout=5000
            )
