"""Checks an HSDS export against the HSDS 3.1 JSON schemas in ``assets/``."""
