"""Open Referral HSDS 3.1: the directory published in the sector's open format.

A part of the directory (docs/architecture.md): `domain/` maps the directory's model to HSDS
objects (pure functions, no I/O), `adapters/validate.py` checks an export against the HSDS JSON
schemas kept in `assets/` (it needs ``jsonschema``, a development dependency only), and
`entrypoints/http.py` serves `GET /v1/hsds/...`.
"""
