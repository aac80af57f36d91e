-- The relay is no longer woken by a trigger's NOTIFY inside every writing transaction: that took
-- PostgreSQL's cluster-wide notify lock at each commit and held it through the commit's flush, so
-- all event-writing transactions committed one at a time. Writers now NOTIFY after commit, on the
-- connection's release (warmlink/db.py).
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();
