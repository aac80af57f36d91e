"""`GET /v1/hsds/...` routes."""
