-- NOTIFY payloads are limited to 8000 bytes: naming 500 subscriptions (a heartbeat batch) is
-- about 18 KB, and pg_notify failed the whole heartbeat transaction. Past the limit the NOTIFY
-- names nothing, which tells the delivery worker to scan (worker.py).
CREATE OR REPLACE FUNCTION number_and_insert_notifications(ids uuid[], shared jsonb, channel text)
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
        PERFORM pg_notify(channel, CASE WHEN octet_length(named) < 8000 THEN named ELSE '' END);
    END IF;
    RETURN inserted;
END $$;
