"""A day in the life, through the service (hypothesis stateful testing on a fake clock).

Leads text from a pool of realistic texts (answers, several at once, corrections, questions,
"is this a bot", reschedules, STOP, silence); ISAs approve, edit and reject after random delays;
quiet hours hold texts; agents take over, text and hand back; time jumps let timers fire. The
worker never sleeps: each job runs when it comes due. After every step, for every lead:

- a lead who has not answered our last *sent* text for 15 minutes, while we owe nothing, is Cold;
  a Cold lead with consent is enrolled in its drip;
- nobody is Cold while a reply is owed by us (a suggestion in the queue, a text not yet sent);
- no text that left asked a slot already filled, and none repeats the one before it word for word;
- after an opt-out nothing leaves but the one confirmation;
- nothing leaves in the lead's quiet hours or over a cap;
- an appointment moves only when the lead texts, a new time alone keeps the day and a new day
  alone keeps the time, and the agent's latest outcome names the time the conversation holds.

CI runs a few examples on SQLite and on PostgreSQL; ``make day`` runs many more
(``ISA_DAY_EXAMPLES``).
"""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from adapters.console_sms import ConsoleSms
from adapters.storage.orm import (
    Base,
    Contact,
    ConversationRow,
    Enrollment,
    Job,
    Message,
    OutcomeRow,
    Suggestion,
)
from adapters.storage.vocab import DeliveryStatus, Direction, Role, SuggestionState
from api.services.dispatch import worker_for
from api.services.effects import FINAL_STEP
from api.services.outbox import recipient_of, rules_of
from isa_engine.policy.quiet_hours import earliest_send
from tests.service.conftest import Service, ServiceFactory
from tests.service.conftest import make_service as make_service  # a fixture
from tests.storage.conftest import (  # noqa: F401 - fixtures
    backend,
    database_url,
    postgres_url,
    sqlite_template,
)

START = datetime(2037, 11, 23, 14, 0, tzinfo=UTC)  # Monday 08:00 in Austin
EXAMPLES = int(os.environ.get("ISA_DAY_EXAMPLES", "6"))
STEPS = int(os.environ.get("ISA_DAY_STEPS", "30"))
COLD_AFTER = timedelta(minutes=15)
AUSTIN = ZoneInfo("America/Chicago")
CONSENT = {"source": "website form", "wording": "I agree to receive texts about homes."}
SENT = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED)
NEW_TIME = "can we do 2pm instead?"
NEW_DAY = "could we do friday instead?"
POOL = [
    "yes still looking",
    "3 bedrooms",
    "at least 2 baths",
    "3 bd 2 ba in round rock, under 450k",
    "hutto or pflugerville",
    "sorry I meant 4 beds not 3",
    "preapproved with chase",
    "no agent yet",
    "we already have a realtor",
    "hoping to move in the spring",
    "is this a bot?",
    "who is this?",
    "what's the house on Elm worth?",
    "should I get a fixed or ARM mortgage?",
    "ok",
    "thanks",
    "tomorrow at 3 works",
    "thursday at 10am",
    NEW_TIME,
    NEW_DAY,
    "I don't want a call right now, just looking",
    "can you have her call me?",
    "STOP",
]
_phones = itertools.count(1000)
_written = itertools.count(1)


def local(value: str) -> datetime:
    """A slot's "YYYY-MM-DDTHH:MM", the lead's wall time in Austin, as an instant."""
    return datetime.fromisoformat(value).replace(tzinfo=AUSTIN)


def phone_number() -> str:
    """A fresh Austin number for each lead of the whole run."""
    return f"+1512555{next(_phones) % 10000:04d}"


