"""Issue 15: routing rules offer every new lead at once; an offer not accepted in time goes to the
next agent, and after the rule's tries to the pond; each step audited and e-mailed.

The app runs on the database under test with a clock the test moves, a real SMTP server
(aiosmtpd) for the e-mails, and the jobs run by the service's own worker when they are due.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from adapters.storage.orm import Assignment, AuditEntry, Inquiry, User
from adapters.storage.vocab import Role
from api.accounts import WEB_FORM_TOKEN, create_user, issue_token
from api.app import create_app
from api.container import Container
from api.services.dispatch import run_until
from api.settings import Settings
from tests.adapters.conftest import ServerFactory, SmtpServer, smtp_server  # noqa: F401
from tests.leads.conftest import FakeSms

T0 = datetime(2037, 11, 23, 16, 0, tzinfo=UTC)  # 10:00 in Chicago

RULES = """\
timezone: America/Chicago
offer: {timeout: 15m, tries: 2}
groups:
  team:
    members:
      - {agent: dana@example.com, weight: 2}
      - {agent: eli@example.com}
      - {agent: fay@example.com}
  capped:
    cap: 1
    members: [{agent: gus@example.com}, {agent: hal@example.com}]
rules:
  - name: luxury
    when: {price: {min: 1000000}}
    to: {agent: gus@example.com}
    timeout: 30m
    tries: 1
  - name: zillow
    when: {source: [Zillow]}
    to: {group: capped}
  - name: overnight
    when: {time: "21:00-07:00"}
    to: pond
  - name: everyone else
    to: {group: team}
"""


@dataclass
class Clock:
    """A clock the test moves."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def move_to(self, when: datetime) -> None:
        """Time passes (never back)."""
        self.now = max(self.now, when)


@dataclass
class Office:
    """The app, its clock, its inbox, and a token and id per person."""

    client: TestClient
    container: Container
    clock: Clock
    smtp: SmtpServer
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        """Authorization for ``who``."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def lead(self, phone: str, **body: Any) -> dict[str, Any]:
        """POST /leads as the coordinator (no conversation: routing is what is tested)."""
        answer = self.client.post(
            "/leads", json={"phone": phone, "start": False, **body}, headers=self.headers("cora")
        )
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def wait(self, **delta: float) -> None:
        """Time passes; every job runs when it is due."""
        run_until(self.container, self.clock() + timedelta(**delta), self.clock.move_to)

    def offers(self, contact_id: int) -> list[tuple[str, str]]:
        """The lead's offers in order: (agent, state)."""
        with self.container.uow(read_only=True) as uow:
            rows = uow.session.execute(
                select(User.email, Assignment.state)
                .join(User, User.id == Assignment.agent_id)
                .where(Assignment.contact_id == contact_id)
                .order_by(Assignment.id)
            )
            return [(email.split("@")[0], str(state)) for email, state in rows]

    def audit(self, contact_id: int) -> list[str]:
        """The lead's audit actions about routing, in order."""
        with self.container.uow(read_only=True) as uow:
            return list(
                uow.session.scalars(
                    select(AuditEntry.action)
                    .where(
                        AuditEntry.subject_id == str(contact_id),
                        AuditEntry.action.in_(
                            ("lead.route", "lead.offer_expired", "lead.pond", "lead.reject")
                        ),
                    )
                    .order_by(AuditEntry.id)
                )
            )

    def mail_to(self, who: str) -> list[str]:
        """Subjects of the e-mails ``who`` received."""
        return [
            str(d.message["Subject"])
            for d in self.smtp.inbox.delivered
            if f"{who}@example.com" in d.rcpt_tos
        ]


PEOPLE = {"cora": Role.COORDINATOR, **{a: Role.AGENT for a in ("dana", "eli", "fay", "gus", "hal")}}


@pytest.fixture
def office(
    database_url: str,
    scripts_dir: Path,
    tmp_path: Path,
    smtp_server: ServerFactory,  # noqa: F811
) -> Iterator[Office]:
    """The app with the routing rules above; Fay is away."""
    routing = tmp_path / "routing.yaml"
    routing.write_text(RULES, encoding="utf-8")
    smtp = smtp_server()
    settings = Settings(
        database_url=database_url,
        scripts_dir=scripts_dir,
        routing_file=routing,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_starttls=False,
        mail_from="Isa alerts <alerts@example.com>",
    )
    clock = Clock()
    app = create_app(settings, clock=clock, migrate=False)
    container: Container = app.state.container
    container.extras["sms"] = FakeSms()
    office = Office(TestClient(app), container, clock, smtp)
    with container.uow() as uow:
        for who, role in PEOPLE.items():
            user = create_user(uow, email=f"{who}@example.com", name=who.title(), role=role, at=T0)
            user.away = who == "fay"
            _, office.tokens[who] = issue_token(uow, user, name="test", at=T0, actor_id=None)
            office.ids[who] = user.id
        uow.commit()
    with office.client:
        yield office
    container.engine.dispose()


