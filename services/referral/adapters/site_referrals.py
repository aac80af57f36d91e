"""SQL for the referring site's list of its referrals, with the steps its review counts."""

from __future__ import annotations

from services.referral.domain.site_referrals import SiteReferral, SiteReferralQuery
from warmlink.db import Connection
from warmlink.rows import from_row

# The site's referrals, newest first, after the cursor. Each step the review counts is the
# timeline's first entry of that kind; the closing reason is the last close or cancel.
SITE_REFERRALS = """
SELECT r.id, r.patient_ref, r.submitted_at, r.urgency, r.urgency_reason, r.practice_id,
       r.practice_name, r.status, r.first_appointment_at, submit.actor AS submitted_by,
       ack.at AS acknowledged_at, attended.at AS attended_at, ended.reason AS closed_reason
FROM referrals r
LEFT JOIN LATERAL (SELECT actor FROM referral_timeline t
                   WHERE t.referral_id = r.id AND t.action = 'submit'
                   ORDER BY t.id LIMIT 1) submit ON true
LEFT JOIN LATERAL (SELECT at FROM referral_timeline t
                   WHERE t.referral_id = r.id AND t.action = 'acknowledge'
                   ORDER BY t.id LIMIT 1) ack ON true
LEFT JOIN LATERAL (SELECT at FROM referral_timeline t
                   WHERE t.referral_id = r.id AND t.action = 'record_attended'
                   ORDER BY t.id LIMIT 1) attended ON true
LEFT JOIN LATERAL (SELECT reason FROM referral_timeline t
                   WHERE t.referral_id = r.id AND t.action IN ('close', 'cancel')
                   ORDER BY t.id DESC LIMIT 1) ended ON true
WHERE r.site_id = $1
  AND ($2::text IS NULL OR r.status = $2)
  AND ($3::text IS NULL OR submit.actor = $3)
  AND ($4::timestamptz IS NULL OR r.submitted_at >= $4)
  AND ($5::timestamptz IS NULL OR r.submitted_at < $5)
  AND ($6::text IS NULL OR r.patient_ref = $6)
  AND ($7::text IS NULL OR starts_with(r.patient_ref, $7))
  AND ($8::timestamptz IS NULL OR (r.submitted_at, r.id) < ($8, $9::uuid))
ORDER BY r.submitted_at DESC, r.id DESC
LIMIT $10"""


async def site_referrals(
    conn: Connection, site_id: str, q: SiteReferralQuery, limit: int
) -> list[SiteReferral]:
    """Up to `limit` of the site's referrals matching `q`, after `q.after`. Only the site's
    own: another organization's referrals are not in the answer at all."""
    after = q.after
    rows = await conn.fetch(
        SITE_REFERRALS,
        site_id,
        q.status,
        q.submitted_by,
        q.submitted_from,
        q.submitted_before,
        q.patient_ref,
        q.patient_ref_prefix,
        after.submitted_at if after else None,
        after.id if after else None,
        limit,
    )
    return [from_row(SiteReferral, r) for r in rows]
