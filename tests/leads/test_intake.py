"""POST /leads: one web form or ad lead in, the contact deduplicated, the first text sent."""

from __future__ import annotations

from sqlalchemy import func, select

from adapters.storage.orm import AuditEntry, ConsentRecord, Contact, ConversationRow, Inquiry
from api.accounts import issue_token
from api.routes.leads import WEB_FORM_TOKEN
from tests.leads.conftest import NOW, Api


def _count(api: Api, model: type) -> int:
    with api.container.uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_new_lead_gets_a_contact_an_inquiry_and_its_first_text(api: Api) -> None:
    out = api.lead(
        phone="(615) 555-0142",
        first_name="Ann",
        last_name="Lee",
        email="Ann@Example.com",
        inquiry_type="Schedule Showing",
        source="Realtor.com",
        interest_level=4,
        priority="Hot",
        lead_status="Active",
    )
    assert out["created"] is True and out["matched_by"] is None
    assert out["conversation"] == "started" and out["conversation_id"]
    detail = api.get(f"/leads/{out['contact_id']}")
    assert isinstance(detail, dict)
    assert detail["contact"]["phone"] == "+16155550142"
    assert detail["contact"]["email"] == "ann@example.com"
    assert detail["inquiries"][0]["priority"] == "hot"
    assert detail["conversation"]["script"] == "buyer@1"
    assert [to for to, _ in api.sms.sent] == ["+16155550142"]
    assert "Ann" in api.sms.sent[0][1] and "STOP" in api.sms.sent[0][1]


def test_the_same_phone_in_another_format_is_one_contact_with_two_inquiries(api: Api) -> None:
    first = api.lead(phone="615-555-0142", first_name="Ann")
    second = api.lead(phone="+1 615 555 0142", inquiry_type="Ask a Question", message="HOA?")
    assert second["contact_id"] == first["contact_id"]
    assert (second["created"], second["matched_by"]) == (False, "phone")
    assert second["conversation"] == "exists"  # one thread per contact: no second opening
    assert (_count(api, Contact), _count(api, Inquiry), _count(api, ConversationRow)) == (1, 2, 1)
    assert len(api.sms.sent) == 1


def test_a_new_phone_with_a_known_email_joins_that_contact(api: Api) -> None:
    first = api.lead(phone="615-555-0142", email="ann@example.com")
    second = api.lead(phone="615-555-0199", email="ANN@example.com", first_name="Ann")
    assert second["contact_id"] == first["contact_id"] and second["matched_by"] == "email"
    detail = api.get(f"/leads/{first['contact_id']}")
    assert isinstance(detail, dict)
    assert detail["contact"]["first_name"] == "Ann"  # a blank filled in, nothing overwritten
    assert detail["inquiries"][0]["raw"]["phone_e164"] == "+16155550199"


def test_a_bad_phone_is_refused_naming_the_field_and_why(api: Api) -> None:
    answer = api.client.post("/leads", json={"phone": "12"}, headers=api.headers("coordinator"))
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["body", "phone"] and "phone number" in problem["msg"]
    assert _count(api, Contact) == 0


def test_a_local_number_without_its_area_code_is_refused_saying_so(api: Api) -> None:
    answer = api.client.post(
        "/leads", json={"phone": "555-0304"}, headers=api.headers("coordinator")
    )
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["body", "phone"] and "area code" in problem["msg"]
    assert _count(api, Contact) == 0


def test_out_of_range_fields_are_refused_before_anything_is_stored(api: Api) -> None:
    for bad in ({"interest_level": 6}, {"priority": "Lukewarm"}, {"owner_id": 999_999}):
        answer = api.client.post(
            "/leads", json={"phone": "6155550142", **bad}, headers=api.headers("coordinator")
        )
        assert answer.status_code == 422, bad
        assert answer.json()["detail"][0]["loc"][-1] == next(iter(bad))
    assert _count(api, Inquiry) == 0


def test_consent_given_on_the_form_is_kept_as_a_consent_record(api: Api) -> None:
    out = api.lead(
        phone="6155550142",
        consent={
            "source": "website form",
            "wording": "I agree to receive texts…",
            "reference": "f-17",
        },
    )
    with api.container.uow(read_only=True) as uow:
        record = uow.session.scalars(select(ConsentRecord)).one()
    assert (record.contact_id, record.reference, record.given_at) == (
        out["contact_id"],
        "f-17",
        NOW,
    )


def test_seller_and_open_house_leads_get_their_scripts_by_default(api: Api) -> None:
    seller = api.lead(phone="6155550101", contact_type="Seller", inquiry_type="Home Valuation")
    visit = api.lead(phone="6155550102", inquiry_type="Open House Sign-in")
    scripts = {
        api.get(f"/leads/{x['contact_id']}")["conversation"]["script"] for x in (seller, visit)
    }
    assert scripts == {"seller@1", "open_house@1"}


def test_start_false_stores_the_lead_without_texting(api: Api) -> None:
    out = api.lead(phone="6155550142", start=False)
    assert out["conversation"].startswith("not started")
    assert api.sms.sent == [] and _count(api, ConversationRow) == 0


def test_an_agent_cannot_post_leads_but_a_web_form_token_can(api: Api) -> None:
    refused = api.client.post("/leads", json={"phone": "6155550142"}, headers=api.headers("dana"))
    assert refused.status_code == 403 and "web-form" in refused.json()["detail"]
    with api.container.uow() as uow:
        from adapters.storage.orm import User

        user = uow.session.get(User, api.ids["isa"])
        assert user is not None
        _, token = issue_token(uow, user, name=WEB_FORM_TOKEN, at=NOW, actor_id=None)
        uow.commit()
    api.tokens["form"] = token
    answer = api.client.post(
        "/leads",
        json={"phone": "6155550142", "received_at": "2037-11-20T09:00:00-06:00"},
        headers=api.headers("form"),
    )
    assert answer.status_code == 202 and answer.json() == {"status": "received"}
    assert _count(api, Inquiry) == 1


def test_every_intake_is_in_the_audit_log(api: Api) -> None:
    out = api.lead(phone="6155550142")
    with api.container.uow(read_only=True) as uow:
        actions = set(
            uow.session.scalars(
                select(AuditEntry.action).where(AuditEntry.subject_id == str(out["contact_id"]))
            )
        )
    assert {"lead.intake", "conversation.start"} <= actions


def test_received_at_must_carry_an_offset(api: Api) -> None:
    answer = api.client.post(
        "/leads",
        json={"phone": "6155550142", "received_at": "2037-01-01T09:00:00"},
        headers=api.headers("coordinator"),
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "received_at"]


def test_text_with_nul_and_ids_beyond_the_database_are_refused_not_crashed(api: Api) -> None:
    headers = api.headers("coordinator")
    nul = api.client.post(
        "/leads", json={"phone": "6155550142", "message": "a\x00b"}, headers=headers
    )
    assert nul.status_code == 422
    assert api.client.get(f"/leads/{2**70}", headers=headers).status_code == 422
    assert api.client.get("/leads", params={"q": "a\x00"}, headers=headers).status_code == 422
    assert api.client.get(f"/scripts/buyer/{2**40}/stats", headers=headers).status_code == 422
