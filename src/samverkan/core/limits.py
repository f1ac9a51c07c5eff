"""What one upload may cost, declared per upload path and checked before the expensive step.

Every path that takes a file (statistics tables, panel pools and quotas, reception and case files,
meeting-place material, agreement documents, story photos) declares an :class:`UploadLimits` and
checks it with the helpers here *before* it parses, decompresses or decodes anything:

* the size as uploaded (``max_bytes``);
* for zip-based formats (DOCX, XLSX, ODT, ODS) the archive's central directory alone:
  the number of members, their total declared uncompressed size and each member's compression
  ratio (:func:`check_zip`; nothing is extracted). Python's zipfile, which python-docx reads with,
  stops a member at its declared size (and then fails its CRC), so the declared sizes bound what
  the later reader can expand;
* for text tables the number of lines, counted on the bytes (:func:`check_lines`), before a
  CSV reader builds one object per row;
* pages, characters and seconds for a document whose text is extracted (the path checks them).
  Statistics tables (cells, ``statistics.importers.ImportLimits``) and photos (pixels,
  ``stories.photos.MAX_PIXELS``) declare theirs beside their pure readers, which import no Django.

A refusal is an :class:`UploadRefused` whose text says which limit and by how much.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

MB = 1024 * 1024
# Members smaller than this are not held to the ratio: a small XML part of repeated tags can
# compress 100:1 and costs nothing.
RATIO_FLOOR_BYTES = 1 * MB


@dataclass(frozen=True)
class UploadLimits:
    """The limits of one upload path; ``None`` where a limit does not apply."""

    max_bytes: int
    max_expanded_bytes: int | None = None
    max_ratio: int | None = None
    max_members: int | None = None
    max_lines: int | None = None
    max_pages: int | None = None
    max_chars: int | None = None
    max_seconds: float | None = None


class UploadRefused(ValueError):
    """The file breaks a limit of its upload path, or its container cannot be read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _mb(size: int) -> str:
    return f"{size / MB:.1f}"


def check_bytes(size: int, limits: UploadLimits) -> None:
    if size > limits.max_bytes:
        raise UploadRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _mb(size), "limit": _mb(limits.max_bytes)}
        )


def _stream(source: bytes | IO[bytes]) -> IO[bytes]:
    return io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source


def check_zip(source: bytes | IO[bytes], limits: UploadLimits) -> list[zipfile.ZipInfo]:
    """The archive's members, read from its central directory only, or UploadRefused when it
    has too many members, would expand to more than ``max_expanded_bytes`` or holds a member
    compressed more than ``max_ratio`` : 1. Nothing is decompressed. A stream is left at 0."""
    stream = _stream(source)
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(_("The file is not a readable ZIP archive (a damaged Office file?).")) from None
    finally:
        stream.seek(0)
    if limits.max_members is not None and len(members) > limits.max_members:
        raise UploadRefused(
            _("The archive holds %(n)s files; at most %(limit)s are allowed.")
            % {"n": len(members), "limit": limits.max_members}
        )
    expanded = sum(member.file_size for member in members)
    if limits.max_expanded_bytes is not None and expanded > limits.max_expanded_bytes:
        raise UploadRefused(
            _("The file would expand to %(size)s MB when unpacked; the limit is %(limit)s MB.")
            % {"size": _mb(expanded), "limit": _mb(limits.max_expanded_bytes)}
        )
    if limits.max_ratio is not None:
        for member in members:
            if member.file_size > RATIO_FLOOR_BYTES and member.file_size > limits.max_ratio * max(
                member.compress_size, 1
            ):
                raise UploadRefused(
                    _(
                        "The part “%(name)s” is compressed %(ratio)s times (%(size)s MB unpacked); "
                        "at most %(limit)s times is allowed."
                    )
                    % {
                        "name": member.filename[:80],
                        "ratio": member.file_size // max(member.compress_size, 1),
                        "size": _mb(member.file_size),
                        "limit": limits.max_ratio,
                    }
                )
    return members


def count_lines(chunks: Iterable[bytes]) -> int:
    """Physical lines in the bytes (a last line without a line break counts): an upper bound
    of a CSV's records, counted without decoding or splitting anything."""
    lines = 0
    last = b""
    for chunk in chunks:
        if chunk:
            lines += chunk.count(b"\n")
            last = chunk
    return lines + (1 if last and not last.endswith(b"\n") else 0)


def _chunks(source: Any) -> Iterable[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        return (bytes(source),)
    if hasattr(source, "chunks"):  # a Django UploadedFile: read in chunks, rewound afterwards
        source.seek(0)
        return source.chunks()
    source.seek(0)
    return iter(lambda: source.read(1 << 20), b"")


def check_lines(source: Any, limits: UploadLimits) -> int:
    """The number of lines of ``source`` (bytes, a binary stream or an uploaded file), or
    UploadRefused when it is more than ``max_lines``. A stream is rewound afterwards."""
    lines = count_lines(_chunks(source))
    if not isinstance(source, bytes | bytearray | memoryview):
        source.seek(0)
    if limits.max_lines is not None and lines > limits.max_lines:
        raise UploadRefused(
            _("The file has %(n)s lines; at most %(limit)s are read.")
            % {"n": lines, "limit": limits.max_lines}
        )
    return lines


def check_upload(source: Any, limits: UploadLimits, *, size: int | None = None) -> None:
    """The size, then (for a text table) the lines: what a form can check of an uploaded file
    before the service parses it."""
    if size is None:
        size = len(source) if isinstance(source, bytes | bytearray | memoryview) else int(source.size)
    check_bytes(size, limits)
    if limits.max_lines is not None:
        check_lines(source, limits)
