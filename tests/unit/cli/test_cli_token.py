"""`warmlink token` signs with the running network's key or refuses: a new key pair made on the
spot would sign tokens the network then rejects with nothing to say why."""

from __future__ import annotations

from pathlib import Path

import jwt
from typer.testing import CliRunner

from tools.cli.main import app
from warmlink.tokens import ensure_key_pair

ARGS = ["token", "--org", "riverside-ob", "--role", "clinic"]


def test_a_state_directory_without_keys_is_refused_and_left_without_keys(tmp_path: Path) -> None:
    state = tmp_path / "not-the-network"
    result = CliRunner().invoke(app, [*ARGS, "--state-dir", str(state)])
    assert result.exit_code != 0
    assert str(state / "keys") in result.output
    assert "no signing key" in result.output
    assert "make run" in result.output and "--state-dir" in result.output
    assert not (state / "keys").exists()


def test_the_network_s_key_signs_the_token(tmp_path: Path) -> None:
    _, public = ensure_key_pair(tmp_path / "keys")
    result = CliRunner().invoke(app, [*ARGS, "--state-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    claims = jwt.decode(
        result.stdout.strip(), public.read_bytes(), algorithms=["EdDSA"], audience="warmlink"
    )
    assert claims["org"] == "riverside-ob" and claims["role"] == "clinic"
