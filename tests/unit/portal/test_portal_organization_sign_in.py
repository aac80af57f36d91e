"""Sign-in through an organization's identity provider: PKCE's S256, the return's checks, what an
ID token must show, and when the provider's MFA stands in for the portal's code."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from services.portal.domain.errors import OrganizationSignInRefused
from services.portal.domain.organization_sign_in import (
    IdentityProvider,
    authorization_url,
    check_id_token,
    check_return,
    domain_errors,
    issuer_error,
    s256,
    secure_url,
    shows_mfa,
    start,
    verified_email,
)

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
PROVIDER = IdentityProvider(
    uuid.uuid4(),
    "riverside-ob",
    "Riverside OB",
    "https://login.riverside.example",
    "warmlink-portal",
    "secret",
    ("riverside.example",),
    mfa_trusted=True,
)
LASTS = timedelta(minutes=10)


def claims(**changed: Any) -> dict[str, Any]:
    found = {
        "iss": PROVIDER.issuer,
        "aud": PROVIDER.client_id,
        "sub": "abc",
        "nonce": "n-1",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=5)).timestamp()),
    }
    return {k: v for k, v in (found | changed).items() if v is not None}


def refusal(**changed: Any) -> str | None:
    try:
        check_id_token(claims(**changed), PROVIDER, "n-1", NOW)
    except OrganizationSignInRefused as refused:
        return refused.outcome
    return None


def test_s256_is_rfc_7636_appendix_b() -> None:
    assert s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_the_authorization_url_carries_code_state_nonce_and_the_s256_challenge() -> None:
    started = start(PROVIDER, NOW)
    url = authorization_url(
        "https://login.riverside.example/auth", PROVIDER, started, "https://p/cb"
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert query["state"] == started.state and query["nonce"] == started.pending.nonce
    assert query["code_challenge"] == s256(started.pending.code_verifier)
    assert 43 <= len(started.pending.code_verifier) <= 128
    assert started.state.encode() not in started.pending.state_sha256, "only its digest is kept"


def test_a_return_must_be_known_from_this_browser_and_in_time() -> None:
    started = start(PROVIDER, NOW)
    pending = started.pending
    assert check_return(pending, started.binding, LASTS, NOW + timedelta(minutes=9)) == pending
    for args in [
        (None, started.binding, NOW),
        (pending, None, NOW),
        (pending, "another browser's", NOW),
        (pending, started.binding, NOW + LASTS),
    ]:
        with pytest.raises(OrganizationSignInRefused) as refused:
            check_return(args[0], args[1], LASTS, args[2])  # type: ignore[arg-type]
        assert refused.value.outcome == "state_refused"


def test_an_id_token_is_refused_for_issuer_audience_time_and_nonce() -> None:
    assert refusal() is None
    assert refusal(aud=["warmlink-portal", "other"], azp="warmlink-portal") is None
    assert refusal(iss="https://elsewhere.example") == "wrong_issuer"
    assert refusal(aud="someone-else") == "wrong_audience"
    assert refusal(aud=["warmlink-portal", "other"]) == "wrong_audience", "no azp"
    assert refusal(exp=int((NOW - timedelta(minutes=2)).timestamp())) == "token_expired"
    assert refusal(iat=int((NOW + timedelta(minutes=5)).timestamp())) == "token_expired"
    assert refusal(exp=int((NOW - timedelta(seconds=30)).timestamp())) is None, "leeway"
    assert refusal(nonce="n-2") == "bad_nonce"
    assert refusal(nonce=None) == "bad_nonce"
    assert refusal(sub=None) == "bad_token"
    assert refusal(exp="tomorrow") == "bad_token"


def test_only_a_verified_email_of_the_provider_s_domains_names_someone() -> None:
    mail = {"email": "Ana@Riverside.example", "email_verified": True}
    assert verified_email(mail, PROVIDER) == "Ana@Riverside.example"
    assert verified_email(mail | {"email_verified": False}, PROVIDER) is None
    assert verified_email(mail | {"email_verified": "true"}, PROVIDER) is None
    assert verified_email(mail | {"email": "ana@cedar.example"}, PROVIDER) is None


def test_the_provider_s_mfa_replaces_the_code_only_when_trusted_and_shown() -> None:
    assert shows_mfa(PROVIDER, {"amr": ["pwd", "mfa"]})
    assert shows_mfa(PROVIDER, {"amr": ["pwd", "otp"]})
    assert not shows_mfa(PROVIDER, {"amr": ["pwd"]})
    assert not shows_mfa(PROVIDER, {"amr": ["otp"]}), "one factor, even a device"
    assert not shows_mfa(PROVIDER, {})
    assert not shows_mfa(PROVIDER, {"amr": "mfa"}), "amr is a list"
    untrusted = IdentityProvider(**{**PROVIDER.__dict__, "mfa_trusted": False})
    assert not shows_mfa(untrusted, {"amr": ["pwd", "mfa"]})


def test_issuers_are_https_and_domains_are_domains() -> None:
    assert issuer_error("https://login.riverside.example", allow_http=False) is None
    assert issuer_error("http://127.0.0.1:9000", allow_http=False) is not None
    assert issuer_error("http://127.0.0.1:9000", allow_http=True) is None
    assert issuer_error("https://x.example/?tenant=1", allow_http=True) is not None
    assert secure_url("https://login.example/authorize?p=b2c", allow_http=False)
    assert not secure_url("http://login.example/token", allow_http=False)
    assert secure_url("http://127.0.0.1:9000/token", allow_http=True)
    assert domain_errors(["riverside.example", "mail.riverside.example"]) is None
    assert domain_errors([]) is not None
    assert "riverside" in (domain_errors(["riverside", "@x.example"]) or "")
