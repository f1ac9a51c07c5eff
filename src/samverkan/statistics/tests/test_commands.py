"""The import commands against the database: a table is stored once, and every refused file
names its line or cell and leaves the database exactly as it was."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from samverkan.core.models import AuditEvent
from samverkan.statistics.importers.pxweb import cache_path
from samverkan.statistics.models import Dataset, DatasetVersion
from samverkan.statistics.storage import version_cube

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).with_name("fixtures")
UTF8_PX = (FIXTURES / "asylum_sex_2002_2004_utf8.px").read_bytes()
GOOD_CSV = b"year,sex,value\n2022,1,10\n2022,2,12\n"


def _state() -> tuple[int, int, int]:
    return Dataset.objects.count(), DatasetVersion.objects.count(), AuditEvent.objects.count()


def _run(path: Path, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_statistics", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_pc_axis_table_is_stored_once_whatever_its_charset(tmp_path):
    utf8 = tmp_path / "asyl.px"
    utf8.write_bytes(UTF8_PX)
    assert "version 1 stored" in _run(utf8, "--dataset", "asyl")
    before = _state()
    assert "unchanged" in _run(utf8, "--dataset", "asyl")
    assert _state() == before
    ansi = tmp_path / "asyl-ansi.px"
    ansi.write_bytes((FIXTURES / "asylum_sex_2002_2004_ansi.px").read_bytes())
    _run(ansi, "--dataset", "asyl-ansi")
    one, other = (version_cube(Dataset.objects.get(slug=s).versions.get()) for s in ("asyl", "asyl-ansi"))
    assert np.array_equal(one.values, other.values)
    assert [c.label_sv for c in one.dimensions[0].categories] == ["män", "kvinnor", "totalt"]


def _bad_px(old: bytes, new: bytes) -> bytes:
    assert old in UTF8_PX
    return UTF8_PX.replace(old, new)


BAD_FILES = [
    # (file name, content, words the message must contain)
    ("charset.px", UTF8_PX.decode("utf-8").encode("cp1252"), ["line", "utf-8"]),
    ("ragged.csv", b"year,sex,value\n2022,1,10\n2022,2\n", ["line 3", "2 fields"]),
    # CODES decides the table: about an unknown variable it is refused (ELIMINATION would be ignored).
    ("unknown.px", _bad_px(b'ELIMINATION("k', b'CODES("region")="x";\nELIMINATION("k'), ["region"]),
    ("duplicate.csv", b"year,sex,value\n2022,1,10\n2022,1,11\n", ["line 3", "twice"]),
    ("text.px", _bad_px(b"20759 20120", b"20759 abc"), ["line", "abc"]),
    ("text.csv", b"year,sex,value\n2022,1,10\n2022,2,tolv\n", ["line 3", "tolv"]),
]


@pytest.mark.parametrize(("name", "content", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_refused_file_names_where_and_changes_nothing(tmp_path, name, content, words):
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_CSV)
    _run(good, "--dataset", "existing", "--title", "Fiktiv", "--source-organisation", "Fiktiv")
    before = _state()
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as exc:
        _run(path, "--title", "Fiktiv", "--source-organisation", "Fiktiv")
    message = str(exc.value).lower()
    assert str(path).lower() in message
    for word in words:
        assert word.lower() in message, message
    assert _state() == before


def test_a_file_of_another_shape_is_not_added_to_an_existing_dataset(tmp_path, english):
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_CSV)
    _run(good, "--dataset", "existing", "--title", "Fiktiv", "--source-organisation", "Fiktiv")
    before = _state()
    other = tmp_path / "other.csv"
    other.write_bytes(b"year,region,value\n2022,A,10\n")
    with pytest.raises(CommandError, match=r"dimensions in the file only: region;.*--dataset SLUG"):
        _run(other, "--dataset", "existing")
    assert _state() == before


def test_a_2_gb_file_is_refused_without_being_read(tmp_path):
    huge = tmp_path / "huge.px"
    with huge.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: no disk used, but 2 GB by its size
    with pytest.raises(CommandError, match="2147483648 bytes is more than the limit"):
        _run(huge)
    assert _state() == (0, 0, 0)


def test_fetch_pxweb_imports_a_cached_answer_without_the_network(tmp_path, settings):
    settings.PXWEB_CACHE_DIR = tmp_path
    selection = {"Kon": ["1", "2", "1+2"]}
    for language in ("sv", "en"):
        cached = cache_path(
            tmp_path, "TAB0001", selection, language=language, base_url=settings.PXWEB_BASE_URL
        )
        cached.write_bytes((FIXTURES / f"pxweb_asylum_sex_2002_2004_{language}.json").read_bytes())
    from io import StringIO

    out = StringIO()
    call_command("fetch_pxweb", "TAB0001", "--select", "Kon=1,2,1+2", "--dataset", "asyl", stdout=out)
    assert "version 1 stored" in out.getvalue()
    version = Dataset.objects.get(slug="asyl").versions.get()
    cube = version_cube(version)
    sex = cube.dimensions[0]
    assert {c.label_en for c in sex.categories} >= {"men", "women"}
    assert version.retrieved_at is not None
