"""Bearer-token authentication and role checks through a tiny FastAPI app."""

import time
from pathlib import Path
from typing import Annotated

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from warmlink import problems
from warmlink.auth import (
    ALGORITHM,
    Caller,
    CallerDep,
    PersonRole,
    Role,
    TokenVerifier,
    require_role,
)
from warmlink.tokens import ensure_key_pair, issue_token

Keys = tuple[bytes, Path]
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    private_path, public_path = ensure_key_pair(tmp_path / "keys")
    return private_path.read_bytes(), public_path


@pytest.fixture
def client(keys: Keys) -> TestClient:
    app = FastAPI()
    app.state.verifier = TokenVerifier.from_file(keys[1], "warmlink", "warmlink-dev")
    problems.install(app)

    @app.get("/me")
    def me(caller: CallerDep) -> dict[str, str]:
        return {"org": caller.organization_id, "role": str(caller.role)}

    @app.get("/admin")
    def admin(caller: Annotated[Caller, require_role(Role.ADMIN)]) -> dict[str, str]:
        return {"org": caller.organization_id}

    return TestClient(app)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthorized(response: Response, detail_fragment: str = "") -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer realm="warmlink"'
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == 401
    assert body["title"] == "Unauthorized"
    assert body["type"] == "https://warmlink.dev/problems/unauthorized"
    assert detail_fragment in body["detail"]


def test_ensure_key_pair_is_stable_and_keeps_the_private_key_private(tmp_path: Path) -> None:
    first = ensure_key_pair(tmp_path)
    before = first[0].read_bytes()
    assert ensure_key_pair(tmp_path) == first
    assert first[0].read_bytes() == before
    assert first[0].stat().st_mode & 0o777 == 0o600


def test_issued_token_carries_org_role_subject_and_ttl(keys: Keys) -> None:
    token = issue_token(keys[0], organization_id="org-1", role=Role.CLINIC, ttl_s=60, now=1000)
    claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    assert claims["org"] == "org-1"
    assert claims["role"] == "clinic"
    assert claims["sub"] == "org-1:clinic"
    assert (claims["iat"], claims["exp"]) == (1000, 1060)


def test_verifier_returns_the_caller_for_a_valid_token(keys: Keys) -> None:
    token = issue_token(keys[0], organization_id="org-2", role=Role.PRACTICE, subject="u-9")
    caller = TokenVerifier.from_file(keys[1], "warmlink", "warmlink-dev").verify(token)
    assert caller == Caller("u-9", "org-2", Role.PRACTICE)


def test_missing_authorization_header_is_401_problem_with_challenge(client: TestClient) -> None:
    assert_unauthorized(client.get("/me"), "bearer token is required")


def test_non_bearer_scheme_is_401(client: TestClient) -> None:
    assert_unauthorized(client.get("/me", headers={"Authorization": "Basic xyz"}))


def test_bearer_scheme_without_token_is_401(client: TestClient) -> None:
    assert_unauthorized(client.get("/me", headers={"Authorization": "Bearer "}))


def test_expired_token_is_401_saying_expired(client: TestClient, keys: Keys) -> None:
    token = issue_token(
        keys[0], organization_id="org-1", role=Role.ADMIN, now=time.time() - 10000, ttl_s=60
    )
    assert_unauthorized(client.get("/me", headers=bearer(token)), "expired")


def test_token_signed_by_another_key_pair_is_401(client: TestClient, tmp_path: Path) -> None:
    other_private, _ = ensure_key_pair(tmp_path / "other")
    token = issue_token(other_private.read_bytes(), organization_id="org-1", role=Role.ADMIN)
    assert_unauthorized(client.get("/me", headers=bearer(token)), "not valid")


