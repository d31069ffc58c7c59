"""Issue 15 item 2: one owner per contact, shown the same everywhere; what the conversation
learns about the lead (the e-mail) updates the lead."""

from __future__ import annotations

import re

from sqlalchemy import select

from adapters.storage.orm import AuditEntry, ConversationRow
from adapters.storage.vocab import Role
from api.accounts import create_user
from tests.service.conftest import ServiceFactory, make_service  # noqa: F401 - a fixture
from tests.storage.conftest import (  # noqa: F401 - fixtures
    backend,
    database_url,
    postgres_url,
    sqlite_template,
)

MARIA = "+15125550142"
PASSWORD = "correct horse battery"


def test_the_email_a_lead_texts_is_the_leads_email(make_service: ServiceFactory) -> None:  # noqa: F811
    svc = make_service(twilio=False, auto_approve="all")
    dana, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    _, coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
    maria = svc.lead(MARIA, "Maria", dana)
    before = svc.client.get(f"/leads/{maria}", headers=coordinator).json()
    assert before["contact"]["email"] is None and before["owner_id"] == dana
    sent = svc.client.post("/dev/sms", json={"from": MARIA, "body": "maria.g@example.com"})
    assert sent.status_code == 200, sent.text
    after = svc.client.get(f"/leads/{maria}", headers=coordinator).json()
    assert after["contact"]["email"] == "maria.g@example.com"
    with svc.container.uow(read_only=True) as uow:
        learned = uow.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "contact.learned")
        )
        assert learned is not None and learned.details["after"] == "maria.g@example.com"


def test_the_agent_who_accepts_a_lead_owns_its_conversation_too(
    make_service: ServiceFactory,  # noqa: F811
) -> None:
    svc = make_service(twilio=False, auto_approve="all")
    dana, as_dana = svc.user("dana@example.com", Role.AGENT, "Dana", "Reyes")
    _, coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
    maria = svc.lead(MARIA, "Maria", None)  # nobody's yet: the opening names "your agent"
    offer = svc.client.post(
        f"/leads/{maria}/assign", json={"agent_id": dana}, headers=coordinator
    ).json()
    svc.client.post(f"/assignments/{offer['id']}/accept", headers=as_dana)
    lead = svc.client.get(f"/leads/{maria}", headers=coordinator).json()
    assert lead["owner_id"] == dana and lead["conversation"]["agent_id"] == dana
    with svc.container.uow(read_only=True) as uow:
        row = uow.session.scalar(select(ConversationRow))
        assert row is not None and (row.agent_name, row.agent_last) == ("Dana", "Reyes")
    with svc.container.uow() as uow:
        create_user(
            uow, email="x@example.com", name="Xe Lo", role=Role.COORDINATOR, at=svc.clock(),
            password=PASSWORD,
        )  # fmt: skip
        uow.commit()
    svc.client.post("/console/sign-in", data={"email": "x@example.com", "password": PASSWORD})
    page = svc.client.get(f"/console/leads/{maria}").text
    assert re.search(r"<dt>Owner</dt><dd>Dana Reyes</dd>", page), page
