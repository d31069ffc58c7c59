"""Issue 14, items 4 and 5: an intake token adds inquiries and learns nothing; the owner of a
known lead changes only by assignment, whoever posts or imports it. Through HTTP, both
databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from adapters.storage.orm import AuditEntry, Inquiry, Job, Share, User
from api.accounts import WEB_FORM_TOKEN, issue_token
from tests.leads.conftest import NOW, Api


def _form_token(api: Api, who: str = "dana") -> str:
    """A web-form (intake) token made for ``who``, kept as ``api.tokens['form']``."""
    with api.container.uow() as uow:
        user = uow.session.get(User, api.ids[who])
        assert user is not None
        _, token = issue_token(uow, user, name=WEB_FORM_TOKEN, at=NOW, actor_id=None)
        uow.commit()
    api.tokens["form"] = token
    return token


def _owners(api: Api, contact_id: int) -> list[int | None]:
    with api.container.uow(read_only=True) as uow:
        return list(
            uow.session.scalars(
                select(Inquiry.owner_id)
                .where(Inquiry.contact_id == contact_id)
                .order_by(Inquiry.id)
            )
        )


def _shares(api: Api) -> int:
    with api.container.uow(read_only=True) as uow:
        return len(uow.session.scalars(select(Share.id)).all())


def _post(api: Api, who: str, **body: Any) -> Any:
    return api.client.post("/leads", json=body, headers=api.headers(who))


def test_an_intake_token_adds_an_inquiry_but_never_takes_a_known_lead(api: Api) -> None:
    owned = api.lead(phone="6155550142", first_name="Ann", owner_id=api.ids["eli"])
    _form_token(api, "dana")
    answer = _post(api, "form", phone="615-555-0142", owner_id=api.ids["dana"], message="hi")
    assert answer.status_code == 202 and answer.json() == {"status": "received"}
    contact_id = owned["contact_id"]
    assert _owners(api, contact_id) == [api.ids["eli"], api.ids["eli"]]  # eli keeps the lead
    assert _shares(api) == 0
    hidden = api.client.get(f"/leads/{contact_id}", headers=api.headers("dana"))
    assert hidden.status_code == 404  # dana sees nothing of it
    assert api.get("/leads", who="dana")["total"] == 0
    assert (
        api.client.get(f"/conversations/{contact_id}", headers=api.headers("dana")).status_code
        == 404
    )


def test_an_intake_tokens_answer_is_the_same_for_a_new_and_a_known_contact(api: Api) -> None:
    api.lead(phone="6155550142", email="ann@example.com", owner_id=api.ids["eli"])
    _form_token(api)
    answers = [
        _post(api, "form", phone=phone, **extra)
        for phone, extra in (
            ("6155550142", {}),  # known by phone
            ("6155550199", {"email": "ANN@example.com"}),  # known by e-mail
            ("6155550177", {}),  # new
            ("6155550177", {"owner_id": api.ids["eli"]}),  # now known
        )
    ]
    assert {(a.status_code, a.text) for a in answers} == {(202, '{"status":"received"}')}
    assert all("contact_id" not in a.text and "created" not in a.text for a in answers)
    with api.container.uow(read_only=True) as uow:  # the audit log keeps what happened
        details = [
            e.details
            for e in uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "lead.intake").order_by(AuditEntry.id)
            )
        ]
    assert [d["created"] for d in details] == [True, False, False, True, False]
    assert all(d["intake_token"] for d in details[1:])


def test_an_intake_token_does_not_fill_in_a_known_contacts_name(api: Api) -> None:
    known = api.lead(phone="6155550142", start=False)  # no name yet
    _form_token(api)
    answer = _post(api, "form", phone="6155550142", first_name="Mallory", email="m@example.com")
    assert answer.status_code == 202
    contact = api.get(f"/leads/{known['contact_id']}")["contact"]
    assert contact["first_name"] is None and contact["email"] is None
    inquiries = api.get(f"/leads/{known['contact_id']}")["inquiries"]
    assert any(i["raw"].get("first_name") == "Mallory" for i in inquiries)  # kept, not applied


def test_an_unknown_script_is_refused_alike_for_a_new_and_a_known_contact(api: Api) -> None:
    api.lead(phone="6155550142")
    _form_token(api)
    known = _post(api, "form", phone="6155550142", script="nosuch")
    new = _post(api, "form", phone="6155550199", script="nosuch")
    assert known.status_code == new.status_code == 404
    assert known.json() == new.json()


def test_an_intake_token_reaches_nothing_but_posting_leads(api: Api) -> None:
    _form_token(api, "dana")
    for method, url in (
        ("GET", "/leads"),
        ("GET", "/me"),
        ("GET", "/assignments"),
        ("GET", "/leads/1"),
        ("GET", "/conversations/1"),
        ("GET", "/users/1/tokens"),
    ):
        answer = api.client.request(method, url, headers=api.headers("form"))
        assert answer.status_code == 403, (method, url, answer.text)
        assert "web-form" in answer.json()["detail"]


def test_a_coordinator_naming_another_owner_for_a_known_lead_does_not_move_it(api: Api) -> None:
    first = api.lead(phone="6155550142", owner_id=api.ids["dana"])
    again = api.lead(phone="6155550142", owner_id=api.ids["eli"], message="still looking")
    assert again["contact_id"] == first["contact_id"] and again["created"] is False
    assert "owner_id" in again["owner"] and f"owned by agent {api.ids['dana']}" in again["owner"]
    assert "assignment" in again["owner"]
    assert _owners(api, first["contact_id"]) == [api.ids["dana"], api.ids["dana"]]
    eli = api.client.get(f"/leads/{first['contact_id']}", headers=api.headers("eli"))
    assert eli.status_code == 404
    with api.container.uow(read_only=True) as uow:  # no "new lead" alert to eli either
        jobs = [j.payload for j in uow.session.scalars(select(Job).where(Job.kind == "new_lead"))]
    assert len(jobs) == 2  # dana's: one per inquiry
    # the same as assignment's own rule
    refused = api.client.post(
        f"/leads/{first['contact_id']}/assign",
        json={"agent_id": api.ids["eli"]},
        headers=api.headers("coordinator"),
    )
    assert refused.status_code == 409


def test_a_known_lead_nobody_holds_gets_the_owner_named(api: Api) -> None:
    first = api.lead(phone="6155550142")
    again = api.lead(phone="6155550142", owner_id=api.ids["eli"])
    assert again["owner"] is None
    assert _owners(api, first["contact_id"]) == [None, api.ids["eli"]]


def test_a_lead_offered_to_an_agent_is_not_given_to_another_by_intake(api: Api) -> None:
    first = api.lead(phone="6155550142")
    offered = api.client.post(
        f"/leads/{first['contact_id']}/assign",
        json={"agent_id": api.ids["dana"]},
        headers=api.headers("coordinator"),
    )
    assert offered.status_code == 201
    again = api.lead(phone="6155550142", owner_id=api.ids["eli"])
    assert "offered to agent" in again["owner"]
    assert _owners(api, first["contact_id"]) == [None, None]


def test_an_import_naming_another_owner_leaves_known_leads_with_theirs(api: Api) -> None:
    owned = api.lead(phone="6155550142", owner_id=api.ids["dana"])
    csv = "Phone,First Name\n6155550142,Ann\n6155550199,Bo\n"
    answer = api.client.post(
        "/leads/import",
        files={"file": ("leads.csv", csv.encode(), "text/csv")},
        data={"owner_id": str(api.ids["eli"])},
        headers=api.headers("coordinator"),
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["summary"]["owner_not_changed"] == 1
    assert report["summary"]["merged"] == 1 and report["summary"]["imported"] == 1
    (note,) = report["notes"]
    assert "lines 2" in note and "only by assignment" in note
    assert _owners(api, owned["contact_id"]) == [api.ids["dana"], api.ids["dana"]]
    eli = api.get("/leads", who="eli")
    assert [i["phone"] for i in eli["items"]] == ["+16155550199"]