@pytest.mark.parametrize(
    ("audience", "issuer"), [("someone-else", "warmlink-dev"), ("warmlink", "evil-issuer")]
)
def test_wrong_audience_or_issuer_is_401(
    client: TestClient, keys: Keys, audience: str, issuer: str
) -> None:
    token = issue_token(
        keys[0], organization_id="org-1", role=Role.ADMIN, audience=audience, issuer=issuer
    )
    assert_unauthorized(client.get("/me", headers=bearer(token)), "not valid")


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "sub": "u-1",
        "org": "org-1",
        "role": "admin",
        "aud": "warmlink",
        "iss": "warmlink-dev",
        "iat": now,
        "exp": now + 60,
    }
    return {k: v for k, v in (base | overrides).items() if v is not None}


def test_control_crafted_token_with_valid_claims_is_accepted(
    client: TestClient, keys: Keys
) -> None:
    token = jwt.encode(claims(), keys[0], algorithm=ALGORITHM)
    assert client.get("/me", headers=bearer(token)).json() == {"org": "org-1", "role": "admin"}


@pytest.mark.parametrize(
    "overrides",
    [{"role": "superuser"}, {"org": None}, {"role": None}, {"exp": None}, {"sub": None}],
    ids=["unknown-role", "no-org", "no-role", "no-exp", "no-sub"],
)
def test_token_with_bad_or_missing_claims_is_401(
    client: TestClient, keys: Keys, overrides: dict[str, object]
) -> None:
    token = jwt.encode(claims(**overrides), keys[0], algorithm=ALGORITHM)
    assert_unauthorized(client.get("/me", headers=bearer(token)), "not valid")


def test_unsigned_token_is_401(client: TestClient) -> None:
    token = jwt.encode(claims(), key="", algorithm="none")
    assert_unauthorized(client.get("/me", headers=bearer(token)))


def test_wrong_role_is_403_naming_the_needed_role(client: TestClient, keys: Keys) -> None:
    token = issue_token(keys[0], organization_id="org-7", role=Role.CLINIC)
    response = client.get("/admin", headers=bearer(token))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == 403
    assert "admin" in body["detail"]
    assert "org-7" not in response.text


