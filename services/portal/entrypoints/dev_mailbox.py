"""The development mailbox: what `warmlink dev`'s mail sink received (invitations, patients'
confirmations), so a developer can follow a link without a mail client. A 404 unless
PORTAL_DEV_MAILBOX_DIR is set, which production refuses. Every value is escaped by the template:
a message's HTML is shown as its source, never rendered."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.adapters import dev_mailbox
from services.portal.entrypoints.deps import page, portal
from warmlink.problems import NotFound

router = APIRouter(prefix="/dev/mailbox", tags=["development"], include_in_schema=False)


def _maildir(request: Request) -> Path:
    maildir = portal(request).settings.dev_mailbox_dir
    if maildir is None:
        raise NotFound("no development mailbox here")
    return maildir


@router.get("")
async def mailbox(request: Request) -> Response:
    messages = dev_mailbox.newest_first(_maildir(request))
    return page(request, "mailbox.html", None, title="Development mailbox", messages=messages)


@router.get("/{message_id}")
async def message(message_id: str, request: Request) -> Response:
    found = dev_mailbox.one(_maildir(request), message_id)
    if found is None:
        raise NotFound("no such message in the development mailbox")
    return page(request, "mailbox_message.html", None, title=found.subject, message=found)
