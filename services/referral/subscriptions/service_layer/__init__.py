"""The subscriptions' service layer: managing subscriptions (commands) and queuing the
notifications of a referral's status change (events)."""
