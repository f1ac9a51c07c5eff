"""Malformed query parameters on every statistics endpoint are refused with a 4xx naming the
parameter: never a server error, and never a debug page that shows the unprotected table.

A repeated filter (``?sex=2&sex=2``) used to reach the disclosure package's own argument check
(``disclosure.views._normalise``), whose ``DisclosureError`` became a 500 and, with DEBUG on, a
debug page whose frames held the person-level cube with the values it withholds. Now
``selectors._selection`` checks every filter at the boundary (unknown dimension, unknown, empty or
repeated category), the views and the API check the parameters that name one thing (``x``,
``by``, ``keep``, ``format``, ``dimensions``), and a ``DisclosureError`` that still reaches the
selectors becomes a refusal of the request.

The pages and the CSV download answer 400; the API answers 422, the shape of its own errors (see
``config/api.py``). Every request runs with DEBUG off and on, as an anonymous visitor, and every
body is searched for the values the disclosure control withholds: the cells and totals that
``table_for`` publishes as withheld, whose true values are five- and six-digit counts (the small
primary cells themselves, 2 to 4, cannot be searched for; the larger cells withheld to protect
them can, and a debug page would show them all), written as a whole number, grouped by
thousands, or in scientific notation as NumPy prints an array.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import combinations

import numpy as np
import pytest
from django.test import Client, override_settings

from samverkan.core.actor import Actor
from samverkan.statistics import disclosure_store, selectors
from samverkan.statistics.cube import TIME, Cube
from samverkan.statistics.disclosure import DisclosureError
from samverkan.statistics.storage import version_cube
from samverkan.statistics.tests.factories import dim, store

pytestmark = pytest.mark.django_db

SLUG = "personer"
PAGE = f"/statistics/datasets/{SLUG}/"
CSV = f"/statistics/datasets/{SLUG}/table.csv"
API = f"/api/v1/statistics/datasets/{SLUG}/observations"
API_CSV = f"{API}?format=csv"
COMPOSITION = f"/api/v1/statistics/datasets/{SLUG}/composition?dimensions=sex"
PAGES = (PAGE, CSV)
APIS = (API, API_CSV, COMPOSITION)
EVERYWHERE = PAGES + APIS
# Counts of persons (made up), year × sex × region: three small cells and large ones around them.
VALUES = np.array(
    [
        [[41_372, 3, 52_468], [39_182, 60_273, 28_642]],
        [[53_928, 47_182, 2], [46_029, 37_819, 51_293]],
        [[62_139, 58_301, 49_273], [4, 43_847, 39_485]],
    ],
    dtype=float,
)


@pytest.fixture
def secrets() -> list[int]:
    """Stores the person-level dataset (threshold 5); returns the true values, 1,000 or more, of
    the cells and totals it withholds."""
    table = Cube(
        (
            dim("year", ["2022", "2023", "2024"], role=TIME),
            dim("sex", ["1", "2"]),
            dim("region", ["A", "B", "C"]),
        ),
        VALUES,
    )
    outcome = store(table, slug=SLUG, person_level=True, threshold=5)
    truth = version_cube(outcome.version)
    codes = [d.code for d in truth.dimensions]
    withheld: set[int] = set()
    for size in range(1, len(codes) + 1):
        for keep in combinations(codes, size):
            published = selectors.table_for(actor=Actor.anonymous(), dataset=outcome.dataset, keep=list(keep))
            true = truth.total(list(keep)).values
            withheld.update(int(v) for v in true[np.isnan(published.cube.values)].tolist())
    secrets = sorted(v for v in withheld if v >= 1_000)
    assert len(secrets) >= 3, secrets
    return secrets


def _forms(value: int) -> Iterator[re.Pattern[str]]:
    digits = str(value)
    alone = r"(?<![0-9A-Za-z]){}(?![0-9A-Za-z])"
    # Whole, or grouped by thousands with one separator (space, no-break space, comma, point).
    groups = [digits[max(0, i - 3) : i] for i in range(len(digits), 0, -3)][::-1]
    yield re.compile(alone.format(r"[\s,.\u00a0\u202f]?".join(groups)))
    # Scientific, as NumPy prints an array of mixed magnitudes: 4.1372e+04.
    mantissa, exponent = f"{value:e}".split("e")
    scientific = re.escape(mantissa.rstrip("0").rstrip(".")) + r"0*e\+0*" + str(int(exponent))
    yield re.compile(alone.format(scientific))


def _assert_hides(body: str, secrets: list[int]) -> None:
    for value in secrets:
        for form in _forms(value):
            assert not form.search(body), f"a withheld value ({form.pattern}) is in the answer"


def _get(client: Client, url: str, query: str):
    separator = "&" if "?" in url else "?"
    return client.get(f"{url}{separator}{query}" if query else url)


def _expected_status(url: str) -> int:
    return 422 if url.startswith("/api/") else 400


def _complaint(response) -> str:
    """What the answer says is wrong: the API's messages and where, the page's error summary,
    the CSV download's plain-text refusal."""
    if response["Content-Type"].startswith("application/json"):
        return " ".join(f"{item['loc']} {item['msg']}" for item in response.json()["detail"])
    body = response.content.decode("utf-8", "replace")
    if response["Content-Type"].startswith("text/html"):
        summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', body, re.S)
        assert summary is not None, body[:500]
        return summary.group(1)
    return body


