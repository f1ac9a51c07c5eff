"""Every language a statistics file carries is kept and shown (issue #19): a Finnish/Swedish/English
PC-Axis file from Statistics Finland, an English/Swedish/Finnish one from PxWeb's example database
and a German/French/Italian/English one from the Swiss FSO keep all their languages; ``label_en``
only ever holds English; pages show the reader's language, else Swedish, else the file's main
language; the API gives every label and the one in the requested language.

The files are in fixtures/real/languages/ (sources and licences in its README.md)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from samverkan.statistics.cube import Category, Cube, Dimension, TableMeta, in_language
from samverkan.statistics.importers import ImportRefused
from samverkan.statistics.importers._common import label_slot, merge_languages
from samverkan.statistics.importers.jsonstat import parse_jsonstat
from samverkan.statistics.importers.px import parse_px
from samverkan.statistics.storage import decode_dimensions, decode_meta, encode_dimensions, version_fields
from samverkan.statistics.tests.factories import cube, store

REAL = Path(__file__).parent / "fixtures" / "real" / "languages"
FINLAND = "statfin_ashi_pxt_13pz.px"  # LANGUAGE="fi"; LANGUAGES="fi","sv","en"
PXWEB = "BE0101F1langensvfiolikacelln.px"  # LANGUAGE="en"; LANGUAGES="en","sv","fi"
SWISS = "px-x-0602000000_107.px"  # LANGUAGE="de"; LANGUAGES="de","fr","it","en"
TWO = "PR0101B3hier2lang.px"  # LANGUAGE="en"; LANGUAGES="en","sv"
API = "/api/v1/statistics/datasets"


def read(name: str) -> Cube:
    return parse_px((REAL / name).read_bytes())


def finnish_only() -> bytes:
    """The Statistics Finland file with its Swedish and English keywords taken out: what a file
    that carries Finnish only looks like."""
    text = (REAL / FINLAND).read_text(encoding="utf-8")
    lines: list[str] = []
    dropping = False  # inside a removed keyword that continues on the next lines
    for line in text.split("\n"):
        if re.match(r"[A-Z-]+\[(sv|en)\]", line) or dropping:
            dropping = not line.rstrip().endswith(";")
            continue
        lines.append(line)
    body = "\n".join(lines).replace('LANGUAGES="fi","sv","en";', 'LANGUAGES="fi";')
    return body.encode("utf-8")


# --- the readers --------------------------------------------------------------------------------


def test_a_finnish_swedish_english_px_file_keeps_all_three_languages():
    table = read(FINLAND)
    region = table.dimension("Alue")
    assert (region.label_sv, region.label_en, region.labels) == ("Område", "Region", (("fi", "Alue"),))
    whole = region.categories[0]
    assert whole.code == "ksu"
    # label_en is English, never the file's main language (Finnish), which is kept under "fi".
    assert (whole.label_sv, whole.label_en, whole.labels) == (
        "Hela landet",
        "Whole country",
        (("fi", "Koko maa"),),
    )
    assert whole.texts() == {"sv": "Hela landet", "en": "Whole country", "fi": "Koko maa"}
    assert [whole.label(lang) for lang in ("sv", "en", "fi")] == ["Hela landet", "Whole country", "Koko maa"]
    measures = table.dimension("Tiedot")
    assert measures.categories[-1].label("en") == "Revision, number of sales"
    assert measures.categories[-1].label("fi") == "Tarkentuminen, kauppojen lukumäärä"
    meta = table.meta
    assert (meta.title_sv, meta.title_en, meta.titles, meta.language) == (
        "test_title_sv",
        "test_title_en",
        (("fi", "test_title_fi"),),
        "fi",
    )
    assert meta.table_id == "statfin_ashi_pxt_13pz"


def test_the_statistics_finland_file_agrees_with_pyaxis_cell_for_cell():
    pyaxis = pytest.importorskip("pyaxis.pyaxis")
    oracle = pyaxis.parse(str(REAL / FINLAND), encoding="utf-8")["DATA"]
    table = read(FINLAND)
    ours = [
        (tuple(category.label("fi") for category in combo), value)
        for combo, value in zip(_combinations(table), table.values.ravel().tolist(), strict=True)
    ]
    theirs = [(tuple(row[:3]), float(row[3])) for row in oracle.itertuples(index=False)]
    assert ours == theirs and len(ours) == 450


def _combinations(table: Cube):
    for index in np.ndindex(*table.shape):
        yield [dim.categories[i] for dim, i in zip(table.dimensions, index, strict=True)]


def test_an_english_main_file_with_swedish_and_finnish_keeps_the_finnish_too():
    table = read(PXWEB)
    region = table.dimension("region")
    assert region.texts() == {"sv": "region", "en": "region", "fi": "kunta"}
    sweden = region.categories[0]
    assert sweden.texts() == {"sv": "00 Riket", "en": "00 Sweden", "fi": "Ruotsi"}
    assert table.meta.title("fi") == "Väestönmuutokset muuttujina kunta, ikä, aika, tyypi ja sukupuoli"
    assert table.meta.title("sv") == "Flyttningar efter region, ålder, tid, typ och kön"


def test_a_file_without_swedish_shows_its_main_language_before_any_other():
    table = read(SWISS)
    division = table.dimensions[0]
    assert division.label_sv == "" and division.label_en == "Economic division"
    assert [code for code, _text in division.labels] == ["de", "fr", "it"]  # the file's order
    total = division.categories[0]
    assert total.label_en == "5-96 Total" and total.label("it") == "5-96 Totale"
    # Swedish and Arabic readers: no Swedish, so the main language (German), not English.
    assert division.label("sv") == division.label("ar") == "Wirtschaftsabteilung"
    assert table.meta.title("sv").startswith("Betriebe nach Schwierigkeiten")
    assert table.meta.title("en").startswith("Businesses by difficulties")
    assert table.meta.title("fr").startswith("Etablissements selon")


def test_a_finnish_only_file_leaves_label_en_empty_and_keeps_finnish():
    table = parse_px(finnish_only())
    region = table.dimension("Alue")
    assert (region.label_sv, region.label_en, region.labels) == ("", "", (("fi", "Alue"),))
    whole = region.categories[0]
    assert (whole.label_sv, whole.label_en, whole.labels) == ("", "", (("fi", "Koko maa"),))
    # Every reader falls back to the only language there is.
    assert {whole.label(lang) for lang in ("sv", "en", "ar")} == {"Koko maa"}
    assert (table.meta.title_en, table.meta.title("en")) == ("", "test_title_fi")
    assert np.array_equal(table.values, read(FINLAND).values)


def test_a_two_language_file_is_read_as_before():
    table = read(TWO)
    group = table.dimensions[0]
    assert (group.label_sv, group.label_en, group.labels) == ("varu-/tjänstegrupp", "Product group", ())
    assert group.categories[0].texts() == {"sv": "Alla", "en": "All products"}
    assert table.meta.titles == () and table.meta.language == "en"


def test_a_translation_of_the_wrong_length_is_refused_with_its_line():
    text = (REAL / FINLAND).read_text(encoding="utf-8")
    broken = text.replace('VALUES[en]("Region")="Whole country",', 'VALUES[en]("Region")=', 1)
    error = _refused(parse_px, broken.encode("utf-8"))
    assert 'VALUES[en]("Region") has 4 values but VALUES("Alue") has 5' in error.message
    assert error.line == text[: text.index('VALUES[en]("Region")')].count("\n") + 1


def _refused(call: Any, *args: Any) -> ImportRefused:
    with pytest.raises(ImportRefused) as info:
        call(*args)
    return info.value


def test_jsonstat_in_another_language_is_kept_as_that_language():
    document = (
        '{"version": "2.0", "class": "dataset", "label": "Väestö", "id": ["Alue"], "size": [2],'
        ' "dimension": {"Alue": {"label": "Alue", "category": {"index": ["ksu", "pks"],'
        ' "label": {"ksu": "Koko maa", "pks": "Pääkaupunkiseutu"}}}}, "value": [1, 2],'
        ' "extension": {"px": {"language": "fi"}}}'
    )
    finnish = parse_jsonstat(document)
    region = finnish.dimensions[0]
    assert (region.label_en, region.labels) == ("", (("fi", "Alue"),))
    assert region.categories[0].texts() == {"fi": "Koko maa"}
    assert (finnish.meta.title_en, finnish.meta.titles, finnish.meta.language) == (
        "",
        (("fi", "Väestö"),),
        "fi",
    )
    english = parse_jsonstat(
        document.replace("Koko maa", "Whole country").replace('"label": "Alue"', '"label": "Region"'),
        language="en",
    )
    merged = merge_languages(finnish, english)
    assert merged.dimensions[0].categories[0].texts() == {"en": "Whole country", "fi": "Koko maa"}
    assert merged.dimensions[0].texts() == {"en": "Region", "fi": "Alue"}
    assert merged.meta.texts() == {"en": "Väestö", "fi": "Väestö"} and merged.meta.language == "fi"


def test_label_slot_keeps_other_languages_apart():
    assert [label_slot(x) for x in ("sv", "sv-SE", "EN", "en_GB", "ar", "fi", "nb-NO", None, "")] == [
        "sv",
        "sv",
        "en",
        "en",
        "ar",
        "fi",
        "nb-no",
        "en",
        "en",
    ]


# --- the model: the fallback rule and the digest ----------------------------------------------------


def test_the_fallback_is_the_language_asked_for_then_swedish_then_the_main_language():
    others = (("fi", "Koko maa"),)
    assert in_language("en", "Hela landet", "Whole country", "", others) == "Whole country"
    assert in_language("ar", "Hela landet", "Whole country", "", others) == "Hela landet"
    assert in_language("fi-FI", "Hela landet", "Whole country", "", others) == "Koko maa"
    # No Swedish: the main language, even when English is there (an English main file's others
    # come after English only when the main language is given).
    assert in_language("ar", "", "Whole country", "", others) == "Koko maa"
    assert in_language("ar", "", "Whole country", "", others, main="en") == "Whole country"
    assert Category("x").label("en") == "x" and Dimension("d").label("fi") == "d"
    assert TableMeta(table_id="T1").title("en") == "T1"


def test_a_table_without_other_languages_keeps_its_digest_and_one_with_them_gets_its_own():
    plain = cube([[1, 2], [3, 4]])
    # The digest of this table before other languages were kept (cube.py at the parent commit).
    assert plain.content_sha256() == "9fe9a5482bcc96fd1ad95f2567fb26a703f02aaae2e8479eae27d82b2dc2e1e5"
    sex = plain.dimensions[1]
    finnish = replace(
        plain,
        dimensions=(plain.dimensions[0], replace(sex, labels=(("fi", "Sukupuoli"),))),
    )
    assert finnish.content_sha256() != plain.content_sha256()
    retitled = replace(plain, meta=replace(plain.meta, titles=(("fi", "Testitaulukko"),)))
    assert retitled.content_sha256() not in (plain.content_sha256(), finnish.content_sha256())


def test_slicing_and_totals_keep_every_language():
    table = read(PXWEB)
    picked = table.select({"sex": ["2"], "type": ["BE0101F2"]})
    assert picked.dimension("sex").categories[0].texts() == {"sv": "kvinnor", "en": "women", "fi": "naiset"}
    totalled = picked.total(["sex"])
    assert totalled.dimension("sex").labels == (("fi", "sukupuoli"),)
    assert totalled.meta.titles == table.meta.titles and totalled.meta.language == "en"
    trimmed = table.without_totals()
    assert (
        trimmed.dimension("region").categories[0].texts()["fi"]
        == table.dimension("region").categories[1].labels[0][1]
    )


# --- storage ------------------------------------------------------------------------------------------


def test_every_language_is_stored_and_read_back_and_old_rows_still_decode():
    table = read(FINLAND)
    assert decode_dimensions(encode_dimensions(table)) == table.dimensions
    fields = version_fields(table)
    assert decode_meta(fields["meta"]) == table.meta
    # Rows stored before other languages were kept: no "labels", three-item categories.
    old = [
        {
            "code": "sex",
            "label_sv": "Kön",
            "label_en": "Sex",
            "role": "",
            "total": "",
            "categories": [["1", "Män", "Men"]],
        }
    ]
    assert decode_dimensions(old)[0].categories[0] == Category("1", "Män", "Men")
    plain = cube([[1, 2], [3, 4]])
    assert "labels" not in encode_dimensions(plain)[0]
    assert all(len(c) == 3 for c in encode_dimensions(plain)[0]["categories"])
    assert "titles" not in version_fields(plain)["meta"]


# --- pages ----------------------------------------------------------------------------------------------


def _page(client: Any, path: str, language: str) -> str:
    client.cookies["samverkan_language"] = language
    response = client.get(path)
    assert response.status_code == 200, (path, language, response.status_code)
    return response.content.decode()


@pytest.mark.django_db
def test_the_dataset_page_shows_the_readers_language_else_swedish(client):
    store(read(FINLAND), slug="asuntokaupat")
    path = "/statistics/datasets/asuntokaupat/"
    english = _page(client, path, "en")
    assert "Whole country" in english and "Region" in english
    assert "Hela landet" not in english and "Koko maa" not in english
    swedish = _page(client, path, "sv")
    assert "Hela landet" in swedish and "Whole country" not in swedish and "Koko maa" not in swedish
    # An Arabic reader: no Arabic labels, so Swedish (the rule), not English or Finnish.
    arabic = _page(client, path, "ar")
    assert "Hela landet" in arabic and "Whole country" not in arabic and "Koko maa" not in arabic


@pytest.mark.django_db
def test_lang_in_the_address_shows_the_page_in_that_language_for_that_request_only(client):
    store(read(FINLAND), slug="asuntokaupat")
    client.cookies["samverkan_language"] = "sv"
    page = client.get("/statistics/datasets/asuntokaupat/?lang=en&by=").content.decode()
    assert 'lang="en"' in page and "Whole country" in page and "Hela landet" not in page
    # The language menu returns to the address without it, so that choosing Swedish sticks;
    # the filter form keeps it.
    assert 'name="next" type="hidden" value="/statistics/datasets/asuntokaupat/?by="' in page
    assert '<input type="hidden" name="lang" value="en">' in page
    # The next request, without it, is in the reader's own language again.
    assert "Hela landet" in client.get("/statistics/datasets/asuntokaupat/").content.decode()
    # Arabic is right to left; a language the site does not have is ignored, not an error.
    assert 'dir="rtl"' in client.get("/statistics/datasets/asuntokaupat/?lang=ar").content.decode()
    ignored = client.get("/statistics/datasets/asuntokaupat/?lang=xx")
    assert ignored.status_code == 200 and "Hela landet" in ignored.content.decode()


@pytest.mark.django_db
def test_a_finnish_only_table_shows_finnish_to_every_reader(client):
    store(parse_px(finnish_only()), slug="vain-suomeksi")
    for language in ("sv", "en", "ar"):
        assert "Koko maa" in _page(client, "/statistics/datasets/vain-suomeksi/", language)


# --- the API --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_gives_every_label_and_the_one_in_the_requested_language(client):
    store(read(FINLAND), slug="asuntokaupat")
    url = f"{API}/asuntokaupat"

    def region(body: dict[str, Any]) -> dict[str, Any]:
        return next(d for d in body["dimensions"] if d["code"] == "Alue")

    english = region(client.get(url, {"lang": "en"}).json())
    assert (english["label"], english["categories"][0]["label"]) == ("Region", "Whole country")
    # The contract fields stay: label_en is English.
    assert (english["label_sv"], english["label_en"]) == ("Område", "Region")
    assert english["labels"] == {"sv": "Område", "en": "Region", "fi": "Alue"}
    assert english["categories"][0]["labels"] == {
        "sv": "Hela landet",
        "en": "Whole country",
        "fi": "Koko maa",
    }
    finnish = region(client.get(url, {"lang": "fi"}).json())
    assert (finnish["label"], finnish["categories"][0]["label"]) == ("Alue", "Koko maa")
    # No lang: the request's language (Swedish by default, else the reader's choice).
    assert region(client.get(url).json())["categories"][0]["label"] == "Hela landet"
    client.cookies["samverkan_language"] = "en"
    assert region(client.get(url).json())["categories"][0]["label"] == "Whole country"

    observations = client.get(
        f"{url}/observations", {"lang": "en", "Tiedot": "lkm_julk_viim", "keep": "Alue"}
    ).json()
    assert region(observations)["categories"][0]["label"] == "Whole country"
    assert [row["Alue"] for row in observations["observations"]] == ["ksu", "pks", "msu", "kas", "muu"]


@pytest.mark.django_db
def test_composition_labels_its_shares_in_the_requested_language(client):
    store(read(PXWEB), slug="flyttningar")
    response = client.get(
        f"{API}/flyttningar/composition", {"lang": "fi", "dimensions": "sex", "type": "BE0101F2"}
    )
    assert response.status_code == 200, response.content
    sex = response.json()["dimensions"][0]
    assert (sex["label"], sex["label_en"], sex["labels"]["sv"]) == ("sukupuoli", "sex", "kön")
    women = next(s for s in sex["shares"] if s["code"] == "2")
    assert (women["label"], women["label_en"]) == ("naiset", "women")
    assert women["labels"] == {"sv": "kvinnor", "en": "women", "fi": "naiset"}


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["xx", "de", ""])
def test_a_language_the_table_does_not_carry_is_422_naming_lang(client, lang):
    store(read(FINLAND), slug="asuntokaupat")
    for path, query in (("", {}), ("/observations", {}), ("/composition", {"dimensions": "Alue"})):
        response = client.get(f"{API}/asuntokaupat{path}", {"lang": lang, **query})
        assert response.status_code == 422, (path, response.content)
        detail = response.json()["detail"][0]
        assert detail["loc"][-1] == "lang" and "fi" in detail["msg"]


@pytest.mark.django_db
def test_arabic_is_always_a_language_the_api_answers_in(client):
    store(read(FINLAND), slug="asuntokaupat")
    body = client.get(f"{API}/asuntokaupat", {"lang": "ar"}).json()
    assert (
        next(d for d in body["dimensions"] if d["code"] == "Alue")["categories"][0]["label"] == "Hela landet"
    )
