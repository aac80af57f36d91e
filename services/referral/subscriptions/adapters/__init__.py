"""The subscriptions' I/O: their SQL (routes, notifications, claims), sealed secrets, DNS checks
of destinations, the webhook POST, and the in-process doorbell rung on NOTIFY."""