# (case, query string, the endpoints it applies to, what the complaint must name: the parameter,
# or on the page, whose error summary shows messages without field names, the value)
CASES = [
    ("repeated category", "sex=2&sex=2", EVERYWHERE, "sex"),
    ("repeated category, comma list", "sex=2,1,2", APIS, "sex"),
    ("repeated category among others", "year=2022&year=2023&year=2022", EVERYWHERE, "year"),
    ("unknown dimension", "colour=red", EVERYWHERE, "colour"),
    ("unknown category", "sex=9", EVERYWHERE, "sex"),
    ("empty value", "sex=", EVERYWHERE, "sex"),
    ("non-UTF-8 value", "sex=%FF%FE", EVERYWHERE, "sex"),
    ("non-UTF-8 name", "%FF%FE=1", EVERYWHERE, "\ufffd"),
    ("NUL value", "sex=%00", EVERYWHERE, "sex"),
    ("huge list of one code", "sex=" + ",".join(["1"] * 50_000), APIS, "sex"),
    ("huge list of unknown codes", "region=" + ",".join(str(i) for i in range(50_000)), APIS, "region"),
    ("repeated x", "x=year&x=sex", PAGES, "x"),
    ("repeated by", "by=sex&by=region", PAGES, "by"),
    ("unknown x", "x=colour", PAGES, "colour"),
    ("unknown by", "by=colour", PAGES, "colour"),
    ("x and by the same", "x=sex&by=sex", PAGES, "columns"),
    ("repeated keep", "keep=year,year", (API, API_CSV), "keep"),
    ("keep given twice", "keep=year&keep=sex", (API, API_CSV), "keep"),
    ("unknown keep", "keep=colour", (API, API_CSV), "keep"),
    ("format given twice", "format=json&format=csv", (API,), "format"),
    ("unknown format", "format=xml", (API,), "format"),
    ("dimensions given twice", "dimensions=year", (COMPOSITION,), "dimensions"),
    (
        "repeated dimension",
        "dimensions=sex,sex",
        (f"/api/v1/statistics/datasets/{SLUG}/composition",),
        "dimensions",
    ),
    (
        "unknown dimension to mirror",
        "dimensions=colour",
        (f"/api/v1/statistics/datasets/{SLUG}/composition",),
        "dimensions",
    ),
]


