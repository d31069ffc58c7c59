"""Console sessions and API tokens (issue 14, item 3), through HTTP on both databases: the
cookie holds a session id that is no API credential; sessions end when idle, at their
absolute limit, at sign-out and when the user is disabled; tokens expire, say when they
were last used, and are listed and revoked."""

from __future__ import annotations

from typing import Any

from adapters.storage.vocab import Role
from api.accounts import create_user
from api.web import session as web_session
from tests.integration.test_cli import isa
from tests.service.conftest import Service

PASSWORD = "correct horse battery"
LEADS = "/console/leads"


def _member(service: Service, role: Role = Role.COORDINATOR) -> int:
    with service.container.uow() as uow:
        user = create_user(
            uow, email="cora@example.com", name="Cora Diaz", role=role, at=service.clock(),
            password=PASSWORD,
        )  # fmt: skip
        uow.commit()
        return user.id


def _sign_in(service: Service) -> None:
    answer = service.client.post(
        "/console/sign-in",
        data={"email": "cora@example.com", "password": PASSWORD},
        headers={"User-Agent": "Firefox/140 test"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def _signed_in(service: Service) -> bool:
    answer = service.client.get(LEADS, follow_redirects=False)
    return answer.status_code == 200


def _api_token(service: Service) -> dict[str, str]:
    answer = service.client.post(
        "/auth/login", json={"email": "cora@example.com", "password": PASSWORD}
    )
    assert answer.status_code == 200
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_the_cookie_holds_a_session_that_is_no_api_token(service: Service) -> None:
    cora = _member(service)
    _sign_in(service)
    assert _signed_in(service)
    cookie = service.client.cookies[web_session.COOKIE]
    inside: Any = web_session._serializer(service.container).loads(cookie)
    as_bearer = service.client.get("/me", headers={"Authorization": f"Bearer {inside['t']}"})
    assert as_bearer.status_code == 401
    [session] = [t for t in service.client.get(
        f"/users/{cora}/tokens", headers=_api_token(service)
    ).json() if t["console"]]  # fmt: skip
    assert session["user_agent"] == "Firefox/140 test" and session["state"] == "live"
    assert session["expires_at"] is not None and session["last_used_at"] is not None


def test_a_session_ends_when_idle_and_at_its_absolute_limit(service: Service) -> None:
    _member(service)
    _sign_in(service)
    service.clock.advance(hours=1, minutes=59)
    assert _signed_in(service)  # used within the idle limit: still on
    service.clock.advance(hours=2, minutes=1)
    assert not _signed_in(service)  # idle for two hours
    _sign_in(service)
    for _ in range(11):
        service.clock.advance(hours=1)
        assert _signed_in(service)
    service.clock.advance(hours=1)
    assert not _signed_in(service)  # twelve hours after sign-in, however busy


def test_sign_out_and_disabling_the_user_end_sessions_and_tokens(service: Service) -> None:
    cora = _member(service)
    _, admin = service.user("root@example.com", Role.ADMIN, "Root")
    _sign_in(service)
    page = service.client.get(LEADS).text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    service.client.post("/console/sign-out", data={"csrf": csrf})
    assert not _signed_in(service)
    _sign_in(service)
    token = _api_token(service)
    disabled = service.client.put(f"/users/{cora}/active", headers=admin, json={"active": False})
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert not _signed_in(service)
    assert service.client.get("/me", headers=token).status_code == 401
    states = {t["state"] for t in service.client.get(f"/users/{cora}/tokens", headers=admin).json()}
    assert states == {"revoked"}
    assert service.client.put(
        f"/users/{cora}/active", headers=token, json={"active": True}
    ).status_code == 401  # fmt: skip


def test_a_login_token_expires_and_records_its_use(service: Service) -> None:
    cora = _member(service)
    token = _api_token(service)
    service.clock.advance(days=29)
    assert service.client.get("/me", headers=token).status_code == 200
    [row] = service.client.get(f"/users/{cora}/tokens", headers=token).json()
    assert row["last_used_at"] is not None and row["name"] == "login"
    service.clock.advance(days=2)
    assert service.client.get("/me", headers=token).status_code == 401


def test_users_and_tokens_from_the_command_line(tmp_path: Any) -> None:
    env = {"ISA_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    assert isa("db", "upgrade", env=env).returncode == 0
    made = isa("users", "create", "ann@example.com", "--role", "agent", "--name", "Ann", env=env)
    assert made.returncode == 0, made.stderr
    assert "ann@example.com\tagent\tactive" in isa("users", "list", env=env).stdout
    listed = isa("tokens", "list", "ann@example.com", env=env).stdout
    token_id = listed.split("\t", 1)[0]
    assert "\ttoken\tcli\t" in listed and "live" in listed
    assert isa("tokens", "revoke", token_id, env=env).returncode == 0
    assert isa("tokens", "list", env=env).stdout.strip() == ""
    assert "revoked" in isa("tokens", "list", "--all", env=env).stdout
    isa("tokens", "create", "ann@example.com", env=env)
    done = isa("users", "disable", "ann@example.com", env=env)
    assert done.returncode == 0 and "1 token(s)" in done.stdout
    assert "disabled" in isa("users", "list", env=env).stdout
    assert isa("users", "enable", "ann@example.com", env=env).returncode == 0
