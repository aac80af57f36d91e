"""Screening's service layer: one command, run in the caller's transaction; no events consumed."""
