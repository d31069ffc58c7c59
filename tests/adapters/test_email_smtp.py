"""SmtpMailer against a real local SMTP server (aiosmtpd): what the agent sees, and failures."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.email_smtp import SmtpMailer
from api.settings import Settings
from isa_engine.model import OutcomeKind
from isa_engine.ports import (
    AssignmentOffer,
    LeadCard,
    NewLeadNotice,
    OutcomeNotice,
    PermanentSendError,
    Recipient,
    TextLine,
    TransientSendError,
)
from tests.adapters.conftest import SMTP_PASSWORD, SMTP_USER, ServerFactory, SmtpServer, free_port

PUBLIC = "https://isa.example.com"
DANA = Recipient("dana@example.com", "Dana")
ANA = LeadCard(42, "+15125550142", "Ana", "Lopez", "ana@example.com")
T0 = datetime(2037, 11, 23, 16, 0, tzinfo=UTC)  # 10:00 in Austin
LINK = f"{PUBLIC}/console/conversations/42"

APPOINTMENT = OutcomeNotice(
    outcome_id=7,
    kind=OutcomeKind.APPOINTMENT,
    lead=ANA,
    slots={
        "beds": 3,
        "baths": 2.0,
        "location": ["Hutto", "Pflugerville"],
        "price_max": 400000,
        "preapproval": "in_progress",
        "appointment": "2037-11-24T15:00",
    },
    reason="a firm time to talk",
    at=T0 + timedelta(minutes=4),
    texts=(
        TextLine(T0, False, "Hi Ana! This is Dana's assistant. Are you still looking?"),
        TextLine(T0 + timedelta(minutes=2), True, "yes! 3 bd 2 ba in hutto or pflugerville <b>"),
        TextLine(T0 + timedelta(minutes=4), True, "tomorrow at 3 works"),
    ),
)


def mailer(server: SmtpServer, **options: Any) -> SmtpMailer:
    settings: dict[str, Any] = {
        "mail_from": "Isa alerts <alerts@isa.example.com>",
        "public_url": PUBLIC,
        "port": server.port,
        "starttls": False,
        "timeout": 5,
    }
    return SmtpMailer(server.host, **{**settings, **options})


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies, as the agent's mail client would choose them."""
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    text: tuple[str, str] = (plain.get_content(), html.get_content())
    return text[0].replace("\r\n", "\n"), text[1].replace("\r\n", "\n")


def test_an_appointment_alert_tells_the_agent_when_to_call_what_was_learned_and_where(
    smtp_server: ServerFactory,
) -> None:
    server = smtp_server()
    message_id = mailer(server).send_outcome(APPOINTMENT, DANA)
    [got] = server.inbox.delivered
    assert got.mail_from == "alerts@isa.example.com" and got.rcpt_tos == ["dana@example.com"]
    message = got.message
    assert message["Subject"] == "Appointment: Ana Lopez, call Tuesday, November 24 at 3 PM CST"
    assert message["Message-ID"] == message_id and message["To"] == "Dana <dana@example.com>"
    plain, html = parts(message)
    for shown in (plain, html):
        assert "Hi Dana," in shown and "Ana set a time for your call" in shown
        assert "Bedrooms" in shown and "Hutto or Pflugerville" in shown
        assert "$400,000" in shown and "in progress" in shown
        assert "+1 512-555-0142" in shown and "tomorrow at 3 works" in shown
        assert "Mon Nov 23, 10:02 AM CST" in shown  # texts in the lead's time
    assert f"Open the conversation: {LINK}" in plain
    assert "  Bedrooms: 3\n" in plain and "  Bathrooms: 2\n" in plain
    assert f'href="{LINK}"' in html and 'href="tel:+15125550142"' in html


