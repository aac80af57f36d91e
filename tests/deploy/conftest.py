"""Fixtures of the deploy/k8s tests (test_deploy_k8s_*.py)."""

from __future__ import annotations

import pytest

from tests.support.k8s import OVERLAYS, Manifest, render


@pytest.fixture(scope="session", params=OVERLAYS)
def rendered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> list[Manifest]:
    """Every object one overlay renders to, rendered once per run."""
    return render(request.param, tmp_path_factory.mktemp(request.param))
