"""Documents that travel with a referral: the IOP/PHP discharge summary, attached by the
referring site (`PUT /v1/referrals/{id}/discharge-summary`) and read by the receiving practice
(`GET /v1/intake/{id}/discharge-summary`). The body is the document itself, typed by its
Content-Type header; size and type are HTTP's to refuse (413, 415), before the whole body is
read where the client declared its length."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.referral.adapters.documents import Document
from services.referral.domain.documents import bytes_agree, declared_type
from services.referral.entrypoints.deps import ReferralContext, context
from services.referral.service_layer.commands.documents import (
    attach_discharge_summary,
    read_discharge_summary,
)
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep
from warmlink.guard import bounds_own_body
from warmlink.openapi import problem_responses
from warmlink.problems import Problem

router = APIRouter(tags=["documents"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]
PracticeDep = Annotated[Caller, require_role(Role.PRACTICE)]
Ctx = Annotated[ReferralContext, context]
ACCEPTED = "application/pdf or text/plain (UTF-8)"
ACCEPTS = ("application/pdf", "text/plain")


class DocumentTooLarge(Problem):
    status, title, slug = 413, "Content Too Large", "document-too-large"


class UnsupportedDocument(Problem):
    status, title, slug = 415, "Unsupported Media Type", "unsupported-document"


def _too_large(limit: int) -> DocumentTooLarge:
    return DocumentTooLarge(f"a document is at most {limit} bytes", max_bytes=limit)


async def _bounded_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to exceed `limit`: from Content-Length before
    reading anything, else while streaming (a chunked upload stops at the first byte over)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def _document(request: Request, limit: int) -> Document:
    kind = declared_type(request.headers.get("content-type"))
    if kind is None:
        raise UnsupportedDocument(f"a discharge summary is {ACCEPTED}", accepted=list(ACCEPTS))
    content = await _bounded_body(request, limit)
    if not content:
        raise UnsupportedDocument("the document is empty", accepted=list(ACCEPTS))
    if not bytes_agree(kind, content):
        raise UnsupportedDocument(
            f"the content is not {kind.value} as declared", accepted=list(ACCEPTS)
        )
    return Document(kind.value, content)


# The body is read by the route, not by FastAPI: the document says what it takes.
DOCUMENT_CONTENT = {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "text/plain": {"schema": {"type": "string"}},
}


@router.put(
    "/v1/referrals/{referral_id}/discharge-summary",
    status_code=204,
    responses=problem_responses(415),
    openapi_extra={"requestBody": {"required": True, "content": DOCUMENT_CONTENT}},
)
@bounds_own_body  # its own, larger limit (DOCUMENT_MAX_BYTES), refused as it streams
async def put_discharge_summary(
    referral_id: UUID, request: Request, conn: ConnectionDep, caller: ClinicDep, ctx: Ctx
) -> Response:
    """Attach (or replace) an IOP/PHP referral's discharge summary: the referring site only.
    Sealed at rest, the write audited; the practice can read it from this answer on."""
    doc = await _document(request, ctx.document_max_bytes)
    async with conn.transaction():
        await attach_discharge_summary(
            conn, ctx.keyring, caller, referral_id, doc, datetime.now(UTC)
        )
    return Response(status_code=204)


@router.get(
    "/v1/intake/{referral_id}/discharge-summary",
    response_class=Response,
    responses={200: {"content": DOCUMENT_CONTENT}},
)
async def get_discharge_summary(
    referral_id: UUID, conn: ConnectionDep, caller: PracticeDep, ctx: Ctx
) -> Response:
    """The discharge summary, with its content type, for the practice that owns the referral;
    every read audited."""
    async with conn.transaction():
        doc = await read_discharge_summary(conn, ctx.keyring, caller, referral_id)
    return Response(
        doc.content,
        media_type=doc.content_type,
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )
