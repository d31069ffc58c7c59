"""Seed 002: offer a lead to an agent, who accepts or rejects it; the unassigned list; sharing;
mass enrolment in a campaign, refused without consent (COMPLIANCE.md #9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from adapters.storage.orm import AuditEntry, Contact, Enrollment
from tests.leads.conftest import Api


def _lead(api: Api, phone: str, days_ago: int = 0, **more: Any) -> int:
    when = datetime(2037, 11, 23, tzinfo=UTC) - timedelta(days=days_ago)
    out = api.lead(phone=phone, start=False, received_at=when.isoformat(), **more)
    return int(out["contact_id"])


def _offer(api: Api, contact_id: int, agent: str) -> dict[str, Any]:
    answer = api.client.post(
        f"/leads/{contact_id}/assign",
        json={"agent_id": api.ids[agent]},
        headers=api.headers("coordinator"),
    )
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _unassigned(api: Api) -> list[int]:
    page = api.get("/leads/unassigned")
    assert isinstance(page, dict)
    return [row["contact_id"] for row in page["items"]]


def test_the_unassigned_list_is_newest_first_and_drops_offered_and_owned_leads(api: Api) -> None:
    old, new, owned = (
        _lead(api, "6155550101", 3),
        _lead(api, "6155550102", 1),
        _lead(api, "6155550103", 0, owner_id=api.ids["dana"]),
    )
    assert _unassigned(api) == [new, old]
    assert owned not in _unassigned(api)
    _offer(api, new, "dana")
    assert _unassigned(api) == [old]


def test_an_accepted_lead_is_owned_by_the_agent_and_visible_to_them_only(api: Api) -> None:
    lead = _lead(api, "6155550101")
    _lead(api, "6155550101", 1)  # a second inquiry of the same contact
    offer = _offer(api, lead, "dana")
    assert offer["state"] == "offered"
    assert [a["id"] for a in api.get("/assignments?state=offered", "dana")] == [offer["id"]]
    accepted = api.client.post(f"/assignments/{offer['id']}/accept", headers=api.headers("dana"))
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    detail = api.get(f"/leads/{lead}", "dana")
    assert {i["owner_id"] for i in detail["inquiries"]} == {api.ids["dana"]}
    assert api.client.get(f"/leads/{lead}", headers=api.headers("eli")).status_code == 404
    again = api.client.post(f"/assignments/{offer['id']}/accept", headers=api.headers("dana"))
    assert again.status_code == 409


def test_a_rejected_lead_returns_to_the_unassigned_list_with_the_reason(api: Api) -> None:
    lead = _lead(api, "6155550101")
    offer = _offer(api, lead, "dana")
    refused = api.client.post(
        f"/assignments/{offer['id']}/reject", json={"reason": "too far"}, headers=api.headers("eli")
    )
    assert refused.status_code == 404  # not offered to Eli: Eli cannot even see it
    rejected = api.client.post(
        f"/assignments/{offer['id']}/reject",
        json={"reason": "too far"},
        headers=api.headers("dana"),
    )
    assert rejected.json()["reject_reason"] == "too far"
    assert _unassigned(api) == [lead]
    assert _offer(api, lead, "eli")["state"] == "offered"  # can be offered again
    with api.container.uow(read_only=True) as uow:
        actions = list(
            uow.session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.like("lead.%"))
                .order_by(AuditEntry.id)
            )
        )
    assert actions[-3:] == ["lead.assign", "lead.reject", "lead.assign"]


def test_a_lead_offered_to_one_agent_cannot_be_offered_to_another_meanwhile(api: Api) -> None:
    lead = _lead(api, "6155550101")
    _offer(api, lead, "dana")
    answer = api.client.post(
        f"/leads/{lead}/assign",
        json={"agent_id": api.ids["eli"]},
        headers=api.headers("coordinator"),
    )
    assert answer.status_code == 409 and "already offered" in answer.json()["detail"]


def test_only_coordinators_assign_and_only_to_agents(api: Api) -> None:
    lead = _lead(api, "6155550101")
    by_agent = api.client.post(
        f"/leads/{lead}/assign", json={"agent_id": api.ids["dana"]}, headers=api.headers("dana")
    )
    assert by_agent.status_code == 403
    to_isa = api.client.post(
        f"/leads/{lead}/assign",
        json={"agent_id": api.ids["isa"]},
        headers=api.headers("coordinator"),
    )
    assert to_isa.status_code == 422


def test_the_owner_shares_a_lead_and_the_other_agent_then_sees_it(api: Api) -> None:
    lead = _lead(api, "6155550101", owner_id=api.ids["dana"])
    assert (
        api.client.post(
            f"/leads/{lead}/share", json={"agent_id": api.ids["dana"]}, headers=api.headers("eli")
        ).status_code
        == 404
    )
    shared = api.client.post(
        f"/leads/{lead}/share", json={"agent_id": api.ids["eli"]}, headers=api.headers("dana")
    )
    assert shared.status_code == 201
    assert api.get(f"/leads/{lead}", "eli")["shared_with"] == [api.ids["eli"]]
    page = api.get("/leads", "eli")
    assert [i["contact_id"] for i in page["items"]] == [lead]


def test_enrolment_without_consent_or_of_a_dead_contact_is_refused_and_listed(api: Api) -> None:
    consent = {"source": "web form", "wording": "I agree to receive texts"}
    ok = _lead(api, "6155550101", consent=consent)
    no_consent = _lead(api, "6155550102")
    dead = _lead(api, "6155550103", consent=consent)
    with api.container.uow() as uow:
        uow.contacts.mark_dead(dead, "opted out", datetime(2037, 11, 22, tzinfo=UTC))
        uow.commit()
    answer = api.client.post(
        "/campaigns/buyer_nurture/enroll",
        json={"contact_ids": [ok, no_consent, dead, 999_999, ok]},
        headers=api.headers("coordinator"),
    )
    assert answer.status_code == 200
    out = answer.json()
    assert out["enrolled"] == [ok]
    refused = {r["contact_id"]: r["reason"] for r in out["refused"]}
    assert refused[no_consent].startswith("no consent record")
    assert refused[dead].startswith("dead")
    assert refused[999_999] == "no such lead"
    with api.container.uow(read_only=True) as uow:
        assert list(uow.session.scalars(select(Enrollment.contact_id))) == [ok]
        assert uow.session.get(Contact, dead) is not None
    second = api.client.post(
        "/campaigns/buyer_nurture/enroll",
        json={"contact_ids": [ok]},
        headers=api.headers("coordinator"),
    )
    assert second.json()["already"] == [ok]


def test_enrolling_in_an_unknown_campaign_is_a_404(api: Api) -> None:
    answer = api.client.post(
        "/campaigns/nope/enroll", json={"contact_ids": [1]}, headers=api.headers("coordinator")
    )
    assert answer.status_code == 404
