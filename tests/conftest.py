"""Session-wide infrastructure: one real broker and one real PostgreSQL server for the run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.infra import Infrastructure, provide_infra


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    with provide_infra() as running:
        yield running


@pytest.fixture
def database_url(infra: Infrastructure) -> str:
    """A fresh, empty database for one test."""
    return infra.create_database()
