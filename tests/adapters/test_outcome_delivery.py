"""An Appointment reaches the agent's inbox and the CRM, through the worker, retried as needed.

The service runs with a real SMTP server (aiosmtpd) and a CRM receiver that
checks every signature; the worker runs the jobs the turn left.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from adapters.storage.vocab import Role
from api.services.dispatch import worker_for
from tests.adapters.conftest import ServerFactory, smtp_server  # noqa: F401 - a fixture
from tests.adapters.test_crm_webhook import SECRET, Receiver, receiver  # noqa: F401
from tests.service.conftest import Service, ServiceFactory, make_service  # noqa: F401
from tests.storage.conftest import (  # noqa: F401 - fixtures
    backend,
    database_url,
    postgres_url,
    sqlite_template,
)

ANA = "+15125550142"


def drain(svc: Service) -> None:
    while worker_for(svc.container).run_once():
        pass


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_an_appointment_is_emailed_to_the_agent_and_posted_to_the_crm(
    make_service: ServiceFactory,  # noqa: F811
    smtp_server: ServerFactory,  # noqa: F811
    receiver: Receiver,  # noqa: F811
) -> None:
    smtp = smtp_server()
    svc = make_service(
        twilio=False,
        auto_approve="all",
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_starttls=False,
        mail_from="Isa alerts <alerts@example.com>",
        crm_webhook_urls=receiver.url,
        crm_webhook_secret=SECRET,
    )
    agent, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    svc.lead(ANA, "Ana", agent)
    receiver.answer = (503, {})  # the CRM is down at first
    svc.client.post("/dev/sms", json={"from": ANA, "body": "3 bd in hutto. call me tomorrow at 3"})
    drain(svc)

    [mail] = smtp.inbox.delivered
    assert mail.rcpt_tos == ["dana@example.com"]
    assert "Appointment" in str(mail.message["Subject"])
    body = text_of(mail.message)
    assert "Hutto" in body and "https://isa.example.com/console/conversations/" in body
    assert "call me tomorrow at 3" in body  # the conversation is in the alert

    [(first_headers, _)] = receiver.accepted  # verified, answered 503: to be retried
    receiver.answer = (204, {})
    svc.clock.advance(minutes=1)  # past the first backoff
    drain(svc)
    [_, (headers, payload)] = receiver.accepted
    assert headers["X-Isa-Delivery"] == first_headers["X-Isa-Delivery"]  # the same delivery
    assert payload["type"] == "outcome.appointment" and payload["data"]["slots"]["beds"] == 3
    svc.clock.advance(hours=3)
    drain(svc)
    assert len(receiver.accepted) == 2 and len(smtp.inbox.delivered) == 1  # nothing more


def test_the_agent_is_reminded_an_hour_before_the_appointment_and_only_of_the_latest_time(
    make_service: ServiceFactory,  # noqa: F811
    smtp_server: ServerFactory,  # noqa: F811
) -> None:
    smtp = smtp_server()
    svc = make_service(
        twilio=False,
        auto_approve="all",
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_starttls=False,
        mail_from="alerts@example.com",
    )
    agent, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    svc.lead(ANA, "Ana", agent)
    svc.client.post("/dev/sms", json={"from": ANA, "body": "3 bd in hutto. call me tomorrow at 3"})
    svc.client.post("/dev/sms", json={"from": ANA, "body": "actually make it tomorrow at 4pm"})
    drain(svc)
    alerts = len(smtp.inbox.delivered)
    svc.clock.now = datetime(2037, 11, 24, 20, 59, tzinfo=UTC)  # 14:59 in Austin
    drain(svc)
    assert len(smtp.inbox.delivered) == alerts  # 3 PM was moved: no reminder for it
    svc.clock.now = datetime(2037, 11, 24, 21, 0, tzinfo=UTC)  # 15:00, an hour before 4 PM
    drain(svc)
    [reminder] = smtp.inbox.delivered[alerts:]
    assert svc.texted(ANA)[-1].startswith("Hi Ana, a quick reminder that Dana will call you")
    assert "4 PM" in svc.texted(ANA)[-1]  # the buyer script reminds the lead too
    assert str(reminder.message["Subject"]).strip().startswith("Reminder, in an hour: Appointment")
    assert "4 PM" in str(reminder.message["Subject"])
    assert reminder.rcpt_tos == ["dana@example.com"]


def test_a_new_lead_from_a_web_form_is_emailed_to_its_agent(
    make_service: ServiceFactory,  # noqa: F811
    smtp_server: ServerFactory,  # noqa: F811
) -> None:
    smtp = smtp_server()
    svc = make_service(
        twilio=False,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_starttls=False,
        mail_from="alerts@example.com",
    )
    agent, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    _, coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
    posted = svc.client.post(
        "/leads",
        headers=coordinator,
        json={
            "phone": "(512) 555-0177",
            "first_name": "Ben",
            "source": "Zillow",
            "inquiry_type": "Schedule Showing",
            "property_address": "12 Oak St, Hutto TX",
            "owner_id": agent,
        },
    )
    assert posted.status_code == 201
    drain(svc)
    [mail] = smtp.inbox.delivered
    assert mail.rcpt_tos == ["dana@example.com"]
    body = text_of(mail.message)
    assert "Ben" in body and "Zillow" in body and "12 Oak St" in body


def test_a_lead_offered_to_an_agent_is_emailed_with_links_to_accept_or_reject_it(
    make_service: ServiceFactory,  # noqa: F811
    smtp_server: ServerFactory,  # noqa: F811
) -> None:
    smtp = smtp_server()
    svc = make_service(
        twilio=False,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_starttls=False,
        mail_from="alerts@example.com",
    )
    agent, _ = svc.user("dana@example.com", Role.AGENT, "Dana")
    _, coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
    posted = svc.client.post(
        "/leads",
        headers=coordinator,
        json={"phone": "(512) 555-0188", "first_name": "Cy", "source": "Zillow", "start": False},
    )
    contact = posted.json()["contact_id"]
    offered = svc.client.post(
        f"/leads/{contact}/assign", headers=coordinator, json={"agent_id": agent}
    )
    assert offered.status_code == 201
    drain(svc)
    [mail] = smtp.inbox.delivered
    assert mail.rcpt_tos == ["dana@example.com"]
    body = text_of(mail.message)
    page = f"https://isa.example.com/console/leads/{contact}?offer={offered.json()['id']}"
    assert f"{page}#accept" in body and f"{page}#reject" in body and "Cy" in body


def test_a_licensed_question_alerts_the_agent_with_the_leads_words_and_the_console_link(
    make_service: ServiceFactory,  # noqa: F811
    smtp_server: ServerFactory,  # noqa: F811
) -> None:
    smtp = smtp_server()
    svc = make_service(
        twilio=False,
        auto_approve="all",
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_starttls=False,
        mail_from="Isa alerts <alerts@example.com>",
    )
    agent, agent_headers = svc.user("dana@example.com", Role.AGENT, "Dana")
    contact = svc.lead(ANA, "Ana", agent)
    svc.client.post("/dev/sms", json={"from": ANA, "body": "what's the house on Elm worth?"})
    drain(svc)

    view = svc.client.get(f"/conversations/{contact}", headers=agent_headers).json()
    [alert] = view["alerts"]
    assert alert == {**alert, "reason": "lead: question", "text": "what's the house on Elm worth?"}
    [mail] = smtp.inbox.delivered
    assert mail.rcpt_tos == ["dana@example.com"]
    assert str(mail.message["Subject"]) == "Lead: question: Ana"
    body = text_of(mail.message)
    assert "what's the house on Elm worth?" in body
    assert f"https://isa.example.com/console/conversations/{contact}" in body
