"""Issue 14, item 5: roles no wider than documented. An ISA does not share leads; the console's
live stream tells an agent only of their own leads; trying a draft is bounded. Through HTTP,
both databases."""

from __future__ import annotations

import secrets
from datetime import timedelta

from adapters.storage.orm import User
from api.accounts import issue_token
from api.web import events
from api.web import session as web_session
from tests.conftest import REPO
from tests.leads.conftest import NOW, Api


def _console(api: Api, who: str) -> dict[str, str]:
    """A console session for ``who``: its cookie set on the client, the CSRF header returned."""
    with api.container.uow() as uow:
        user = uow.session.get(User, api.ids[who])
        assert user is not None
        _, session_id = issue_token(
            uow, user, name="console", at=NOW, actor_id=None, console=True,
            expires_at=NOW + timedelta(hours=12),
        )  # fmt: skip
        uow.commit()
    csrf = secrets.token_urlsafe(8)
    cookie = web_session._serializer(api.container).dumps({"t": session_id, "c": csrf})
    api.client.cookies.set(web_session.COOKIE, cookie)
    return {web_session.CSRF_HEADER: csrf}


def _share(api: Api, who: str, contact_id: int) -> int:
    answer = api.client.post(
        f"/leads/{contact_id}/share", json={"agent_id": api.ids["eli"]}, headers=api.headers(who)
    )
    return answer.status_code


def test_an_isa_cannot_share_a_lead_but_its_owner_and_a_coordinator_can(api: Api) -> None:
    lead = api.lead(phone="6155550142", owner_id=api.ids["dana"])
    assert _share(api, "isa", lead["contact_id"]) == 403
    assert _share(api, "eli", lead["contact_id"]) == 404  # not eli's to see, let alone share
    assert _share(api, "dana", lead["contact_id"]) == 201
    assert _share(api, "coordinator", lead["contact_id"]) == 201  # the same share, again


def _user(api: Api, who: str) -> User:
    with api.container.uow(read_only=True) as uow:
        user = uow.session.get(User, api.ids[who])
        assert user is not None
        uow.session.expunge(user)
        return user


def test_the_live_stream_tells_an_agent_only_of_their_own_leads(api: Api) -> None:
    dana, coordinator = _user(api, "dana"), _user(api, "coordinator")
    before = events.fingerprint(api.container, dana), events.fingerprint(api.container, coordinator)
    api.lead(phone="6155550142", owner_id=api.ids["eli"])  # eli's lead: its opening goes out
    assert events.fingerprint(api.container, dana) == before[0]
    assert events.fingerprint(api.container, coordinator) != before[1]
    api.lead(phone="6155550199", owner_id=api.ids["dana"])
    assert events.fingerprint(api.container, dana) != before[0]


def test_the_stream_is_refused_to_an_author(api: Api) -> None:
    _console(api, "author")
    assert api.client.get("/console/events").status_code == 403


def test_trying_a_draft_is_bounded_in_turns_and_in_characters(api: Api) -> None:
    csrf = _console(api, "author")
    draft = (REPO / "scripts" / "buyer" / "v1.yaml").read_text()

    def attempt(said: list[str], say: str = "") -> tuple[int, str]:
        answer = api.client.post(
            "/console/scripts/buyer/try",
            data={"text": draft, "said": said, "say": say, "action": "send"},
            headers=csrf,
        )
        return answer.status_code, answer.text

    assert attempt(["hi", "3 beds in Hutto"], "under 400k")[0] == 200
    code, page = attempt(["ok"] * 50, "one more")
    assert code == 422 and "at most 50 turns (this one has 51)" in page
    code, page = attempt(["ok", "x" * 1601])
    assert code == 422 and "turn 2 is 1,601 characters" in page and "1,600" in page
    assert attempt([], "y" * 1601)[0] == 422  # the new text too
