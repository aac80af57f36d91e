-- Redirects the network makes by itself (REFERRAL_REDIRECT_POLICY): one row per trigger (a
-- decline, a missed acknowledgement, a too-late first appointment), written in the trigger's own
-- transaction and worked by workers/auto_redirect.py once due. `proposed_at` is set when the site
-- was offered the move first (policy `propose`); `status` ends as moved, held, kept (the site
-- declined the proposal) or dropped (the referral moved on before it was due).
CREATE TABLE auto_redirects (
    id           bigserial   PRIMARY KEY,
    referral_id  uuid        NOT NULL REFERENCES referrals (id),
    reason       text        NOT NULL,
    due_at       timestamptz NOT NULL,
    proposed_at  timestamptz,
    status       text        NOT NULL DEFAULT 'pending',
    hold         text,
    created_at   timestamptz NOT NULL,
    settled_at   timestamptz
);

-- One open trigger per referral: a second one (the same decline seen twice) adds nothing.
CREATE UNIQUE INDEX auto_redirects_one_open ON auto_redirects (referral_id)
    WHERE status = 'pending';
CREATE INDEX auto_redirects_due ON auto_redirects (due_at) WHERE status = 'pending';
