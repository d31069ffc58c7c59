"""Users, sign-in and tokens through HTTP; settings refuse what would be unsafe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from adapters.storage.orm import ApiToken, AuditEntry, User
from adapters.storage.vocab import Role
from api.accounts import create_user, issue_token
from api.app import create_app
from api.settings import Settings

NOW = datetime(2037, 11, 23, 16, 0, tzinfo=UTC)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/isa.db"), clock=lambda: NOW)
    with TestClient(app) as c:
        yield c


def make_user(client: TestClient, email: str, role: Role, password: str | None = None) -> str:
    with client.app.state.container.uow() as uow:  # type: ignore[attr-defined]
        user = create_user(
            uow, email=email, name=email.split("@")[0].title(), role=role, password=password, at=NOW
        )
        _, token = issue_token(uow, user, name="test", at=NOW, actor_id=None)
        uow.commit()
    return token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_every_endpoint_but_sign_in_needs_a_user(client: TestClient) -> None:
    answer = client.get("/me")
    assert answer.status_code == 401 and "Bearer" in answer.json()["detail"]
    assert client.get("/me", headers=auth("isa_not-a-real-token")).status_code == 401


def test_a_password_signs_in_and_the_token_works(client: TestClient) -> None:
    make_user(client, "ann@example.com", Role.ADMIN, password="correct horse battery")
    wrong = client.post("/auth/login", json={"email": "ann@example.com", "password": "nope"})
    assert wrong.status_code == 401
    good = client.post(
        "/auth/login", json={"email": "ANN@example.com", "password": "correct horse battery"}
    )
    assert good.status_code == 200
    assert (
        client.get("/me", headers=auth(good.json()["token"])).json()["email"] == "ann@example.com"
    )


def test_tokens_and_passwords_are_stored_only_as_hashes(client: TestClient) -> None:
    token = make_user(client, "ann@example.com", Role.ADMIN, password="correct horse battery")
    with client.app.state.container.uow() as uow:  # type: ignore[attr-defined]
        stored = uow.session.execute(select(ApiToken.token_hash)).scalars().all()
        password_hash = uow.session.execute(select(User.password_hash)).scalar_one()
    assert token not in stored and all(len(h) == 64 for h in stored)
    assert password_hash is not None and "correct horse" not in password_hash


def test_only_an_admin_creates_users_and_it_is_audited(client: TestClient) -> None:
    admin = make_user(client, "ann@example.com", Role.ADMIN)
    isa = make_user(client, "ivy@example.com", Role.ISA)
    body = {"email": "dana@example.com", "name": "Dana Whitfield", "role": "agent"}
    refused = client.post("/users", json=body, headers=auth(isa))
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    made = client.post("/users", json=body, headers=auth(admin))
    assert made.status_code == 201 and made.json()["role"] == "agent"
    assert client.post("/users", json=body, headers=auth(admin)).status_code == 409
    with client.app.state.container.uow() as uow:  # type: ignore[attr-defined]
        actions = uow.session.execute(select(AuditEntry.action, AuditEntry.actor_id)).all()
    assert ("user.create", 1) in [tuple(a) for a in actions]


def test_a_revoked_token_stops_working(client: TestClient) -> None:
    token = make_user(client, "ann@example.com", Role.AGENT)
    me = client.get("/me", headers=auth(token)).json()
    fresh = client.post(f"/users/{me['id']}/tokens", headers=auth(token))
    assert fresh.status_code == 201
    assert (
        client.delete(f"/tokens/{fresh.json()['token_id']}", headers=auth(token)).status_code == 204
    )
    assert client.get("/me", headers=auth(fresh.json()["token"])).status_code == 401
    assert client.get("/me", headers=auth(token)).status_code == 200


def test_placeholder_secrets_are_refused_with_the_setting_named() -> None:
    with pytest.raises(ValidationError, match="ISA_TWILIO_AUTH_TOKEN is a placeholder"):
        Settings(twilio_account_sid="AC123", twilio_auth_token="changeme")


def test_settings_come_from_the_environment_not_from_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ISA_DATABASE_URL", "postgresql://db.example/isa")
    monkeypatch.setenv("ISA_DEV_PHONE", "true")
    settings = Settings()
    assert settings.database_url == "postgresql://db.example/isa" and settings.dev_phone
    assert not settings.embedded and not settings.twilio_enabled


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISA_DATABASE_URL", "")
    assert Settings().database_url == "sqlite:///isa.db"


def test_a_bad_approval_policy_stops_the_service_at_start(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'isa.db'}", auto_approve="sometimes")
    with pytest.raises(ValueError, match="ISA_AUTO_APPROVE='sometimes': expected none, opening"):
        create_app(settings)
