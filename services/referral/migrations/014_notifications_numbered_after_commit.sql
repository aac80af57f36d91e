-- Notifications are numbered after their state change commits, no longer inside it.
--
-- Numbering inside the state change held the subscription's row lock through the commit's WAL
-- flush, so a subscribed site's state changes committed one at a time: bench-loop gave 716
-- submissions/s before the referring site subscribed and 359/s after (backends queued on
-- Lock:transactionid and Lock:tuple). Now a state change only queues its notifications:
-- status 'queued', no number, no lock on the subscription. The sequencer below gives queued
-- notifications their numbers, in queue order, after the subscription's last one; the delivery
-- worker runs it in the transaction that claims what is due (claims.py). Numbers stay gap-free
-- (a rolled-back state change queued nothing) and in commit order.
ALTER TABLE subscription_notifications ALTER COLUMN event_number DROP NOT NULL;
ALTER TABLE subscription_notifications DROP CONSTRAINT subscription_notifications_status_check;
ALTER TABLE subscription_notifications ADD CONSTRAINT subscription_notifications_status_check
    CHECK (status IN ('queued', 'pending', 'delivered', 'failed'));
ALTER TABLE subscription_notifications ADD CONSTRAINT numbered_unless_queued
    CHECK ((status = 'queued') = (event_number IS NULL));
-- Queue order, taken when the state change inserts. A referral's next state change waits for
-- the one before it to commit (the referral's row lock), so one referral's statuses queue, and
-- are numbered, in the order they happened.
ALTER TABLE subscription_notifications ADD COLUMN queued_seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX subscription_notifications_queued
    ON subscription_notifications (subscription_id, queued_seq) WHERE status = 'queued';

-- The sequencer: number the queued notifications of `ids`. The subscriptions are locked in id
-- order (two sequencers cannot deadlock; FOR NO KEY UPDATE lets state changes' foreign-key
-- checks through), then numbered in a statement of its own, which reads what was queued and
-- committed before the lock was granted (each statement of a volatile function takes a new
-- snapshot). Returns how many it numbered.
CREATE FUNCTION number_queued_notifications(ids uuid[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    locked uuid[];
    numbered integer;
BEGIN
    SELECT array_agg(id) INTO locked FROM (
        SELECT s.id FROM subscriptions s WHERE s.id = ANY(ids) ORDER BY s.id FOR NO KEY UPDATE
    ) in_order;
    IF locked IS NULL THEN
        RETURN 0;
    END IF;
    WITH queued AS (
        SELECT n.id, s.last_event_number
               + row_number() OVER (PARTITION BY n.subscription_id ORDER BY n.queued_seq) AS number
        FROM subscription_notifications n JOIN subscriptions s ON s.id = n.subscription_id
        WHERE n.subscription_id = ANY(locked) AND n.status = 'queued'
    ), assigned AS (
        UPDATE subscription_notifications n
        SET status = 'pending', event_number = q.number,
            payload = n.payload || jsonb_build_object('event_number', q.number)
        FROM queued q WHERE n.id = q.id
        RETURNING n.subscription_id, n.event_number
    ), bumped AS (
        UPDATE subscriptions s SET last_event_number = a.last, last_event_at = now()
        FROM (SELECT subscription_id, max(event_number) AS last FROM assigned
              GROUP BY subscription_id) a
        WHERE s.id = a.subscription_id
    )
    SELECT count(*) INTO numbered FROM assigned;
    RETURN numbered;
END $$;

-- Status changes no longer call this: they queue with a plain INSERT (notifications.py).
DROP FUNCTION record_status_change(text[], text, text, jsonb, text);