def test_a_group_shares_leads_by_weight_skipping_an_agent_who_is_away(office: Office) -> None:
    leads = [office.lead(f"61555501{n:02d}") for n in range(12)]
    assert all(lead["routed"].startswith("offered to") for lead in leads)
    first = [office.offers(lead["contact_id"])[0][0] for lead in leads]
    assert Counter(first) == {"dana": 8, "eli": 4}  # weights 2 : 1; Fay is away
    assert first[:6] == ["dana", "eli", "dana", "dana", "eli", "dana"]  # interleaved
    office.wait(seconds=1)
    assert len(office.mail_to("dana")) == 8 and not office.mail_to("fay")
    assert all(s.startswith("Lead offered to you") for s in office.mail_to("eli"))


def test_an_offer_not_accepted_in_time_goes_to_the_next_agent_then_to_the_pond(
    office: Office,
) -> None:
    lead = office.lead("6155550101")["contact_id"]
    assert office.offers(lead) == [("dana", "offered")]
    office.wait(minutes=14)
    assert office.offers(lead) == [("dana", "offered")]  # not yet
    office.wait(minutes=1)
    assert office.offers(lead) == [("dana", "rejected"), ("eli", "offered")]
    with office.container.uow(read_only=True) as uow:
        first = uow.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        assert first is not None and first.reject_reason == "not accepted within 15 minutes"
    office.wait(minutes=15)  # the rule's two tries are spent: the pond
    assert office.offers(lead) == [("dana", "rejected"), ("eli", "rejected")]
    history = office.client.get(f"/leads/{lead}", headers=office.headers("cora")).json()
    assert [(a["rule"], a["reject_reason"]) for a in history["assignments"]] == [
        ("everyone else", "not accepted within 15 minutes")
    ] * 2
    unassigned = office.client.get("/leads/unassigned", headers=office.headers("cora")).json()
    assert [row["contact_id"] for row in unassigned["items"]] == [lead]
    assert office.audit(lead) == [
        "lead.route",
        "lead.offer_expired",
        "lead.route",
        "lead.offer_expired",
        "lead.pond",
    ]
    assert office.mail_to("dana") == [
        "Lead offered to you: +16155550101. Accept or reject",
        "Lead offer taken back: +16155550101",
    ]
    assert any(s.startswith("Lead in the pond") for s in office.mail_to("cora"))


def test_an_accepted_offer_stays_with_the_agent_after_its_time(office: Office) -> None:
    lead = office.lead("6155550101")["contact_id"]
    [offer] = office.client.get("/assignments?state=offered", headers=office.headers("dana")).json()
    accepted = office.client.post(
        f"/assignments/{offer['id']}/accept", headers=office.headers("dana")
    )
    assert accepted.status_code == 200
    office.wait(hours=1)
    assert office.offers(lead) == [("dana", "accepted")]
    assert office.audit(lead) == ["lead.route"]


def test_a_rejected_offer_goes_to_the_next_agent_at_once(office: Office) -> None:
    lead = office.lead("6155550101")["contact_id"]
    [offer] = office.client.get("/assignments?state=offered", headers=office.headers("dana")).json()
    office.client.post(
        f"/assignments/{offer['id']}/reject",
        json={"reason": "too far"},
        headers=office.headers("dana"),
    )
    assert office.offers(lead) == [("dana", "rejected"), ("eli", "offered")]


def test_rules_match_price_source_and_time_of_day(office: Office) -> None:
    rich = office.lead("6155550101", price=1_500_000)["contact_id"]
    assert office.offers(rich) == [("gus", "offered")]
    z1 = office.lead("6155550102", source="Zillow")["contact_id"]
    z2 = office.lead("6155550103", source="Zillow")["contact_id"]
    z3 = office.lead("6155550104", source="Zillow")
    # Gus holds the luxury lead (cap 1): the Zillow leads go to Hal, then nobody is free
    assert office.offers(z1) == [("hal", "offered")]
    assert office.offers(z2) == []
    assert z3["routed"].startswith("pond: rule 'zillow': no agent available")
    office.clock.move_to(datetime(2037, 11, 24, 4, 0, tzinfo=UTC))  # 22:00 in Chicago
    night = office.lead("6155550105")
    assert night["routed"] == "pond: rule 'overnight'" and office.offers(night["contact_id"]) == []


def test_the_luxury_rule_gives_one_try_then_the_pond(office: Office) -> None:
    rich = office.lead("6155550101", price=2_000_000)["contact_id"]
    office.wait(minutes=29)
    assert office.offers(rich) == [("gus", "offered")]  # its own timeout: 30 minutes
    office.wait(minutes=1)
    assert office.offers(rich) == [("gus", "rejected")]
    assert office.audit(rich)[-1] == "lead.pond"


