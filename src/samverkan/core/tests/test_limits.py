"""The shared upload-limit checks: archives judged from their directory alone, lines counted on bytes."""

from __future__ import annotations

import io
import zipfile

import pytest

from samverkan.core.limits import (
    MB,
    UploadLimits,
    UploadRefused,
    check_bytes,
    check_lines,
    check_zip,
    count_lines,
)


def archive(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


LIMITS = UploadLimits(max_bytes=10 * MB, max_expanded_bytes=8 * MB, max_ratio=100, max_members=5)


def test_an_ordinary_archive_passes_and_its_members_are_listed(english):
    data = archive({"a.xml": b"<a>hej</a>" * 1000, "b.png": bytes(range(256)) * 100})
    assert [m.filename for m in check_zip(data, LIMITS)] == ["a.xml", "b.png"]
    stream = io.BytesIO(data)
    stream.seek(5)
    check_zip(stream, LIMITS)
    assert stream.tell() == 0  # left at the start for whoever reads it next


def test_the_declared_expanded_size_is_summed_over_the_members(english):
    # Each member on its own is under the limit and stored uncompressed (ratio 1): only the sum is over.
    data = archive({f"m{i}": b"x" * (3 * MB) for i in range(3)}, zipfile.ZIP_STORED)
    with pytest.raises(UploadRefused, match=r"expand to 9\.0 MB .* limit is 8\.0 MB"):
        check_zip(data, LIMITS)


def test_a_member_compressed_more_than_the_ratio_is_refused(english):
    roomy = UploadLimits(max_bytes=10 * MB, max_expanded_bytes=100 * MB, max_ratio=100)
    data = archive({"word/document.xml": b"\0" * (5 * MB)})  # about 1000 : 1
    with pytest.raises(UploadRefused, match=r"“word/document\.xml” is compressed \d+ times"):
        check_zip(data, roomy)
    # Small members may compress as well as they like.
    check_zip(archive({"styles.xml": b"\0" * (MB // 2)}), roomy)


def test_too_many_members_and_a_damaged_archive_are_refused(english):
    with pytest.raises(UploadRefused, match="holds 6 files; at most 5"):
        check_zip(archive({f"m{i}": b"x" for i in range(6)}), LIMITS)
    with pytest.raises(UploadRefused, match="not a readable ZIP"):
        check_zip(b"PK\x03\x04 broken", LIMITS)


def test_lines_are_counted_on_bytes_in_chunks(english):
    assert count_lines([b""]) == 0
    assert count_lines([b"a\nb"]) == 2
    assert count_lines([b"a\n", b"b\n"]) == 2
    assert count_lines([b"a", b"\nb", b""]) == 2
    limits = UploadLimits(max_bytes=MB, max_lines=3)
    assert check_lines(b"h\n1\n2\n", limits) == 3
    stream = io.BytesIO(b"h\n1\n2\n3\n")
    with pytest.raises(UploadRefused, match="4 lines; at most 3"):
        check_lines(stream, limits)
    assert stream.tell() == 0
    with pytest.raises(UploadRefused, match=r"2\.0 MB; the limit is 1\.0 MB"):
        check_bytes(2 * MB, limits)
