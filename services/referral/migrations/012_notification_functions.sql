-- Subscribers' notifications, written in the state change's transaction by two functions, so that
-- a status change costs one call: the warm handoff sends all its writes as one statement
-- (warmlink/write_batch.py), and a call to a function is a statement it can hold.

-- The next number and a notification for each of `ids` (locked by the caller), then NOTIFY on
-- `channel` (delivered on commit) naming the subscriptions, so a worker already delivering them
-- skips its global scan (worker.py). Each notification is the shared payload (its "type" is the
-- notification's type) with its subscription and number merged in. Status changes, heartbeats.
CREATE FUNCTION number_and_insert_notifications(ids uuid[], shared jsonb, channel text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    named text;
    inserted integer;
BEGIN
    WITH numbered AS (
        UPDATE subscriptions SET last_event_number = last_event_number + 1, last_event_at = now()
        WHERE id = ANY(ids)
        RETURNING id, last_event_number
    ), added AS (
        INSERT INTO subscription_notifications (id, subscription_id, event_number, type, payload)
        SELECT gen_random_uuid(), n.id, n.last_event_number, shared ->> 'type',
               shared || jsonb_build_object('subscription_id', n.id::text,
                                            'event_number', n.last_event_number)
        FROM numbered n
        RETURNING subscription_id
    )
    SELECT string_agg(subscription_id::text, ','), count(*) INTO named, inserted FROM added;
    IF named IS NOT NULL THEN
        PERFORM pg_notify(channel, named);
    END IF;
    RETURN inserted;
END $$;

-- A status change: lock the owners' matching active subscriptions, then number and insert.
-- Rows are locked in id order so two transactions touching the same subscriptions cannot
-- deadlock. FOR NO KEY UPDATE, not FOR UPDATE: it still queues concurrent changes of one
-- subscriber (the numbers stay gap-free and in commit order) but does not block the foreign-key
-- checks of the delivery worker's inserts (FOR KEY SHARE), which had stalled deliveries behind
-- every open state change. The numbering is a separate statement from the lock on purpose (each
-- statement of this volatile function takes a new snapshot): it reads the rows as of after the
-- lock was granted, whereas locking and updating in one statement made two changes of one
-- subscriber deadlock (the update re-followed a row version the other was queued on).
CREATE FUNCTION record_status_change(
    owners text[], new_status text, event_type text, shared jsonb, channel text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    locked uuid[];
BEGIN
    SELECT array_agg(id) INTO locked FROM (
        SELECT s.id FROM subscriptions s
        WHERE s.status = 'active' AND s.organization_id = ANY(owners)
          AND (s.statuses IS NULL OR new_status = ANY(s.statuses))
          AND (s.event_types IS NULL OR record_status_change.event_type = ANY(s.event_types))
        ORDER BY s.id FOR NO KEY UPDATE
    ) matching;
    IF locked IS NULL THEN
        RETURN 0;
    END IF;
    RETURN number_and_insert_notifications(locked, shared, channel);
END $$;
