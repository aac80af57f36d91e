"""Referral adapters: its PostgreSQL tables, the directory client and the patient's senders."""
