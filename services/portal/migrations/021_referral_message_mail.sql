-- A new message in a referral's thread is announced to each person of the other end by one mail
-- (`about`: a UUID made from the message's id and hers), however often the form is sent again:
-- the referral service answers a replayed send with the same message, and this index keeps the
-- second mail out (services/portal/adapters/outgoing_mail.py, queue_once).
CREATE UNIQUE INDEX outgoing_mail_once_per_referral_message ON outgoing_mail (about)
    WHERE kind = 'referral_message';