class DayInTheLife(RuleBasedStateMachine):
    """Leads, ISAs and an agent on one service; the invariants after every step."""

    svc: ClassVar[Service]
    headers: ClassVar[dict[str, dict[str, str]]] = {}
    agent_id: ClassVar[int] = 0
    leads = Bundle("leads")

    def __init__(self) -> None:
        super().__init__()
        self._start_afresh()
        self.phones: dict[int, str] = {}
        self.consented: dict[int, bool] = {}
        self.appointment: dict[int, str | None] = {}
        self.died_at: dict[int, tuple[datetime, int]] = {}  # when, and the text that did it
        self.texted: dict[int, str] = {}  # what each lead said this step

    def _start_afresh(self) -> None:
        """Each example on an empty database, at the same instant: a failure replays exactly."""
        svc = self.svc
        with svc.container.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        svc.clock.now = START
        svc.container.extras["sms"] = svc.sms = ConsoleSms(echo=False)
        cls = type(self)
        cls.agent_id, agent = svc.user("dana@example.com", Role.AGENT, "Dana", "Reyes")
        _, coordinator = svc.user("cora@example.com", Role.COORDINATOR, "Cora")
        _, isa = svc.user("ivy@example.com", Role.ISA, "Ivy")
        cls.headers = {"agent": agent, "coordinator": coordinator, "isa": isa}

    # ------------------------------------------------------------ moving time

    def run_due(self, until: datetime | None = None) -> None:
        """The worker that never sleeps: each job when it comes due, up to ``until``."""
        svc, worker = self.svc, worker_for(self.svc.container)
        until = until or svc.clock()
        while True:
            while worker.run_once():
                pass
            with svc.container.uow(read_only=True) as uow:
                due = uow.session.scalar(
                    select(func.min(Job.due_at)).where(Job.parked.is_(False), Job.due_at <= until)
                )
            if due is None:
                break
            svc.clock.now = max(svc.clock.now, due)
        svc.clock.now = max(svc.clock.now, until)

    # ------------------------------------------------------------ rules

    @initialize(target=leads, hours=st.integers(0, 47), consent=st.booleans())
    def a_lead_arrives_at_some_hour(self, hours: int, consent: bool) -> int:
        self.run_due(self.svc.clock() + timedelta(hours=hours))
        return self._new_lead(consent)

    @rule(target=leads, consent=st.booleans())
    def another_lead_arrives(self, consent: bool) -> int:
        return self._new_lead(consent)

    def _new_lead(self, consent: bool) -> int:
        phone = phone_number()
        body: dict[str, Any] = {"phone": phone, "first_name": "Maria", "owner_id": self.agent_id}
        if consent:
            body["consent"] = CONSENT
        answer = self.svc.client.post("/leads", headers=self.headers["coordinator"], json=body)
        assert answer.status_code == 201, answer.text
        contact: int = answer.json()["contact_id"]
        self.phones[contact], self.consented[contact] = phone, consent
        self.appointment[contact] = None
        self.run_due()
        return contact

    @rule(lead=leads, text=st.sampled_from(POOL))
    def the_lead_texts(self, lead: int, text: str) -> None:
        self.texted = {lead: text}
        answer = self.svc.client.post("/dev/sms", json={"from": self.phones[lead], "body": text})
        assert answer.status_code == 200, answer.text
        if self._status(lead) == "dead" and lead not in self.died_at:
            with self.svc.container.uow(read_only=True) as uow:
                last_in = uow.session.scalar(
                    select(func.max(Message.id)).where(
                        Message.contact_id == lead, Message.direction == Direction.IN
                    )
                )
            self.died_at[lead] = (self.svc.clock(), last_in or 0)
        self.run_due()

    @rule(minutes=st.sampled_from([1, 4, 10, 14, 16, 30, 90, 60 * 8, 60 * 20]))
    def time_passes(self, minutes: int) -> None:
        self.run_due(self.svc.clock() + timedelta(minutes=minutes))

    @rule(which=st.integers(0, 9), choice=st.sampled_from(["approve", "edit", "reject"]))
    def an_isa_decides(self, which: int, choice: str) -> None:
        items = self.svc.client.get("/queue", headers=self.headers["isa"]).json()["items"]
        if not items:
            return
        item = items[which % len(items)]
        url, isa = f"/queue/{item['id']}", self.headers["isa"]
        if choice == "reject":
            answer = self.svc.client.post(f"{url}/reject", headers=isa, json={"reason": "no"})
            assert answer.status_code in (204, 409), answer.text
        elif choice == "edit" or not item["text"]:
            text = f"Thanks! A quick question from us, number {next(_written)}: any area in mind?"
            answer = self.svc.client.post(f"{url}/edit", headers=isa, json={"text": text})
            assert answer.status_code in (200, 409), answer.text
        else:
            answer = self.svc.client.post(f"{url}/approve", headers=isa)
            assert answer.status_code in (200, 409), answer.text
        self.run_due()

    @rule(lead=leads, action=st.sampled_from(["takeover", "text", "handback"]))
    def the_agent_acts(self, lead: int, action: str) -> None:
        agent, base = self.headers["agent"], f"/conversations/{lead}"
        if action == "text":  # in the agent's own name: allowed once they took it over
            taken = self._status(lead) == "agent"
            text = f"Dana here, following up ({next(_written)}). When suits you?"
            answer = self.svc.client.post(f"{base}/messages", headers=agent, json={"text": text})
            assert answer.status_code in ((201, 409) if taken else (409, 422)), answer.text
        else:
            answer = self.svc.client.post(f"{base}/{action}", headers=agent)
            assert answer.status_code in (200, 409), answer.text
        self.run_due()

    # ------------------------------------------------------------ invariants

    @invariant()
    def every_lead_is_where_people_and_time_put_it(self) -> None:
        now = self.svc.clock()
        with self.svc.container.uow(read_only=True) as uow:
            for lead in self.phones:
                self._check(uow, lead, now)
        self.texted = {}

    def _check(self, uow: Any, lead: int, now: datetime) -> None:
        s = uow.session
        conv = s.scalar(select(ConversationRow).where(ConversationRow.contact_id == lead))
        assert conv is not None
        messages = list(
            s.scalars(
                select(Message)
                .where(Message.contact_id == lead)
                .order_by(Message.created_at, Message.id)
            )
        )
        sent = sorted(
            (m for m in messages if m.direction is Direction.OUT and m.delivery_status in SENT),
            key=lambda m: (m.sent_at, m.id),
        )
        pending = s.scalars(
            select(Suggestion).where(
                Suggestion.conversation_id == conv.id, Suggestion.state == SuggestionState.PENDING
            )
        ).all()
        unsent = [  # replies of ours not yet sent (a drip step held overnight is no reply)
            m
            for m in messages
            if m.direction is Direction.OUT
            and m.delivery_status in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)
            and m.text_key is not None
            and m.script_step != FINAL_STEP
        ]
        owed = bool(pending) or bool(unsent)
        last_sent = sent[-1].sent_at if sent else None
        last_in = max((m.created_at for m in messages if m.direction is Direction.IN), default=None)
        status = conv.status.value
        if status == "active" and last_sent is not None and not owed:
            answered = last_in is not None and last_in >= last_sent
            assert answered or now < last_sent + COLD_AFTER, (
                f"lead {lead}: our last text left at {last_sent}, unanswered, nothing owed, "
                f"and at {now} the lead is still active"
            )
        if status == "cold":
            assert not owed, f"lead {lead} is cold while we owe a reply: {pending} {unsent}"
            if self.consented[lead]:
                enrolled = s.scalar(select(Enrollment.id).where(Enrollment.contact_id == lead))
                assert enrolled is not None, f"lead {lead} went cold with consent and no drip"
        self._no_filled_slot_asked(uow, conv, sent)
        bodies = [m.body for m in sent]
        assert all(a != b for a, b in itertools.pairwise(bodies)), f"lead {lead} got a repeat"
        self._nothing_after_stop(lead, sent)
        self._only_in_allowed_hours(uow, lead, sent)
        self._appointment_moves_only_as_said(uow, lead, conv)

    def _no_filled_slot_asked(self, uow: Any, conv: ConversationRow, sent: list[Message]) -> None:
        asked = {
            s.id: s
            for s in uow.session.scalars(
                select(Suggestion).where(Suggestion.conversation_id == conv.id)
            )
        }
        for m in sent:
            engine = asked.get(m.suggestion_id) if m.suggestion_id else None
            if engine is None or engine.asks is None or engine.text != m.body:
                continue  # a person's own words: they answer for them
            source = (conv.sources or {}).get(engine.asks)
            if source is not None:  # filled: by a text that came after this one left
                said = [
                    x
                    for x in uow.session.scalars(
                        select(Message).where(
                            Message.contact_id == conv.contact_id,
                            Message.direction == Direction.IN,
                        )
                    )
                    if x.body == source["text"]
                ]
                assert any(x.created_at >= m.sent_at for x in said), (
                    f"{m.body!r} asked {engine.asks}, filled already by {source['text']!r}"
                )

    def _nothing_after_stop(self, lead: int, sent: list[Message]) -> None:
        if lead not in self.died_at:
            return
        died, text_id = self.died_at[lead]
        after = [  # at the same instant, what the lead's text came before went after it
            m
            for m in sent
            if m.sent_at is not None
            and (m.sent_at > died or (m.sent_at == died and m.id > text_id))
        ]
        assert len(after) <= 1 and all(m.script_step == FINAL_STEP for m in after), (
            f"lead {lead} opted out at {died} and was texted: {[m.body for m in after]}"
        )

    def _only_in_allowed_hours(self, uow: Any, lead: int, sent: list[Message]) -> None:
        contact = uow.session.get(Contact, lead)
        recipient, rules = recipient_of(uow, contact), rules_of(self.svc.container)
        earlier: list[datetime] = []
        for m in sent:
            if m.script_step == FINAL_STEP or m.sent_at is None:
                continue
            window = [t for t in earlier if t > m.sent_at - timedelta(days=1)]
            allowed = earliest_send(rules, recipient, m.sent_at, window)
            assert allowed.at == m.sent_at, f"{m.body!r} left at {m.sent_at}: {allowed}"
            earlier.append(m.sent_at)

    def _appointment_moves_only_as_said(self, uow: Any, lead: int, conv: ConversationRow) -> None:
        now_at = (conv.slots or {}).get("appointment")
        before = self.appointment[lead]
        said = self.texted.get(lead)
        if now_at != before:
            assert said is not None, f"lead {lead}'s appointment moved without a text of theirs"
            same_day = f"{before[:10]}{now_at[10:]}" if before is not None else None
            if same_day is not None and said == NEW_TIME and local(same_day) > self.svc.clock():
                assert now_at == same_day, f"{said!r} moved the day: {before} → {now_at}"
            if before is not None and said == NEW_DAY:
                assert now_at[11:] == before[11:], f"{said!r} moved the time: {before} → {now_at}"
        self.appointment[lead] = now_at
        latest = uow.session.scalar(
            select(OutcomeRow)
            .where(OutcomeRow.conversation_id == conv.id)
            .order_by(OutcomeRow.id.desc())
            .limit(1)
        )
        if latest is not None and conv.status.value == "appointment" and now_at is not None:
            assert latest.slots.get("appointment") == now_at, (
                f"the agent was told {latest.slots.get('appointment')}, the lead said {now_at}"
            )

    def _status(self, lead: int) -> str:
        with self.svc.container.uow(read_only=True) as uow:
            status = uow.session.scalar(
                select(ConversationRow.status).where(ConversationRow.contact_id == lead)
            )
        return str(status.value) if status is not None else ""


def test_a_day_in_the_life_keeps_every_invariant(make_service: ServiceFactory) -> None:
    DayInTheLife.svc = make_service(twilio=False)
    run_state_machine_as_test(
        DayInTheLife,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
