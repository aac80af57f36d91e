"""`warmlink totp SECRET` prints the code an authenticator app shows now, which the portal
accepts; a value that is not a TOTP secret is refused with exit status 2."""

from __future__ import annotations

from datetime import UTC, datetime

from typer.testing import CliRunner

from services.portal.domain.credentials import accepted_step, new_totp_secret
from tools.cli.main import app


def test_the_printed_code_is_accepted_by_the_portal_rule() -> None:
    secret = new_totp_secret()
    result = CliRunner().invoke(app, ["totp", secret])
    assert result.exit_code == 0
    code = result.output.strip()
    assert len(code) == 6 and code.isdigit()
    assert accepted_step(secret, code, datetime.now(UTC), None) is not None


def test_a_value_that_is_not_a_secret_is_refused() -> None:
    result = CliRunner().invoke(app, ["totp", "not-base32!"])
    assert result.exit_code == 2
    assert "not a TOTP secret" in result.output
