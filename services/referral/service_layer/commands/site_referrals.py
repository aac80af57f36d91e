"""The referring site's own referrals: a page of its list, or all of them for the monthly
review. Reads only. A row names her by patient reference beside where her referral stands, as
the worklist and the practice's inbox do, so every referral listed is audited as read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

from services.referral.adapters import site_referrals as store
from services.referral.domain.site_referrals import (
    MAX_LIMIT,
    Cursor,
    SiteReferral,
    SiteReferralQuery,
)
from warmlink.audit import audit_each
from warmlink.auth import Caller
from warmlink.db import Connection


async def site_referral_page(
    conn: Connection, caller: Caller, q: SiteReferralQuery
) -> tuple[list[SiteReferral], Cursor | None]:
    """A page of the caller's site's referrals and the cursor of the next (None on the last)."""
    found = await store.site_referrals(conn, caller.organization_id, q, q.limit + 1)
    page = found[: q.limit]
    await audit_each(conn, caller, "read", "referral", (str(r.id) for r in page))
    return page, (page[-1].cursor if len(found) > q.limit else None)


async def every_site_referral(
    conn: Connection, caller: Caller, q: SiteReferralQuery
) -> AsyncIterator[SiteReferral]:
    """Every referral matching `q`, read a page at a time (the review takes them all)."""
    q = replace(q, limit=MAX_LIMIT, after=None)
    while True:
        page, after = await site_referral_page(conn, caller, q)
        for referral in page:
            yield referral
        if after is None:
            return
        q = replace(q, after=after)
