"""The subscriptions' background loops: webhook delivery and heartbeats, and their start."""