def test_an_imported_file_is_routed_row_by_row(office: Office) -> None:
    rows = "phone,first name,source\n" + "".join(
        f"61555502{n:02d},Lead{n},Website\n" for n in range(3)
    )
    answer = office.client.post(
        "/leads/import",
        files={"file": ("leads.csv", rows.encode(), "text/csv")},
        headers=office.headers("cora"),
    )
    assert answer.status_code == 200, answer.text
    summary = answer.json()["summary"]
    assert (summary["routed"], summary["pond"]) == (3, 0)
    assert "3 offered by the routing rules, 0 to the pond" in summary["text"]
    with office.container.uow(read_only=True) as uow:
        agents = list(
            uow.session.scalars(select(User.email).join(Assignment, Assignment.agent_id == User.id))
        )
    assert Counter(agents) == {"dana@example.com": 2, "eli@example.com": 1}


def test_a_new_inquiry_of_an_owned_contact_goes_to_its_owner_and_alerts_them(
    office: Office,
) -> None:
    """Issue 15 item 1: Maria, owned by Dana, fills in Schedule Showing for 12 Elm St."""
    maria = office.lead("6155550142", first_name="Maria", owner_id=office.ids["dana"])
    office.wait(seconds=1)
    again = office.lead(
        "(615) 555-0142", inquiry_type="Schedule Showing", property_address="12 Elm St"
    )
    assert (again["created"], again["matched_by"]) == (False, "phone")
    assert again["routed"] is None  # Dana holds her: no routing
    with office.container.uow(read_only=True) as uow:
        inquiry = uow.session.get(Inquiry, again["inquiry_id"])
        assert inquiry is not None and inquiry.owner_id == office.ids["dana"]
    office.wait(seconds=1)
    assert office.mail_to("dana") == [
        "New lead: Maria (Website, Contact)",
        "New lead: Maria (Website, Schedule Showing)",
    ]
    assert office.offers(maria["contact_id"]) == []


def test_a_web_form_lead_is_routed_too(office: Office) -> None:
    with office.container.uow() as uow:
        cora = uow.session.get(User, office.ids["cora"])
        assert cora is not None
        _, form = issue_token(uow, cora, name=WEB_FORM_TOKEN, at=T0, actor_id=None)
        uow.commit()
    answer = office.client.post(
        "/leads",
        json={"phone": "6155550101", "inquiry_type": "Ask a Question", "start": False},
        headers={"Authorization": f"Bearer {form}"},
    )
    assert answer.status_code == 202 and answer.json() == {"status": "received"}
    with office.container.uow(read_only=True) as uow:
        [contact_id] = uow.session.scalars(select(Inquiry.contact_id))
    assert office.offers(contact_id) == [("dana", "offered")]


def test_an_agent_away_is_offered_nothing_until_back(office: Office) -> None:
    dana = office.ids["dana"]
    away = office.client.put(
        f"/users/{dana}/away", json={"away": True}, headers=office.headers("dana")
    )
    assert away.status_code == 200 and away.json()["away"] is True
    other = office.client.put(
        f"/users/{office.ids['eli']}/away", json={"away": True}, headers=office.headers("dana")
    )
    assert other.status_code == 404  # an agent marks only themselves
    first = office.lead("6155550101")["contact_id"]
    second = office.lead("6155550102")["contact_id"]
    assert office.offers(first) == [("eli", "offered")]
    assert office.offers(second) == [("eli", "offered")]
    office.client.put(f"/users/{dana}/away", json={"away": False}, headers=office.headers("cora"))
    third = office.lead("6155550103")["contact_id"]
    assert office.offers(third) == [("dana", "offered")]


def test_an_imported_row_of_an_owned_contact_goes_to_its_owner(office: Office) -> None:
    maria = office.lead("6155550142", first_name="Maria", owner_id=office.ids["dana"])
    rows = "phone,first name,inquiry type\n6155550142,Maria,Schedule Showing\n"
    answer = office.client.post(
        "/leads/import",
        files={"file": ("leads.csv", rows.encode(), "text/csv")},
        headers=office.headers("cora"),
    )
    assert answer.status_code == 200 and answer.json()["summary"]["merged"] == 1
    assert answer.json()["summary"]["owner_not_changed"] == 0  # nobody asked for another
    with office.container.uow(read_only=True) as uow:
        owners = set(
            uow.session.scalars(
                select(Inquiry.owner_id).where(Inquiry.contact_id == maria["contact_id"])
            )
        )
    assert owners == {office.ids["dana"]}
    assert office.offers(maria["contact_id"]) == []  # held: not routed


def test_an_offers_time_runs_out_across_a_restart(office: Office) -> None:
    lead = office.lead("6155550101")["contact_id"]
    office.container.engine.dispose()  # the process stops; its offer's timer is a row
    settings = office.container.settings
    later = Clock(T0 + timedelta(minutes=20))
    app = create_app(settings, clock=later, migrate=False)  # another process, 20 minutes on
    container: Container = app.state.container
    try:
        run_until(container, later(), later.move_to)
        with container.uow(read_only=True) as uow:
            states = list(
                uow.session.scalars(
                    select(Assignment.state)
                    .where(Assignment.contact_id == lead)
                    .order_by(Assignment.id)
                )
            )
        assert [str(s) for s in states] == ["rejected", "offered"]
    finally:
        container.engine.dispose()
