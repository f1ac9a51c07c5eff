"""Issue #15, items 2 and 3 and "resource limits as a rule": every upload path refuses a hostile
file before the expensive step (parsing, unpacking, decoding), with a clear message.

The hostile files are built here, small: a sparse JSON-stat or long CSV that declares a huge table,
a DOCX whose document.xml unpacks to 200 MB of XML (about 200 KB compressed), a DOCX with broken
XML, a PDF of a thousand pages, a PNG that declares 100 million pixels, CSV files of hundreds of
thousands of tiny rows. "Before the expensive step" is asserted with tracemalloc: the peak of
memory allocated while the file is refused stays far below what expanding it would take.
"""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samverkan.accounts.actors import actor_for_user
from samverkan.accounts.tests.factories import member
from samverkan.core.actor import Actor
from samverkan.core.errors import ValidationError
from samverkan.organisations.tests.factories import OrganisationFactory

MB = 1024 * 1024
BOMB_BYTES = 200 * MB  # what the DOCX bomb unpacks to


def peak_while(call: Callable[[], Any]) -> tuple[Any, int]:
    """(what ``call`` returned or raised, the peak of memory allocated during it)."""
    tracemalloc.start()
    try:
        try:
            outcome: Any = call()
        except Exception as exc:
            outcome = exc
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return outcome, peak


# --- statistics (item 2) --------------------------------------------------------------------------
def sparse_jsonstat(sizes: list[int]) -> bytes:
    """The issue's file: a JSON-stat dataset declaring ``sizes`` with one value given."""
    ids = [f"d{i}" for i in range(len(sizes))]
    dimension = {
        name: {"label": name, "category": {"index": [str(c) for c in range(size)]}}
        for name, size in zip(ids, sizes, strict=True)
    }
    document = {
        "version": "2.0",
        "class": "dataset",
        "label": "Sparse (fictional)",
        "source": "Test",
        "id": ids,
        "size": sizes,
        "dimension": dimension,
        "value": {"0": 1},
    }
    return json.dumps(document).encode()


def sparse_csv(rows: int) -> bytes:
    """A long CSV whose rows each bring new codes: ``rows`` values for a table of rows³ cells."""
    return ("a,b,c,value\n" + "".join(f"{i},{i},{i},1\n" for i in range(rows))).encode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("issue.json", sparse_jsonstat([100, 100, 100, 10])),  # 10,000,000 cells, one value
        ("small.json", sparse_jsonstat([100, 100, 10, 10])),  # 1,000,000 cells, one value
        ("sparse.csv", sparse_csv(100)),  # 1,000,000 cells, 100 values
    ],
)
def test_a_sparse_statistics_file_is_refused_before_its_table_is_built(name, data, english):
    from samverkan.statistics.models import Dataset
    from samverkan.statistics.services import DatasetFields, statistics_import

    owner = OrganisationFactory()
    actor = actor_for_user(member("editor", owner))
    assert len(data) < 10_000

    outcome, peak = peak_while(
        lambda: statistics_import(
            actor=actor,
            data=data,
            filename=name,
            dataset_slug="sparse",
            fields=DatasetFields(owner_id=owner.pk, title_sv="Gles (fiktiv)", source_organisation="Test"),
        )
    )
    assert isinstance(outcome, ValidationError), outcome
    message = str(outcome)
    assert "cells" in message and ("100 d0" in message or "100 a" in message), message
    # A million float64 cells alone are 8 MB; a status entry per missing cell far more.
    assert peak < 4 * MB, f"{peak / MB:.1f} MB allocated while refusing"
    assert not Dataset.objects.exists()


