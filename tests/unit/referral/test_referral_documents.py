"""What a referral's document may be: the declared type and the bytes must agree."""

from __future__ import annotations

import pytest

from services.referral.domain.documents import DocumentType, bytes_agree, declared_type


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("application/pdf", DocumentType.PDF),
        ("Application/PDF", DocumentType.PDF),
        ("text/plain; charset=utf-8", DocumentType.TEXT),
        ("application/msword", None),
        ("text/html", None),
        (None, None),
        ("", None),
    ],
)
def test_the_declared_type_is_pdf_or_plain_text(header: str | None, kind: object) -> None:
    assert declared_type(header) == kind


def test_a_pdf_must_start_with_its_magic() -> None:
    assert bytes_agree(DocumentType.PDF, b"%PDF-1.7\n...")
    assert not bytes_agree(DocumentType.PDF, b"PK\x03\x04")
    assert not bytes_agree(DocumentType.PDF, b"hello")


def test_text_must_be_utf8_without_nul() -> None:
    assert bytes_agree(DocumentType.TEXT, "Schlaf besser, Übergabe ok".encode())
    assert not bytes_agree(DocumentType.TEXT, b"\xff\xfe\x00h")
    assert not bytes_agree(DocumentType.TEXT, b"\x00\x01")
