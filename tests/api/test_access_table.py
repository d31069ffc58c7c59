"""The access table (api/access.py) is the truth: every route of the app, called by every kind
of caller, is refused (401, 403, or the console's sign-in page) exactly when the table says
so. A route added without an entry fails here."""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from adapters.storage.orm import User
from adapters.storage.vocab import Role
from api import access
from api.accounts import WEB_FORM_TOKEN, create_user, issue_token
from api.app import create_app
from api.container import Container
from api.settings import Settings
from api.web import events
from api.web import session as web_session
from tests.conftest import REPO

NOW = datetime(2037, 11, 23, 18, 0, tzinfo=UTC)
ROLES = [r.value for r in Role]
CALLERS = [*ROLES, access.INTAKE, "nobody"]
SIGN_OUT = "POST /console/sign-out"


@dataclass
class Caller:
    """How one kind of caller shows itself: a bearer token, a console cookie, its user id."""

    bearer: dict[str, str]
    cookie: str | None
    csrf: str
    user_id: int


@pytest.fixture
def app_and_callers(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, Caller]]]:
    scripts = tmp_path / "scripts"
    shutil.copytree(REPO / "scripts", scripts, ignore=shutil.ignore_patterns("published"))
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/isa.db", scripts_dir=scripts, dev_phone=True
    )
    app = create_app(settings, clock=lambda: NOW)
    container: Container = app.state.container
    callers: dict[str, Caller] = {}
    with container.uow() as uow:
        for role in Role:
            user = create_user(
                uow, email=f"{role.value}@example.com", name=role.value.title(), role=role, at=NOW
            )
            _, token = issue_token(uow, user, name="test", at=NOW, actor_id=None)
            _, session_id = issue_token(
                uow, user, name="console", at=NOW, actor_id=None, console=True,
                expires_at=NOW + timedelta(hours=12),
            )  # fmt: skip
            csrf = secrets.token_urlsafe(8)
            cookie = web_session._serializer(container).dumps({"t": session_id, "c": csrf})
            callers[role.value] = Caller(
                {"Authorization": f"Bearer {token}"}, cookie, csrf, user.id
            )
        agent = uow.session.query(User).filter_by(role=Role.AGENT.value).one()
        _, form = issue_token(uow, agent, name=WEB_FORM_TOKEN, at=NOW, actor_id=None)
        callers[access.INTAKE] = Caller({"Authorization": f"Bearer {form}"}, None, "", agent.id)
        callers["nobody"] = Caller({}, None, "", 1)
        uow.commit()
    with TestClient(app, follow_redirects=False) as client:
        yield client, callers
    container.engine.dispose()


def _routes(client: TestClient) -> list[str]:
    """Every ``METHOD /path`` the app answers (static files aside)."""
    keys = []
    for rc in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        if isinstance(rc.original_route, Mount):
            continue
        keys += [f"{m} {rc.path}" for m in sorted(rc.methods or ()) if m != "HEAD"]
    return keys


PARAMS = {"name": "buyer", "version": "1", "phone": "5125550100", "token_id": "999999"}


def _url(path: str, caller: Caller) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "user_id":
            return str(caller.user_id)  # your own: the finer "own tokens" rule lets you
        return PARAMS.get(name, "1")

    return re.sub(r"\{(\w+)\}", fill, path)


def _call(client: TestClient, key: str, who: str, caller: Caller) -> httpx.Response:
    method, path = key.split(" ", 1)
    headers = dict(caller.bearer)
    client.cookies.clear()
    if path.startswith("/console") and caller.cookie:
        client.cookies.set(web_session.COOKIE, caller.cookie)
        headers[web_session.CSRF_HEADER] = caller.csrf
    return client.request(method, _url(path, caller), headers=headers)


def _refused(answer: httpx.Response) -> bool:
    if answer.status_code in (401, 403):
        return True
    target = answer.headers.get("location") or answer.headers.get("hx-redirect") or ""
    # "sign in first" (signing out also ends on the sign-in page, without a next)
    return answer.status_code in (303, 204) and "/console/sign-in?next=" in target


async def _one_event(_container: Container, _user: object = None) -> AsyncIterator[str]:
    yield ": connected\n\n"  # the real stream never ends; the status is what is checked


def test_every_route_has_an_entry_and_every_entry_a_route(
    app_and_callers: tuple[TestClient, dict[str, Caller]],
) -> None:
    client, _ = app_and_callers
    routes = set(_routes(client))
    assert routes - access.ACCESS.keys() == set(), "routes without a rule in api/access.py"
    assert access.ACCESS.keys() - routes == set(), "rules in api/access.py for no route"


def test_every_route_refuses_exactly_whom_the_table_refuses(
    app_and_callers: tuple[TestClient, dict[str, Caller]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, callers = app_and_callers
    monkeypatch.setattr(events, "stream", _one_event)
    keys = sorted(_routes(client), key=lambda k: k == SIGN_OUT)  # signing out last
    wrong = []
    for key in keys:
        allowed = access.ACCESS[key]
        answers = {who: _call(client, key, who, callers[who]) for who in CALLERS}
        if allowed is access.PUBLIC:  # who calls changes nothing
            codes = {who: a.status_code for who, a in answers.items()}
            if len(set(codes.values())) != 1:
                wrong.append(f"{key}: public, but answers differ by caller {codes}")
            continue
        for who, answer in answers.items():
            expected = who not in allowed
            if _refused(answer) != expected:
                wrong.append(
                    f"{key} as {who}: {answer.status_code} {answer.text[:120]!r}, "
                    f"table says {'refused' if expected else 'allowed'}"
                )
    assert wrong == [], "\n".join(wrong)


def test_nobody_is_refused_with_401_on_the_api_and_sent_to_sign_in_on_the_console(
    app_and_callers: tuple[TestClient, dict[str, Caller]],
) -> None:
    client, callers = app_and_callers
    assert _call(client, "GET /leads", "nobody", callers["nobody"]).status_code == 401
    page = _call(client, "GET /console/leads", "nobody", callers["nobody"])
    assert page.status_code == 303 and "/console/sign-in" in page.headers["location"]


def test_a_refusal_names_the_roles_the_table_lets_through(
    app_and_callers: tuple[TestClient, dict[str, Caller]],
) -> None:
    client, callers = app_and_callers
    answer = _call(client, "POST /leads/{contact_id}/share", "isa", callers["isa"])
    assert answer.status_code == 403
    assert answer.json()["detail"] == "this needs the role admin, agent, coordinator; you are isa"


def test_docs_security_md_holds_the_table_as_generated() -> None:
    from tools.access_doc import BEGIN, END, render

    text = (REPO / "docs" / "security.md").read_text()
    found = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert found == render(), "run python -m tools.access_doc and paste it into docs/security.md"