@pytest.mark.django_db
def test_the_upload_page_answers_the_sparse_file_with_a_message_not_a_table(client):
    from samverkan.statistics.models import Dataset

    owner = OrganisationFactory()
    client.force_login(member("editor", owner))
    response = client.post(
        "/statistics/upload/",
        {
            "file": SimpleUploadedFile("issue.json", sparse_jsonstat([100, 100, 100, 10])),
            "format": "auto",
            "owner": owner.pk,
            "dataset": "sparse",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "10,000,000" in body and "100 d0 × 100 d1 × 100 d2 × 10 d3" in body
    assert not Dataset.objects.exists()


def test_the_cell_limits_come_from_the_settings(settings):
    from samverkan.statistics.services import import_limits

    settings.STATISTICS_MAX_CELLS = 1234
    settings.STATISTICS_MAX_ABSENT_CELLS = 56
    settings.STATISTICS_MAX_JSON_BYTES = 789
    limits = import_limits()
    assert (limits.max_cells, limits.max_absent_cells, limits.max_json_bytes) == (1234, 56, 789)


@pytest.mark.django_db
def test_a_json_file_over_its_byte_limit_is_refused_before_it_is_parsed(settings, english):
    # JSON is parsed whole into Python objects, several times its size: it has a byte limit of its
    # own, far below the upload limit, checked before json.loads.
    from samverkan.statistics.models import Dataset
    from samverkan.statistics.services import DatasetFields, statistics_import

    settings.STATISTICS_MAX_JSON_BYTES = 1 * MB
    values = ",".join(["1.5"] * 600_000)  # 2.4 MB of numbers: some 20 MB as Python floats
    data = sparse_jsonstat([3]).replace(b'{"0": 1}', f"[{values}]".encode())
    owner = OrganisationFactory()
    outcome, peak = peak_while(
        lambda: statistics_import(
            actor=actor_for_user(member("editor", owner)),
            data=data,
            filename="big.json",
            dataset_slug="big",
            fields=DatasetFields(owner_id=owner.pk, title_sv="Stor (fiktiv)", source_organisation="Test"),
        )
    )
    assert isinstance(outcome, ValidationError), outcome
    assert "read whole into memory" in str(outcome)
    assert peak < 2 * MB, f"{peak / MB:.1f} MB allocated while refusing"
    assert not Dataset.objects.exists()


# --- meeting-place material (item 3) -------------------------------------------------------------
def _docx(document_xml: Callable[[zipfile.ZipFile], None] | bytes | None = None) -> bytes:
    """A real Word file from python-docx, its word/document.xml replaced when asked."""
    from docx import Document

    doc = Document()
    doc.add_paragraph("Information om bidrag (fiktiv).")
    source = io.BytesIO()
    doc.save(source)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source.getvalue())) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in original.infolist():
            if item.filename == "word/document.xml" and document_xml is not None:
                if callable(document_xml):
                    document_xml(copy)
                else:
                    copy.writestr(item, document_xml)
            else:
                copy.writestr(item, original.read(item.filename))
    return out.getvalue()


def _bomb_xml(archive: zipfile.ZipFile) -> None:
    """word/document.xml of 200 MB: the same short paragraph over and over, written 1 MB at a time."""
    paragraph = b"<w:p><w:r><w:t>Bidrag (fiktiv).</w:t></w:r></w:p>"
    piece = paragraph * (MB // len(paragraph))
    with archive.open("word/document.xml", "w", force_zip64=True) as member_file:
        member_file.write(
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        )
        for _ in range(BOMB_BYTES // len(piece)):
            member_file.write(piece)
        member_file.write(b"</w:body></w:document>")


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    data = _docx(_bomb_xml)
    assert len(data) < 1 * MB  # about 200 KB that unpacks to 200 MB
    return data


def test_a_docx_zip_bomb_is_refused_before_python_docx_unpacks_it(docx_bomb, english):
    from samverkan.meetingplace.extract import ExtractError, extract_text

    outcome, peak = peak_while(lambda: extract_text("bomb.docx", docx_bomb))
    assert isinstance(outcome, ExtractError), outcome
    assert "expand" in str(outcome) or "compressed" in str(outcome)
    assert peak < 5 * MB, f"{peak / MB:.1f} MB allocated while refusing"


def test_a_docx_with_broken_xml_is_a_validation_error_not_a_500(english):
    from samverkan.meetingplace.extract import ExtractError, extract_text

    broken = _docx(b'<?xml version="1.0"?><w:document xmlns:w="urn:x"><w:body><w:p>')
    with pytest.raises(ExtractError, match="could not be read"):
        extract_text("broken.docx", broken)
    truncated = _docx()[:-200]  # the central directory cut off
    with pytest.raises(ExtractError):
        extract_text("cut.docx", truncated)


@pytest.mark.django_db
def test_material_with_a_hostile_docx_is_refused_by_the_service(docx_bomb, english):
    from samverkan.meetingplace import services
    from samverkan.meetingplace.tests.factories import session

    the_session = session()
    ngo = the_session.activity.organiser
    submitter = actor_for_user(member("editor", ngo))
    broken = _docx(b"<w:document")
    for name, data in (("bomb.docx", docx_bomb), ("broken.docx", broken)):
        with pytest.raises(ValidationError) as exc:
            services.material_submit(
                actor=submitter, session=the_session, organisation_id=ngo.pk, title="T", upload=(name, data)
            )
        assert name in str(exc.value.errors["file"])


def test_a_pdf_with_too_many_pages_is_refused_before_its_text_is_read(english):
    from pypdf import PdfWriter

    from samverkan.meetingplace.extract import ExtractError, extract_text

    writer = PdfWriter()
    for _ in range(1000):
        writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ExtractError, match=r"1000 pages; at most 300"):
        extract_text("many.pdf", out.getvalue())


# --- agreement documents --------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_agreement_document_that_is_a_zip_bomb_is_refused(docx_bomb, english):
    from samverkan.organisations.documents import CheckedDocument, check_document

    outcome, peak = peak_while(lambda: check_document("avtal.docx", io.BytesIO(docx_bomb), len(docx_bomb)))
    assert not isinstance(outcome, CheckedDocument), outcome
    assert isinstance(outcome, str) and ("expand" in outcome or "compressed" in outcome), outcome
    assert peak < 5 * MB
    ordinary = _docx()
    assert isinstance(check_document("avtal.docx", io.BytesIO(ordinary), len(ordinary)), CheckedDocument)


# --- story photos ---------------------------------------------------------------------------------
def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width × height grey pixels and holds one compressed row."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1)))
        + chunk(b"IEND", b"")
    )


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # the point of the test
@pytest.mark.parametrize(("width", "height"), [(7_800, 7_800), (10_000, 10_000)])
def test_a_photo_declaring_too_many_pixels_is_refused_before_decoding(width, height):
    """61 million pixels (over the limit, under twice it, where Pillow only warns) and 100 million."""
    from samverkan.stories.photos import PhotoError, clean_photo

    bomb = _png_header_only(width, height)
    outcome, peak = peak_while(lambda: clean_photo(bomb))
    assert isinstance(outcome, PhotoError), outcome
    assert peak < 5 * MB  # decoding would take 60 to 100 MB