def _requests() -> Iterator[tuple[str, str, str, str]]:
    for name, query, urls, names in CASES:
        for url in urls:
            yield name, url, query, names


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize(("name", "url", "query", "names"), list(_requests()), ids=lambda v: str(v)[:40])
def test_a_malformed_parameter_is_refused_naming_it(secrets, debug, name, url, query, names):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    with override_settings(DEBUG=debug):
        response = _get(client, url, query)
    body = response.content.decode("utf-8", "replace")
    assert response.status_code == _expected_status(url), (name, response.status_code, body[:500])
    assert names in _complaint(response)
    _assert_hides(body, secrets)


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_the_messages_say_what_is_wrong(secrets, debug):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    with override_settings(DEBUG=debug):
        page = client.get(f"{PAGE}?sex=2&sex=2").content.decode()
        api = client.get(f"{API}?sex=2&sex=2").json()["detail"][0]
        empty = client.get(f"{CSV}?sex=").content.decode()
        twice = client.get(f"{PAGE}?x=year&x=sex").content.decode()
        keep = client.get(f"{API}?keep=year&keep=sex").json()["detail"][0]
        mirror = client.get(f"/api/v1/statistics/datasets/{SLUG}/composition?dimensions=sex,sex").json()[
            "detail"
        ][0]
    repeated = "The category “2” of “sex” is given more than once."
    assert repeated in page
    assert api["loc"][-1] == "sex" and api["msg"] == repeated
    assert empty == "sex: An empty value was given for “sex”."
    assert "Give “x” once." in twice
    assert keep["loc"][-1] == "keep" and keep["msg"] == "Give “keep” once."
    assert mirror["loc"][-1] == "dimensions" and mirror["msg"] == "Name each dimension to mirror once."


TOO_MANY = "&".join(f"region=R{i}" for i in range(1_500))  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1,000


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_too_many_parameters_are_refused_before_any_figure(secrets, debug):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    for url in PAGES:
        with override_settings(DEBUG=debug):
            response = client.get(f"{url}?{TOO_MANY}")
        assert response.status_code == 400, (url, response.status_code)
        assert "The address has more than 1000 parameters." in _complaint(response)
        _assert_hides(response.content.decode("utf-8", "replace"), secrets)
    for url in APIS:  # Django refuses them while ninja reads the query
        with override_settings(DEBUG=False):
            response = _get(client, url, TOO_MANY)
        assert response.status_code == 400, (url, response.status_code)
        _assert_hides(response.content.decode("utf-8", "replace"), secrets)


def test_too_many_parameters_on_the_api_with_debug_on(secrets):
    client = Client(raise_request_exception=False)
    with override_settings(DEBUG=True):
        response = _get(client, API, TOO_MANY)
    _assert_hides(response.content.decode("utf-8", "replace"), secrets)
    assert response.status_code == 400


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_disclosure_error_behind_the_selectors_is_a_refusal_not_a_500(secrets, debug, monkeypatch):
    def refuse(*args, **kwargs):
        raise DisclosureError("axis 1: repeated category index")

    monkeypatch.setattr(disclosure_store, "published_values", refuse)
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    for url in EVERYWHERE:
        with override_settings(DEBUG=debug):
            response = client.get(url)
        body = response.content.decode("utf-8", "replace")
        assert response.status_code == _expected_status(url), (url, response.status_code, body[:500])
        assert "These figures cannot be shown for this selection." in body, body[:500]
        _assert_hides(body, secrets)


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_well_formed_requests_still_answer_and_withhold(secrets, debug):
    # The control: the same endpoints with good parameters answer 200 and still hide the values,
    # so the search above would find them if they were there (see test_the_search_finds_values).
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    for url in EVERYWHERE:
        for query in (
            "",
            "sex=2&sex=1",
            "year=2022,2024" if url.startswith("/api/") else "year=2022&year=2024",
        ):
            with override_settings(DEBUG=debug):
                response = _get(client, url, query)
            assert response.status_code == 200, (url, query, response.content[:500])
            _assert_hides(response.content.decode("utf-8", "replace"), secrets)


def test_the_search_finds_values_in_every_form(secrets):
    for value in secrets:
        for text in (
            str(value),
            f"{value:,}",
            f"{value:,}".replace(",", "\u00a0"),
            repr(float(value)),
            repr(np.array([float(value), 2.0])),  # scientific: the magnitudes differ
        ):
            with pytest.raises(AssertionError):
                _assert_hides(f"<td>{text}</td>", [value])
    with pytest.raises(AssertionError):
        _assert_hides(repr(VALUES), secrets)
    # A number that merely contains the digits is not the value; nor is a token holding them.
    _assert_hides(f"<td>1{secrets[0]}</td> csrf=ab{secrets[0]}cd", secrets[:1])
