"""Referral's service layer: the commands behind its routes and the handlers of the events it
consumes, each run in the caller's transaction."""
