"""Referral's background loops, one per module, started by bootstrap."""
