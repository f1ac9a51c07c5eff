"""The statistics pages as a reader sees them in Swedish, English and Arabic (issue #18): no
internal note on a public page, units and dates in the page's language, Arabic titles, labels and
table headers, figures grouped in tables as in the charts, ranges isolated for right to left, the
API link answering with the page's figures, and no English left on a Swedish or Arabic page."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.utils import timezone

from samverkan.accounts.tests.factories import member
from samverkan.core.actor import Actor
from samverkan.core.models import AuditEvent
from samverkan.organisations.tests.factories import OrganisationFactory
from samverkan.statistics import charts, demo
from samverkan.statistics.models import Dataset, DatasetVersion
from samverkan.statistics.real_data import all_real_datasets, asylum_forecasts_published
from samverkan.statistics.services import DatasetFields, dataset_version_import
from samverkan.statistics.storage import decode_dimensions, encode_dimensions
from samverkan.statistics.tests.factories import cube

pytestmark = pytest.mark.django_db

PAGES = (
    "/statistics/",
    "/statistics/asylum-seekers/",
    "/statistics/forecasts/",
    "/statistics/datasets/asylum-seekers/",
    "/statistics/datasets/asylum-applicants-monthly/",
    "/statistics/datasets/asylum-forecasts/",
)


@pytest.fixture
def real_data() -> None:
    demo.load_demo()


def _get(client: Any, path: str, language: str) -> str:
    client.cookies["samverkan_language"] = language
    response = client.get(path)
    assert response.status_code == 200, (path, language, response.status_code)
    return response.content.decode()


class _MainText(HTMLParser):
    """The texts a reader meets in <main>: text nodes, aria-labels and the charts' texts (titles,
    axis and legend titles, tooltips), leaving out what is marked translate="no" (names and
    citations as the sources give them)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._main = False
        self._stack: list[tuple[str, bool]] = []
        self._script = False

    @property
    def _skipping(self) -> bool:
        return any(no for _tag, no in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "main":
            self._main = True
        if not self._main or tag in {"br", "input", "img", "meta", "link", "hr"}:
            if self._main and values.get("aria-label"):
                self.texts.append(values["aria-label"] or "")
            return
        self._stack.append((tag, values.get("translate") == "no"))
        self._script = tag == "script" and values.get("type") == "application/json"
        if values.get("aria-label") and not self._skipping:
            self.texts.append(values["aria-label"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._main = False
        while self._stack:
            open_tag, _no = self._stack.pop()
            if open_tag == tag:
                break
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if not self._main or self._skipping:
            return
        if self._script:
            self.texts.extend(_chart_texts(json.loads(data)))
        elif data.strip():
            self.texts.append(" ".join(data.split()))


def _chart_texts(spec: Any) -> list[str]:
    """Every text a chart specification shows or reads out: titles and the description."""
    found: list[str] = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in {"title", "description"} and isinstance(value, str) and value:
                found.append(value)
            elif key not in {"data", "config", "$schema"}:
                found.extend(_chart_texts(value))
    elif isinstance(spec, list):
        for item in spec:
            found.extend(_chart_texts(item))
    return found


def _texts(html: str) -> list[str]:
    parser = _MainText()
    parser.feed(html)
    return parser.texts


# Names of methods and formats, the same in every language, and words Swedish shares with English.
SAME_IN_EVERY_LANGUAGE = {"ARIMA", "ETS", "CSV", "JSON", "API", "csv", "Format", "Version"}
WORD = re.compile(r"[A-Za-zÅÄÖåäö]{3,}")


def _english_left(page: str, english_page: str) -> list[str]:
    """Texts of ``page`` that are word for word the English page's and hold a word."""
    english = set(_texts(english_page))
    return sorted(
        {
            text
            for text in _texts(page)
            if text in english and any(w not in SAME_IN_EVERY_LANGUAGE for w in WORD.findall(text))
        }
    )


# --- point 10: internal notes ------------------------------------------------------------------


def test_the_compilers_notes_stay_off_the_public_pages_and_the_api(client, real_data):
    for language in ("sv", "en", "ar"):
        for path in PAGES:
            page = _get(client, path, language)
            assert "TV4" not in page and "typo" not in page, (path, language)
    api = client.get("/api/v1/statistics/datasets/asylum-seekers").json()
    assert "internal_note" not in api and "TV4" not in json.dumps(api)
    # Kept for those who maintain the dataset.
    assert "TV4 headline" in Dataset.objects.get(slug="asylum-seekers").internal_note


def test_an_internal_note_is_shown_only_to_those_who_may_import_versions(client):
    owner = OrganisationFactory()
    dataset_version_import(
        actor=Actor.system(),
        cube=cube([[1, 2], [3, 4]]),
        format="csv",
        dataset_slug="noted",
        fields=DatasetFields(
            title_sv="Fiktiv tabell",
            source_organisation="Fiktiv källa",
            owner_id=owner.pk,
            internal_note="Kolla 2023 mot källan (fiktiv anteckning).",
        ),
    )
    path = "/statistics/datasets/noted/"
    assert "Kolla 2023" not in _get(client, path, "sv")
    client.force_login(member("reader", owner))
    assert "Kolla 2023" not in _get(client, path, "sv")
    client.force_login(member("editor", owner))
    page = _get(client, path, "sv")
    assert "Kolla 2023" in page and "Visas inte för allmänheten" in page


# --- point 10: units and dates in the page's language --------------------------------------------


def test_units_are_in_the_pages_language(client, real_data):
    english = _get(client, "/statistics/datasets/asylum-applicants-monthly/", "en")
    assert "personer" not in english and ">people<" in english
    arabic = _get(client, "/statistics/datasets/asylum-applicants-monthly/", "ar")
    assert "personer" not in arabic and ">أشخاص<" in arabic
    swedish = _get(client, "/statistics/datasets/asylum-applicants-monthly/", "sv")
    assert ">personer<" in swedish


def test_dates_follow_the_pages_locale(client, real_data):
    imported = timezone.make_aware(dt.datetime(2025, 3, 21, 14, 5))
    DatasetVersion.objects.filter(dataset__slug="asylum-seekers").update(imported_at=imported)
    path = "/statistics/datasets/asylum-seekers/"
    assert "2025-03-21 14:05" in _get(client, path, "sv")
    english = _get(client, path, "en")
    assert "21/03/2025 2:05 p.m." in english and "03/21/2025" not in english
    assert "21\u200f/03\u200f/2025" in _get(client, path, "ar")


# --- point 10: wide tables scroll in a labelled, focusable region ---------------------------------


def test_every_table_sits_in_a_labelled_focusable_scroll_region(client, real_data):
    table = re.compile(r"<table\b")
    region = re.compile(
        r'<div class="sv-table-scroll" tabindex="0" role="region" aria-(label|labelledby)="[^"]+">\s*<table\b'
    )
    for path in PAGES[1:]:
        page = _get(client, path, "en")
        assert len(region.findall(page)) == len(table.findall(page)), path


def test_a_table_of_three_series_goes_below_the_chart_at_full_width(client, real_data):
    page = _get(client, "/statistics/datasets/asylum-seekers/", "en")
    wrapper = re.search(r'<div class="([^"]+)">\s*<div class="sv-table-scroll"', page)
    assert wrapper and wrapper[1] == "govuk-grid-column-full"


# --- point 5: the API link -------------------------------------------------------------------------


def _table_figures(page: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*data-table="{table}".*?<tbody[^>]*>(.*?)</tbody>', page, re.S)
    assert body
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body[1], re.S)
    ]


@pytest.mark.parametrize("language", ["sv", "en", "ar"])
def test_the_api_link_on_every_dataset_page_answers_with_the_tables_figures(client, real_data, language):
    for real in all_real_datasets():
        for query in ("", "?by=", "?x=" + real.cube.dimensions[-1].code):
            page = _get(client, f"/statistics/datasets/{real.slug}/{query}", language)
            link = re.search(r'href="(/api/v1/statistics/datasets/[^"]*)"', page)
            assert link, real.slug
            response = client.get(unescape(link[1]))
            assert response.status_code == 200, (real.slug, query, response.content[:300])
            body = response.json()
            codes = [d["code"] for d in body["dimensions"]]
            api = {tuple(row[c] for c in codes): row["value"] for row in body["observations"]}
            rows = _table_figures(page, "chart-dataset")
            x_dim, *by_dim = body["dimensions"]
            columns = [c["code"] for c in by_dim[0]["categories"]] if by_dim else [None]
            assert len(rows) == len(x_dim["categories"])
            for row, category in zip(rows, x_dim["categories"], strict=True):
                for cell, column in zip(row[1:], columns, strict=True):
                    key = (category["code"], column) if column else (category["code"],)
                    value = api[key]
                    shown = None if value is None else charts.format_number(value, language)
                    assert cell == (shown or ".."), (real.slug, key, cell, value)


# --- point 11: Arabic ------------------------------------------------------------------------------


def test_arabic_pages_show_arabic_titles_labels_and_forecast_headers(client, real_data):
    page = _get(client, "/statistics/datasets/asylum-forecasts/", "ar")
    forecasts = asylum_forecasts_published()
    assert forecasts.cube.meta.title_ar in page
    headers = re.findall(r'<th scope="col" class="govuk-table__header[^"]*">([^<]*)</th>', page)
    assert "النطاق، الحد الأدنى" in headers and "العدد الفعلي" in headers
    assert "Interval, lower bound" not in page and "Planning assumption" not in page
    theme = _get(client, "/statistics/forecasts/", "ar")
    assert "افتراض التخطيط" in theme and "Planning assumption" not in theme


def test_tables_group_thousands_as_the_charts_do(client, real_data):
    for language, figure in (("sv", "162\u00a0877"), ("en", "162,877"), ("ar", "162٬877")):
        page = _get(client, "/statistics/asylum-seekers/", language)
        assert f'<td class="govuk-table__cell sv-num">{figure}</td>' in page, language
        spec = json.loads(re.search(r'id="chart-total-spec"[^>]*>(.*?)</script>', page, re.S)[1])
        thousands = spec["config"]["locale"]["number"]["thousands"]
        assert figure == f"162{thousands}877"


def test_ranges_in_running_text_and_tables_are_isolated(client, real_data):
    theme = _get(client, "/statistics/asylum-seekers/", "ar")
    assert '<bdi dir="ltr">2000–2024</bdi>' in theme
    forecasts = _get(client, "/statistics/forecasts/", "ar")
    ranges = re.findall(r'<td class="govuk-table__cell sv-num">(.*?)</td>', forecasts)
    intervals = [cell for cell in ranges if "–" in cell]
    assert intervals and all(cell.startswith('<bdi dir="ltr">') for cell in intervals)


def test_swedish_and_arabic_pages_have_no_english_left(client, real_data):
    for path in PAGES:
        english = _get(client, path, "en")
        for language in ("sv", "ar"):
            left = _english_left(_get(client, path, language), english)
            assert not left, (path, language, left)


# --- point 12: wording -----------------------------------------------------------------------------


def test_swedish_wording(client, real_data):
    page = _get(client, "/statistics/datasets/asylum-forecasts/", "sv")
    assert "Intervall, nedre gräns" in page and "lägre gräns" not in page
    assert "Anpassa tabellen" in page and "Välj siffror" not in page


# --- Arabic labels in the stored table, and a demo re-run that corrects stored texts --------------


def test_arabic_labels_are_stored_with_the_table_and_change_only_tables_that_have_them():
    plain = cube([[1, 2], [3, 4]])
    assert decode_dimensions(encode_dimensions(plain)) == plain.dimensions
    assert "label_ar" not in encode_dimensions(plain)[0]  # stored as before: the digest holds
    sex = plain.dimensions[1]
    arabic = replace(
        plain,
        dimensions=(
            plain.dimensions[0],
            replace(
                sex, label_ar="الجنس", categories=tuple(replace(c, label_ar="ع") for c in sex.categories)
            ),
        ),
    )
    assert decode_dimensions(encode_dimensions(arabic)) == arabic.dimensions
    assert arabic.content_sha256() != plain.content_sha256()
    assert arabic.dimensions[1].label("ar") == "الجنس" and arabic.dimensions[0].label("ar") == "Year"


def test_a_demo_rerun_puts_the_current_texts_on_a_dataset_stored_before(real_data):
    Dataset.objects.filter(slug="asylum-forecasts").update(
        source_organisation="Migrationsverket (as reported in the press; one source per forecast)",
        caveats_sv="",
        unit_en="",
    )
    demo.load_demo()
    dataset = Dataset.objects.get(slug="asylum-forecasts")
    assert dataset.source_organisation == "Migrationsverket"
    assert dataset.caveats_sv.startswith("Planeringsantagandena") and dataset.unit_en == "people"
    assert AuditEvent.objects.filter(code="statistics.dataset.texts_changed").count() == 1
    assert DatasetVersion.objects.filter(dataset=dataset).count() == 1