def test_right_role_is_200_with_the_callers_organization(client: TestClient, keys: Keys) -> None:
    token = issue_token(keys[0], organization_id="org-7", role=Role.ADMIN)
    response = client.get("/admin", headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {"org": "org-7"}


def test_without_a_configured_verifier_every_token_is_401(keys: Keys) -> None:
    app = FastAPI()
    problems.install(app)

    @app.get("/me")
    def me(caller: CallerDep) -> str:
        return caller.organization_id

    token = issue_token(keys[0], organization_id="org-1", role=Role.ADMIN)
    assert_unauthorized(TestClient(app).get("/me", headers=bearer(token)), "no verification key")


def test_a_token_living_longer_than_the_cap_is_401(client: TestClient, keys: Keys) -> None:
    """A static key signed tokens of any lifetime, and all of them were accepted."""
    week = issue_token(keys[0], organization_id="org-1", role=Role.ADMIN, ttl_s=7 * 24 * 3600)
    assert_unauthorized(client.get("/me", headers=bearer(week)), "lives longer")
    hour = issue_token(keys[0], organization_id="org-1", role=Role.ADMIN, ttl_s=3600)
    assert client.get("/me", headers=bearer(hour)).status_code == 200


def test_the_development_key_id_is_refused_where_it_is_not_allowed(keys: Keys) -> None:
    verifier = TokenVerifier.from_file(keys[1], "warmlink", "warmlink-dev", dev_kid_allowed=False)
    token = issue_token(keys[0], organization_id="org-1", role=Role.ADMIN)
    with pytest.raises(problems.Unauthorized):
        verifier.verify(token)


def test_a_person_token_names_the_person_her_role_and_who_acts_for_her(keys: Keys) -> None:
    verifier = TokenVerifier.from_file(keys[1], "warmlink", "warmlink-dev")
    person = "0b5e1c9e-8f0e-4a43-9a43-4a1c3c0e7b11"
    token = issue_token(
        keys[0],
        organization_id="riverside-ob",
        role=Role.CLINIC,
        person=(person, PersonRole.MA, "network-admin.portal"),
    )
    caller = verifier.verify(token)
    assert caller.subject == f"person:{person}" and caller.person_id == person
    assert (caller.role, caller.person_role) == (Role.CLINIC, PersonRole.MA)
    assert caller.acting_client == "network-admin.portal"
    machine = verifier.verify(issue_token(keys[0], organization_id="x", role=Role.CLINIC))
    assert machine.person_id is None and machine.acting_client is None


def test_a_person_token_whose_role_does_not_fit_or_without_act_is_refused(keys: Keys) -> None:
    verifier = TokenVerifier.from_file(keys[1], "warmlink", "warmlink-dev")
    practice_role = issue_token(
        keys[0],
        organization_id="riverside-ob",
        role=Role.CLINIC,
        person=("p1", PersonRole.INTAKE_COORDINATOR, "portal"),
    )
    now = int(time.time())
    no_act = jwt.encode(
        {
            "sub": "person:p1",
            "org": "riverside-ob",
            "role": "clinic",
            "person_role": "ma",
            "aud": "warmlink",
            "iss": "warmlink-dev",
            "iat": now,
            "exp": now + 60,
        },
        keys[0],
        algorithm=ALGORITHM,
        headers={"kid": "dev"},
    )
    for token in (practice_role, no_act):
        with pytest.raises(problems.Unauthorized):
            verifier.verify(token)


def test_role_is_still_importable_from_auth_and_roles_alike() -> None:
    from warmlink import roles

    assert roles.Role is Role and roles.PersonRole is PersonRole


def test_a_token_a_few_seconds_past_exp_is_accepted_within_the_clock_leeway(keys: Keys) -> None:
    """With no leeway, a host whose clock ran behind the issuer's refused fresh tokens and one
    a second ahead refused tokens in their last second."""
    verifier = TokenVerifier.from_file(keys[1], "warmlink", "warmlink-dev", leeway_s=30)
    lately = issue_token(
        keys[0], organization_id="org-1", role=Role.ADMIN, now=time.time() - 65, ttl_s=60
    )
    assert verifier.verify(lately).organization_id == "org-1"
    ahead = issue_token(keys[0], organization_id="org-1", role=Role.ADMIN, now=time.time() + 10)
    assert verifier.verify(ahead).organization_id == "org-1"


def test_a_token_past_exp_by_more_than_the_leeway_is_refused(keys: Keys) -> None:
    verifier = TokenVerifier.from_file(keys[1], "warmlink", "warmlink-dev", leeway_s=30)
    long_gone = issue_token(
        keys[0], organization_id="org-1", role=Role.ADMIN, now=time.time() - 120, ttl_s=60
    )
    with pytest.raises(problems.Unauthorized, match="expired"):
        verifier.verify(long_gone)
    far_ahead = issue_token(keys[0], organization_id="org-1", role=Role.ADMIN, now=time.time() + 90)
    with pytest.raises(problems.Unauthorized):
        verifier.verify(far_ahead)


def test_a_cached_token_past_exp_and_the_leeway_is_not_answered_from_the_cache(
    keys: Keys,
) -> None:
    verifier = TokenVerifier.from_file(keys[1], "warmlink", "warmlink-dev", leeway_s=30)
    token = issue_token(
        keys[0], organization_id="org-1", role=Role.ADMIN, now=time.time() - 80, ttl_s=60
    )
    verifier.verify(token)  # 20 s past exp: within the leeway, and cached
    verifier.leeway_s = 10
    with pytest.raises(problems.Unauthorized, match="expired"):
        verifier.verify(token)


def test_the_clock_leeway_is_a_setting_capped_at_five_minutes() -> None:
    from warmlink.settings import ServiceSettings

    assert ServiceSettings().jwt_clock_leeway_s == 30
    with pytest.raises(ValueError):
        ServiceSettings(jwt_clock_leeway_s=3600)