def test_pillows_own_decompression_bomb_limit_is_set_explicitly():
    from PIL import Image

    from samverkan.stories import photos

    assert Image.MAX_IMAGE_PIXELS == photos.MAX_PIXELS == 40_000_000


# --- panels ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_pool_file_of_many_tiny_rows_is_refused_before_it_is_parsed(settings, english):
    from samverkan.panels import services

    settings.PANELS_MAX_POOL = 20_000
    data = b"id\n" + b"".join(b"%d\n" % i for i in range(300_000))  # 2 MB, 300,000 people
    owner = OrganisationFactory()
    outcome, peak = peak_while(
        lambda: services.pool_create(
            actor=Actor.system(),
            owner_id=owner.pk,
            name="Pool",
            panel_size=10,
            data=data,
            filename="people.csv",
            id_column="id",
        )
    )
    assert isinstance(outcome, ValidationError), outcome
    assert "300001 lines; at most 21000" in str(outcome.errors["people"])
    assert peak < 2 * MB, f"{peak / MB:.1f} MB allocated while refusing"


@pytest.mark.django_db
def test_a_quota_file_of_many_tiny_rows_is_refused_before_it_is_parsed(english):
    from samverkan.panels import services
    from samverkan.panels.models import Pool

    owner = OrganisationFactory()
    pool = services.pool_create(
        actor=Actor.system(),
        owner_id=owner.pk,
        name="Pool",
        panel_size=1,
        data=b"id,sex\n1,F\n2,M\n",
        filename="people.csv",
        id_column="id",
        feature_columns=["sex"],
    )
    assert isinstance(pool, Pool)
    data = b"feature,value,min,max\n" + b"sex,F,0,1\n" * 50_000
    with pytest.raises(ValidationError) as exc:
        services.pool_quotas_from_csv(actor=Actor.system(), pool=pool, data=data, filename="features.csv")
    assert "at most 10000" in str(exc.value.errors["quotas"])


# --- resettlement: reception and case files -------------------------------------------------------
def test_a_reception_or_case_file_of_many_tiny_rows_is_refused_by_the_form(english):
    from samverkan.resettlement.forms import ImportForm

    data = b"case_id,age,sex\n" + b"".join(b"c%d,30,F\n" % i for i in range(150_000))
    form = ImportForm({}, {"file": SimpleUploadedFile("cases.csv", data)})
    assert not form.is_valid()
    assert "150001 lines; at most 100000" in " ".join(form.errors["file"])


def test_a_case_file_of_many_tiny_rows_is_refused_before_it_is_parsed():
    from samverkan.resettlement.imports import parse_case_file
    from samverkan.resettlement.optimizer.files import InputError

    data = b"case_id,age,sex\n" + b"".join(b"c%d,30,F\n" % i for i in range(150_000))
    outcome, peak = peak_while(
        lambda: parse_case_file("cases.csv", data, need_codes=(), municipality_codes=())
    )
    assert isinstance(outcome, InputError), outcome
    assert "150001 lines; at most 100000" in str(outcome)
    assert peak < 1 * MB
