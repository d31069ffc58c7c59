"""Sign-in as an attacker tries it (issue 14, item 2), through HTTP on both databases:
growing delays per account and per address shared through the database, a lockout a
coordinator lifts, failures in the audit log, one password policy, and the same time to
answer for an unknown e-mail as for a known one."""

from __future__ import annotations

import statistics
import time
from typing import Any

from sqlalchemy import func, select

from adapters.storage.orm import AuditEntry
from adapters.storage.vocab import Role
from api.accounts import create_user
from api.sign_in import LOCK_AFTER
from tests.integration.test_cli import isa
from tests.service.conftest import Service

PASSWORD = "correct horse battery"


def _member(service: Service, email: str = "ann@example.com", role: Role = Role.AGENT) -> int:
    with service.container.uow() as uow:
        user = create_user(
            uow, email=email, name="Ann Lee", role=role, at=service.clock(), password=PASSWORD
        )
        uow.commit()
        return user.id


def _login(service: Service, email: str, password: str, **kw: Any) -> Any:
    return service.client.post("/auth/login", json={"email": email, "password": password}, **kw)


def test_wrong_passwords_meet_growing_delays_and_the_right_one_waits_too(
    service: Service,
) -> None:
    _member(service)
    for _ in range(3):  # a few typos cost nothing
        assert _login(service, "ann@example.com", "wrong").status_code == 401
    waits = []
    for _ in range(7):
        assert _login(service, "ann@example.com", "wrong").status_code == 401
        refused = _login(service, "ann@example.com", PASSWORD)
        assert refused.status_code == 429  # not even the right password, meanwhile
        waits.append(int(refused.headers["Retry-After"]))
        service.clock.advance(seconds=waits[-1])
    assert waits == [1, 2, 4, 8, 16, 32, 64]
    assert _login(service, "ann@example.com", PASSWORD).status_code == 200
    assert _login(service, "ann@example.com", "wrong").status_code == 401  # counts afresh
    with service.container.uow(read_only=True) as uow:
        failed = uow.session.scalar(
            select(func.count()).where(AuditEntry.action == "sign_in.failed")
        )
    assert failed == 11


def test_an_address_trying_many_accounts_is_slowed_down(service: Service) -> None:
    for n in range(4):
        assert _login(service, f"guess{n}@example.com", "123456").status_code == 401
    answer = _login(service, "guess9@example.com", "123456")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1


def test_a_locked_account_stays_locked_until_a_coordinator_lifts_it(service: Service) -> None:
    ann = _member(service)
    _, coordinator = service.user("cora@example.com", Role.COORDINATOR, "Cora")
    _, agent = service.user("dan@example.com", Role.AGENT, "Dan")
    for n in range(LOCK_AFTER):
        headers = {"X-Forwarded-For": f"10.0.0.{n}"}  # ignored: no proxy is trusted
        _login(service, "ann@example.com", "wrong", headers=headers)
        service.clock.advance(minutes=16)  # past any delay
    service.clock.advance(hours=2)
    locked = _login(service, "ann@example.com", PASSWORD)
    assert locked.status_code == 429 and "locked" in locked.json()["detail"]
    assert service.client.post(f"/users/{ann}/unlock", headers=agent).status_code == 403
    assert service.client.post(f"/users/{ann}/unlock", headers=coordinator).status_code == 200
    assert _login(service, "ann@example.com", PASSWORD).status_code == 200


def test_the_console_sign_in_is_throttled_alike(service: Service) -> None:
    _member(service)
    form = {"email": "ann@example.com", "password": "wrong"}
    for _ in range(4):
        assert "Wrong e-mail or password" in service.client.post("/console/sign-in", data=form).text
    answer = service.client.post("/console/sign-in", data={**form, "password": PASSWORD})
    assert answer.status_code == 429 and "Too many failed sign-ins" in answer.text


def test_an_unknown_email_takes_as_long_as_a_known_one(service: Service) -> None:
    _member(service)

    def took(email: str) -> float:
        times = []
        for _ in range(5):
            service.clock.advance(hours=1)  # no delay gets in the way
            started = time.perf_counter()
            assert _login(service, email, "wrong password").status_code == 401
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    known, unknown = took("ann@example.com"), took("nobody@example.com")
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_one_password_policy_for_the_api_and_the_cli(service: Service, tmp_path: Any) -> None:
    _, admin = service.user("root@example.com", Role.ADMIN, "Root")
    body = {"email": "new@example.com", "name": "New One", "role": "agent"}
    for weak in ("short", "password1234", "new@example.com"):
        answer = service.client.post("/users", headers=admin, json={**body, "password": weak})
        assert answer.status_code == 422, weak
    ok = service.client.post("/users", headers=admin, json={**body, "password": PASSWORD})
    assert ok.status_code == 201
    db = f"sqlite:///{tmp_path}/cli.db"
    assert isa("db", "upgrade", env={"ISA_DATABASE_URL": db}).returncode == 0
    weak = isa(
        "users", "create", "x@example.com", "--role", "agent", "--name", "X Y", "--password",
        stdin="x\n", env={"ISA_DATABASE_URL": db},
    )  # fmt: skip
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr


def test_another_site_cannot_sign_a_browser_in_to_its_own_account(service: Service) -> None:
    # login CSRF: a form on another site posting the attacker's credentials to our sign-in
    _member(service)
    form = {"email": "ann@example.com", "password": PASSWORD}
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/page"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        answer = service.client.post(
            "/console/sign-in", data=form, headers=headers, follow_redirects=False
        )
        assert answer.status_code == 403, headers
        assert "isa_session" not in answer.cookies
    ours = service.client.post(
        "/console/sign-in",
        data=form,
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert ours.status_code == 303