def test_a_leads_text_is_shown_not_run_in_the_html_part(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    mailer(server).send_outcome(APPOINTMENT, DANA)
    plain, html = parts(server.inbox.delivered[0].message)
    assert "pflugerville <b>" in plain
    assert "pflugerville &lt;b&gt;" in html and "<b>" not in html


@pytest.mark.parametrize(
    ("kind", "subject", "says"),
    [
        (OutcomeKind.ENGAGEMENT, "Engagement: Ana Lopez", "did not set a time to talk"),
        (OutcomeKind.UPDATE, "Update: Ana Lopez", "Ana sent new information"),
    ],
)
def test_engagement_and_update_alerts_say_what_happened(
    smtp_server: ServerFactory, kind: OutcomeKind, subject: str, says: str
) -> None:
    server = smtp_server()
    notice = OutcomeNotice(8, kind, ANA, {"email": "ana@new.example.com"}, "", T0)
    mailer(server).send_outcome(notice, DANA)
    message = server.inbox.delivered[0].message
    plain, html = parts(message)
    assert message["Subject"] == subject
    assert says in plain and says in html and "ana@new.example.com" in plain
    assert LINK in plain and "The conversation" not in plain  # no texts given, none shown


def test_a_new_lead_alert_shows_where_the_lead_came_from(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    notice = NewLeadNotice(
        inquiry_id=3,
        lead=ANA,
        source="Zillow",
        inquiry_type="Schedule Showing",
        received_at=T0,
        property_address="104 Main St, Hutto, TX",
        message="Can I see it Saturday?",
    )
    mailer(server).send_new_lead(notice, DANA)
    message = server.inbox.delivered[0].message
    assert message["Subject"] == "New lead: Ana Lopez (Zillow, Schedule Showing)"
    plain, html = parts(message)
    for shown in (plain, html):
        assert "104 Main St, Hutto, TX" in shown and "Can I see it Saturday?" in shown
        assert "Mon Nov 23, 10:00 AM CST" in shown
    assert LINK in plain and f'href="{LINK}"' in html


def test_the_assignment_email_has_accept_and_reject_links(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    accept = f"{PUBLIC}/assignments/5/accept?token=abc"
    reject = f"{PUBLIC}/assignments/5/reject?token=abc"
    offer = AssignmentOffer(
        assignment_id=5,
        inquiry=NewLeadNotice(3, ANA, "Website", "Contact", T0),
        offered_at=T0,
        accept_url=accept,
        reject_url=reject,
        offered_by="Casey (leads coordinator)",
    )
    mailer(server).send_assignment(offer, Recipient("sam@example.com", "Sam"))
    message = server.inbox.delivered[0].message
    assert message["Subject"] == "Lead offered to you: Ana Lopez. Accept or reject"
    plain, html = parts(message)
    assert f"Accept: {accept}" in plain and f"Reject: {reject}" in plain
    assert "Casey (leads coordinator) offered you this lead" in plain
    assert f'href="{accept}"' in html and f'href="{reject}"' in html  # the query is kept as is


def test_a_retried_alert_is_the_same_message(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    sender = mailer(server)
    first, again = sender.send_outcome(APPOINTMENT, DANA), sender.send_outcome(APPOINTMENT, DANA)
    assert first == again == "<isa.outcome-7@isa.example.com>"
    ids = {d.message["References"] for d in server.inbox.delivered}
    assert ids == {"<isa.lead-42@isa.example.com>"}  # a lead's alerts make one thread


def test_starttls_and_login_are_used_when_the_server_requires_them(
    smtp_server: ServerFactory, tls_files: tuple[Path, Path]
) -> None:
    server = smtp_server(tls=tls_files)
    trust = ssl.create_default_context(cafile=str(tls_files[0]))
    secure = mailer(
        server, starttls=True, user=SMTP_USER, password=SMTP_PASSWORD, tls_context=trust
    )
    secure.send_outcome(APPOINTMENT, DANA)
    assert len(server.inbox.delivered) == 1
    wrong = mailer(server, starttls=True, user=SMTP_USER, password="nope", tls_context=trust)
    with pytest.raises(TransientSendError, match="ISA_SMTP_PASSWORD"):
        wrong.send_outcome(APPOINTMENT, DANA)
    assert len(server.inbox.delivered) == 1


def test_a_server_without_starttls_is_not_sent_to_in_clear(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    with pytest.raises(TransientSendError, match="ISA_SMTP_STARTTLS"):
        mailer(server, starttls=True).send_outcome(APPOINTMENT, DANA)
    assert server.inbox.delivered == []


@pytest.mark.parametrize(
    ("reply", "error"),
    [("550 5.1.1 no such user", PermanentSendError), ("450 4.2.1 try later", TransientSendError)],
)
def test_a_refused_recipient_is_permanent_on_5xx_and_transient_on_4xx(
    smtp_server: ServerFactory, reply: str, error: type[Exception]
) -> None:
    server = smtp_server()
    server.inbox.refuse["dana@example.com"] = reply
    with pytest.raises(error) as caught:
        mailer(server).send_outcome(APPOINTMENT, DANA)
    assert type(caught.value) is error and server.inbox.delivered == []


def test_an_unreachable_server_is_transient() -> None:
    down = SmtpServer("127.0.0.1", free_port(), inbox=None)  # type: ignore[arg-type]
    with pytest.raises(TransientSendError, match="ConnectionRefusedError"):
        mailer(down).send_outcome(APPOINTMENT, DANA)


def test_settings_refuse_an_smtp_server_without_a_sender() -> None:
    with pytest.raises(ValidationError, match="ISA_MAIL_FROM"):
        Settings(smtp_host="smtp.example.com")
    assert Settings(smtp_host="smtp.example.com", mail_from="a@example.com").smtp_starttls
