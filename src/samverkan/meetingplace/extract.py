"""Text out of submitted material: plain text, PDF (pypdf) or Word (python-docx). The content's
first bytes must match the extension; a file that cannot be read is refused with a reason, as a
code with parameters (``ExtractError.code``, ``.params``) that the app words in the reader's
language.

What one file may cost is declared in ``LIMITS`` and checked before the expensive step: the size
first; for a Word file (a ZIP archive) its members, their declared unpacked size and compression
ratio, from the archive's directory, before python-docx unpacks anything; for a PDF the number
of pages before any text is extracted, then the text's length and the time spent, page by page."""

from __future__ import annotations

import io
import time
import zipfile

from samverkan.core.limits import MB, UploadLimits, UploadRefused, check_zip

MAX_BYTES = 10 * MB
MAX_CHARS = 500_000
LIMITS = UploadLimits(
    max_bytes=MAX_BYTES,
    max_expanded_bytes=50 * MB,
    max_ratio=100,
    max_members=1000,
    max_pages=300,
    max_chars=MAX_CHARS,
    max_seconds=20.0,
)


class ExtractError(ValueError):
    """Why a file's text cannot be read: ``code`` and ``params`` for the app to word in the
    reader's language; ``str()`` describes it in English, for logs and tests."""

    def __init__(self, code: str, description: str, **params: object) -> None:
        super().__init__(description)
        self.code = code
        self.params = params


def extract_text(filename: str, data: bytes, limits: UploadLimits = LIMITS) -> str:
    name = filename.lower()
    if len(data) > limits.max_bytes:
        raise ExtractError(
            "too_large", f"the file is larger than {limits.max_bytes // MB} MB", limit=limits.max_bytes // MB
        )
    if name.endswith(".pdf"):
        if not data.startswith(b"%PDF-"):
            raise ExtractError("not_pdf", "the file is not a PDF")
        text = _pdf(data, limits)
    elif name.endswith(".docx"):
        if not data.startswith(b"PK\x03\x04"):
            raise ExtractError("not_docx", "the file is not a Word document (.docx)")
        text = _docx(data, limits)
    elif name.endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ExtractError("not_utf8", "the text file is not UTF-8") from None
    else:
        raise ExtractError("unknown_type", "only .pdf, .docx and .txt files are read")
    text = text.replace("\x00", "").strip()
    if not text:
        raise ExtractError("no_text", "no text could be read from the file (a scanned image?)")
    return text[: limits.max_chars or MAX_CHARS]


def _pdf(data: bytes, limits: UploadLimits) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    max_chars = limits.max_chars or MAX_CHARS
    deadline = time.monotonic() + (limits.max_seconds or 60.0)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractError("pdf_encrypted", "the PDF is encrypted")
        pages = len(reader.pages)
        if limits.max_pages is not None and pages > limits.max_pages:
            raise ExtractError(
                "pdf_pages",
                f"the PDF has {pages} pages; at most {limits.max_pages} are read",
                pages=pages,
                limit=limits.max_pages,
            )
        parts: list[str] = []
        length = 0
        for page in reader.pages:
            if time.monotonic() > deadline:
                raise ExtractError(
                    "pdf_slow",
                    f"reading the PDF took longer than {limits.max_seconds:.0f} seconds",
                    seconds=round(limits.max_seconds or 0),
                )
            text = page.extract_text() or ""
            parts.append(text)
            length += len(text) + 1
            if length > max_chars:  # enough: the rest would be cut off anyway
                break
        return "\n".join(parts)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        if isinstance(exc, ExtractError):
            raise
        raise ExtractError("pdf_unreadable", f"the PDF could not be read ({type(exc).__name__})") from None


def _docx(data: bytes, limits: UploadLimits) -> str:
    from docx import Document
    from docx.opc.exceptions import OpcError
    from lxml import etree

    try:
        # The archive's directory only: a zip bomb is refused before python-docx unpacks a byte.
        check_zip(data, limits)
    except UploadRefused as exc:
        raise ExtractError("refused", str(exc).rstrip("."), reason=str(exc).rstrip(".")) from None
    try:
        document = Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.append(" ".join(cell.text for cell in row.cells))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        etree.LxmlError,
        OpcError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        OSError,
        EOFError,
    ) as exc:
        raise ExtractError(
            "docx_unreadable", f"the Word document could not be read ({type(exc).__name__})"
        ) from None
    return "\n".join(parts)
