"""Checks for uploaded agreement documents: size, extension, the file's real type and, for the
Office formats (ZIP archives: DOCX, XLSX, ODT, ODS), what the archive would unpack to.

Documents are stored and offered for download, never opened on the server; the archive check is
there so that no stored document is a decompression bomb for whoever (or whatever) opens it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from samverkan.core.limits import MB, UploadLimits, UploadRefused, check_zip

# extension -> MIME type we accept; the file's content must agree with its extension.
ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png",
    "jpg": "image/jpeg",
}
ALIASES = {"jpeg": "jpg"}
# The formats that are ZIP archives, checked with ``limits()``'s expansion limits.
ZIP_BASED = frozenset({"docx", "xlsx", "odt", "ods"})


def limits() -> UploadLimits:
    """An agreement document: DOCUMENT_MAX_BYTES as uploaded; an Office file may unpack to at
    most 100 MB in at most 5000 parts, none compressed more than 100 times."""
    return UploadLimits(
        max_bytes=settings.DOCUMENT_MAX_BYTES, max_expanded_bytes=100 * MB, max_ratio=100, max_members=5000
    )


@dataclass(frozen=True)
class CheckedDocument:
    extension: str
    content_type: str
    size: int
    sha256: str


def check_document(name: str, stream: IO[bytes], size: int) -> CheckedDocument | str:
    """Return the checked facts, or a message saying what is wrong with the file."""
    limit = limits().max_bytes
    if size <= 0:
        return _("The file is empty.")
    if size > limit:
        return _("The file is %(size).1f MB; the limit is %(limit).0f MB.") % {
            "size": size / 1_048_576,
            "limit": limit / 1_048_576,
        }
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    ext = ALIASES.get(ext, ext)
    if ext not in ALLOWED:
        return _("Files of type “%(ext)s” are not accepted. Accepted: %(allowed)s.") % {
            "ext": ext or "?",
            "allowed": ", ".join(sorted(ALLOWED)),
        }
    stream.seek(0)
    head = stream.read(8192)
    kind = filetype.guess(head)
    detected = ALIASES.get(kind.extension, kind.extension) if kind else None
    if detected != ext:
        return _("The file's content is not a %(ext)s file.") % {"ext": ext.upper()}
    if ext in ZIP_BASED:
        try:
            check_zip(stream, limits())
        except UploadRefused as exc:
            return str(exc)
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(65536), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedDocument(extension=ext, content_type=ALLOWED[ext], size=size, sha256=digest.hexdigest())
