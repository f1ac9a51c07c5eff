"""Text out of submitted material: plain text, PDF (pypdf) or Word (python-docx). The content's
first bytes must match the extension; a file that cannot be read is refused with a reason."""

from __future__ import annotations

import io

MAX_BYTES = 10 * 1024 * 1024
MAX_CHARS = 500_000


class ExtractError(ValueError):
    pass


def extract_text(filename: str, data: bytes) -> str:
    name = filename.lower()
    if len(data) > MAX_BYTES:
        raise ExtractError("the file is larger than 10 MB")
    if name.endswith(".pdf"):
        if not data.startswith(b"%PDF-"):
            raise ExtractError("the file is not a PDF")
        text = _pdf(data)
    elif name.endswith(".docx"):
        if not data.startswith(b"PK\x03\x04"):
            raise ExtractError("the file is not a Word document (.docx)")
        text = _docx(data)
    elif name.endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ExtractError("the text file is not UTF-8") from None
    else:
        raise ExtractError("only .pdf, .docx and .txt files are read")
    text = text.replace("\x00", "").strip()
    if not text:
        raise ExtractError("no text could be read from the file (a scanned image?)")
    return text[:MAX_CHARS]


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractError("the PDF is encrypted")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise ExtractError(f"the PDF could not be read ({type(exc).__name__})") from None


def _docx(data: bytes) -> str:
    import zipfile

    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractError(f"the Word document could not be read ({type(exc).__name__})") from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)
