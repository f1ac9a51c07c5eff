"""The PxWebApi 2 fetcher, offline: a fake ``urlopen`` serves recorded JSON-stat 2.0 answers
(tests/fixtures/pxweb_*.json) and records what was asked for."""

from __future__ import annotations

import io
import json
import os
import urllib.error
import urllib.request
from dataclasses import replace
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from samverkan.statistics.importers import ImportRefused, parse_px
from samverkan.statistics.importers.pxweb import (
    DEFAULT_BASE_URL,
    FetchError,
    cache_path,
    data_url,
    fetch_bilingual,
    fetch_table,
)

FIXTURES = Path(__file__).parent / "fixtures"
SV = (FIXTURES / "pxweb_asylum_sex_2002_2004_sv.json").read_bytes()
EN = (FIXTURES / "pxweb_asylum_sex_2002_2004_en.json").read_bytes()
SELECTION = {"Tid": ["2002", "2003", "2004"], "Kon": ["1", "2", "1+2"], "ContentsCode": ["ASYL01"]}


class FakeResponse:
    def __init__(self, body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self._body = io.BytesIO(body)
        self.status = status
        self.headers = Message()
        for key, value in (headers or {}).items():
            self.headers[key] = value

    def read(self, amount: int = -1) -> bytes:
        return self._body.read(amount)

    def getcode(self) -> int:
        return self.status

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeOpener:
    """Serves the Swedish or English recording by the request's ``lang``; records requests."""

    def __init__(
        self, answers: dict[str, bytes] | None = None, error: Exception | None = None, **response
    ) -> None:
        self.answers = answers if answers is not None else {"sv": SV, "en": EN}
        self.error = error
        self.response = response
        self.requests: list[urllib.request.Request] = []
        self.timeouts: list[float] = []

    def __call__(self, request: urllib.request.Request, timeout: float) -> FakeResponse:
        self.requests.append(request)
        self.timeouts.append(timeout)
        if self.error is not None:
            raise self.error
        language = parse_qs(urlsplit(request.full_url).query)["lang"][0]
        return FakeResponse(self.answers[language], **self.response)

    @property
    def urls(self) -> list[str]:
        return [r.full_url for r in self.requests]


def test_data_url_is_the_pxwebapi_v2_get_form():
    url = data_url("TAB0001", SELECTION, language="sv")
    assert url == (
        "https://statistikdatabasen.scb.se/api/v2/tables/TAB0001/data?lang=sv&outputFormat=json-stat2"
        "&valueCodes[ContentsCode]=ASYL01&valueCodes[Kon]=1,2,1%2B2&valueCodes[Tid]=2002,2003,2004"
    )
    query = parse_qs(urlsplit(url).query)
    assert query["valueCodes[Kon]"] == ["1,2,1+2"]  # "+" survives as a plus, not a space
    assert data_url("TAB0001", {"Tid": ["top(3)"], "Region": ["*"]}, language="en").endswith(
        "lang=en&outputFormat=json-stat2&valueCodes[Region]=*&valueCodes[Tid]=top(3)"
    )
    assert data_url("TAB0001", None).endswith("/tables/TAB0001/data?lang=sv&outputFormat=json-stat2")


def test_fetch_requests_json_stat2_and_caches_the_raw_answer(tmp_path):
    opener = FakeOpener()
    body = fetch_table("TAB0001", SELECTION, cache_dir=tmp_path, opener=opener, timeout=12)
    assert body == SV
    assert opener.urls == [data_url("TAB0001", SELECTION)]
    request = opener.requests[0]
    assert request.get_method() == "GET"
    assert request.get_header("Accept") == "application/json"
    assert opener.timeouts == [12]
    cached = cache_path(tmp_path, "TAB0001", SELECTION)
    assert cached.read_bytes() == SV
    assert [p.name for p in tmp_path.iterdir()] == [cached.name]  # no temporary file left behind


def test_a_cached_table_is_returned_without_the_network_until_refresh(tmp_path):
    opener = FakeOpener()
    fetch_table("TAB0001", SELECTION, cache_dir=tmp_path, opener=opener)
    # The same selection in another order is the same request.
    reordered = dict(reversed(list(SELECTION.items())))
    assert fetch_table("TAB0001", reordered, cache_dir=tmp_path, opener=opener) == SV
    assert len(opener.requests) == 1
    assert fetch_table("TAB0001", SELECTION, cache_dir=tmp_path, opener=opener, refresh=True) == SV
    assert len(opener.requests) == 2


def test_the_cache_key_covers_base_url_table_language_and_selection(tmp_path):
    paths = {
        cache_path(tmp_path, "TAB0001", SELECTION),
        cache_path(tmp_path, "TAB0001", SELECTION, language="en"),
        cache_path(tmp_path, "TAB0002", SELECTION),
        cache_path(tmp_path, "TAB0001", {**SELECTION, "Tid": ["2002"]}),
        cache_path(tmp_path, "TAB0001", SELECTION, base_url="https://data.ssb.no/api/pxwebapi/v2"),
    }
    assert len(paths) == 5
    assert cache_path(tmp_path, "TAB0001", SELECTION) == cache_path(
        tmp_path, "TAB0001", SELECTION, base_url=DEFAULT_BASE_URL + "/"
    )


def test_a_crash_while_caching_leaves_no_half_file(tmp_path, monkeypatch):
    opener = FakeOpener()
    fetch_table("TAB0001", SELECTION, cache_dir=tmp_path, opener=opener)
    cached = cache_path(tmp_path, "TAB0001", SELECTION)

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    changed = FakeOpener(answers={"sv": SV.replace(b"20759", b"99999")})
    with pytest.raises(OSError, match="disk full"):
        fetch_table("TAB0001", SELECTION, cache_dir=tmp_path, opener=changed, refresh=True)
    assert cached.read_bytes() == SV  # the earlier copy is untouched
    assert [p.name for p in tmp_path.iterdir()] == [cached.name]  # the temporary file is gone
    other = cache_path(tmp_path, "TAB0009", SELECTION)
    with pytest.raises(OSError):
        fetch_table("TAB0009", SELECTION, cache_dir=tmp_path, opener=changed)
    assert not other.exists()


def test_http_errors_carry_pxwebs_problem_detail_and_cache_nothing(tmp_path):
    problem = json.dumps(
        {"title": "Bad Request", "status": 400, "detail": "Value, 2099 is not a valid value code"}
    )
    error = urllib.error.HTTPError(
        data_url("TAB0001", SELECTION), 400, "Bad Request", Message(), io.BytesIO(problem.encode())
    )
    with pytest.raises(FetchError) as info:
        fetch_table("TAB0001", SELECTION, cache_dir=tmp_path, opener=FakeOpener(error=error))
    assert info.value.status == 400
    assert "HTTP 400: Bad Request: Value, 2099 is not a valid value code" in str(info.value)
    assert "/tables/TAB0001/data?" in str(info.value)
    assert list(tmp_path.iterdir()) == []

    too_many = urllib.error.HTTPError("u", 403, "Forbidden", Message(), io.BytesIO(b"{}"))
    with pytest.raises(FetchError, match="more cells than the service allows"):
        fetch_table("TAB0001", SELECTION, cache_dir=tmp_path, opener=FakeOpener(error=too_many))
    with pytest.raises(FetchError, match="HTTP 500"):
        fetch_table("TAB0001", SELECTION, cache_dir=tmp_path, opener=FakeOpener(status=500))


def test_timeouts_and_unreachable_hosts_are_clear_errors(tmp_path):
    with pytest.raises(FetchError, match="did not answer within 5 seconds"):
        fetch_table("TAB0001", None, cache_dir=tmp_path, opener=FakeOpener(error=TimeoutError()), timeout=5)
    refused = urllib.error.URLError(ConnectionRefusedError("Connection refused"))
    with pytest.raises(FetchError, match="could not be reached: Connection refused"):
        fetch_table("TAB0001", None, cache_dir=tmp_path, opener=FakeOpener(error=refused))
    assert list(tmp_path.iterdir()) == []


def test_oversize_answers_are_refused(tmp_path):
    declared = FakeOpener(headers={"Content-Length": str(len(SV))})
    with pytest.raises(FetchError, match=f"{len(SV)} bytes, more than the limit of 100"):
        fetch_table("TAB0001", None, cache_dir=tmp_path, opener=declared, max_bytes=100)
    with pytest.raises(FetchError, match="more than the limit of 100 bytes"):
        fetch_table("TAB0001", None, cache_dir=tmp_path, opener=FakeOpener(), max_bytes=100)
    assert list(tmp_path.iterdir()) == []
    assert fetch_table("TAB0001", None, cache_dir=tmp_path, opener=FakeOpener(), max_bytes=len(SV)) == SV


def test_an_answer_that_is_not_json_stat_is_not_cached(tmp_path):
    html = FakeOpener(answers={"sv": b"<html>Service unavailable</html>"})
    with pytest.raises(FetchError, match="not JSON"):
        fetch_table("TAB0001", None, cache_dir=tmp_path, opener=html)
    other = FakeOpener(answers={"sv": b'{"version": "2.0", "class": "collection"}'})
    with pytest.raises(FetchError, match=r"not a JSON-stat 2\.0 dataset"):
        fetch_table("TAB0001", None, cache_dir=tmp_path, opener=other)
    assert list(tmp_path.iterdir()) == []


def test_a_selection_too_long_for_a_url_is_posted(tmp_path):
    regions = [f"{n:04d}" for n in range(400)]
    opener = FakeOpener()
    fetch_table("TAB638", {"Region": regions, "Kon": ["1,2"]}, cache_dir=tmp_path, opener=opener)
    request = opener.requests[0]
    assert request.get_method() == "POST"
    assert request.full_url == f"{DEFAULT_BASE_URL}/tables/TAB638/data?lang=sv&outputFormat=json-stat2"
    assert request.get_header("Content-type") == "application/json"
    assert json.loads(request.data) == {
        "selection": [
            {"variableCode": "Kon", "valueCodes": ["1,2"]},
            {"variableCode": "Region", "valueCodes": regions},
        ]
    }


@pytest.mark.parametrize(
    ("table_id", "selection", "kwargs"),
    [
        ("../../etc/passwd", None, {}),
        ("TAB/1", None, {}),
        ("TAB1", None, {"language": "sv&x=1"}),
        ("TAB1", None, {"base_url": "file:///etc"}),
        ("TAB1", {"Tid": []}, {}),
        ("TAB1", {"Tid": "2019"}, {}),
    ],
)
def test_requests_that_cannot_be_sent_are_refused_before_the_network(tmp_path, table_id, selection, kwargs):
    opener = FakeOpener()
    with pytest.raises(ValueError):
        fetch_table(table_id, selection, cache_dir=tmp_path, opener=opener, **kwargs)
    assert opener.requests == []


def test_fetch_bilingual_merges_swedish_and_english_labels(tmp_path):
    opener = FakeOpener()
    cube = fetch_bilingual("TAB0001", SELECTION, cache_dir=tmp_path, opener=opener)
    assert sorted(parse_qs(urlsplit(unquote(u)).query)["lang"][0] for u in opener.urls) == ["en", "sv"]
    kon = cube.dimensions[0]
    assert [(c.code, c.label_sv, c.label_en) for c in kon.categories] == [
        ("1", "män", "men"),
        ("2", "kvinnor", "women"),
        ("1+2", "totalt", "total"),
    ]
    assert (cube.meta.title_sv, cube.meta.title_en) == (
        "Asylsökande efter kön, tabellinnehåll och år",
        "Asylum seekers by sex, observations and year",
    )
    # The same table as the bilingual PC-Axis file, apart from the update time's notation.
    from_px = parse_px((FIXTURES / "asylum_sex_2002_2004_utf8.px").read_bytes())
    assert (
        replace(cube, meta=replace(cube.meta, updated="")).content_sha256()
        == replace(from_px, meta=replace(from_px.meta, updated="")).content_sha256()
    )
    # Both answers are cached: a second call does not touch the network.
    fetch_bilingual("TAB0001", SELECTION, cache_dir=tmp_path, opener=opener)
    assert len(opener.requests) == 2


def test_fetch_bilingual_refuses_two_answers_that_are_not_the_same_table(tmp_path):
    opener = FakeOpener(answers={"sv": SV, "en": EN.replace(b"20759", b"20760")})
    with pytest.raises(ImportRefused, match="the values differ, first at cell 0"):
        fetch_bilingual("TAB0001", SELECTION, cache_dir=tmp_path, opener=opener)


def test_the_metadata_refusal_names_the_data_address_this_client_fetches():
    """A PxWebApi 2 metadata answer (fixtures/real/pxwebapi) is refused pointing at the /data
    address that ``data_url`` builds for the same table."""
    from samverkan.statistics.importers import parse

    real = Path(__file__).with_name("fixtures") / "real" / "pxwebapi" / "MetadataById_tab004_js2.json"
    with pytest.raises(ImportRefused) as info:
        parse(real.read_bytes(), "auto", filename=real.name)
    url = data_url("TAB004", None, language="en")
    path = urlsplit(url).path.rsplit("/api/v2/", 1)[1]
    assert f".../api/v2/{path}?outputFormat=json-stat2" in info.value.message
    assert "This is the table's metadata, not its data" in info.value.message
