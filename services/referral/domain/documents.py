"""Documents that travel with a referral (the IOP/PHP discharge summary): what is accepted. Pure.

A document is accepted only when the type the caller declares and the bytes agree: a PDF starts
with the `%PDF-` magic, plain text is UTF-8 with no NUL byte. Anything else is refused, so a
renamed executable or a spreadsheet never reaches the practice as a "summary".
"""

from __future__ import annotations

from enum import StrEnum

PDF_MAGIC = b"%PDF-"


class DocumentType(StrEnum):
    PDF = "application/pdf"
    TEXT = "text/plain"


def declared_type(content_type: str | None) -> DocumentType | None:
    """The accepted type a Content-Type header names (parameters such as charset ignored)."""
    media = (content_type or "").partition(";")[0].strip().lower()
    try:
        return DocumentType(media)
    except ValueError:
        return None


def bytes_agree(kind: DocumentType, content: bytes) -> bool:
    """Whether the content is what its declared type says it is."""
    if kind is DocumentType.PDF:
        return content.startswith(PDF_MAGIC)
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
