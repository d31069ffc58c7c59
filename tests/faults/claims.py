"""What a user checks after a fault, read from the database and from the fake Twilio.

- every acknowledged inbound text is stored exactly once (by MessageSid);
- every due outbound text went out exactly once: what Twilio created for each
  lead is what the conversation should have said (the pure core replaying the
  lead's stored texts), and each is recorded sent with Twilio's sid;
- no dead contact was texted: once Twilio answered 21610 for a number and
  the database holds its contact dead, nothing more is attempted to it, and
  the contact and its conversation stay dead;
- no conversation is left in a state the machine cannot leave (``stuck``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select

from adapters.storage.jobs import SEND
from adapters.storage.orm import (
    AuditEntry,
    Contact,
    ConversationRow,
    Enrollment,
    Job,
    Message,
    Suggestion,
)
from adapters.storage.vocab import DeliveryStatus, Direction, SuggestionState
from api.services.drip import DRIP
from api.services.effects import ENROL
from isa_engine.conversation import Conversation, decide
from isa_engine.dialogue import COLD
from isa_engine.events import Begin, Event, TextReceived, TextSent
from isa_engine.model import CancelTimers, DropTexts, SendText, Status, SuggestText
from isa_engine.policy.zones import lead_now
from tests.faults.harness import Run, utc_now
from tests.faults.phones import Phones


@dataclass(frozen=True)
class Lead:
    """One contact as the database has it, with what Twilio created for it."""

    contact: Contact
    conversation: ConversationRow | None
    inbound: list[Message]  # in the order the lead sent them
    outbound: list[Message]


def leads(run: Run) -> list[Lead]:
    """Every contact, its latest conversation and its texts."""
    with run.container.uow(read_only=True) as uow:
        s = uow.session
        contacts = list(s.scalars(select(Contact).order_by(Contact.id)))
        convs = {
            c.contact_id: c for c in s.scalars(select(ConversationRow).order_by(ConversationRow.id))
        }
        messages = list(s.scalars(select(Message).order_by(Message.id)))
        s.expunge_all()
    found = []
    for contact in contacts:
        mine = [m for m in messages if m.contact_id == contact.id]
        inbound = sorted(
            (m for m in mine if m.direction == Direction.IN), key=lambda m: m.message_sid or ""
        )
        outbound = [m for m in mine if m.direction == Direction.OUT]
        found.append(Lead(contact, convs.get(contact.id), inbound, outbound))
    return found


def expected_texts(run: Run, lead: Lead) -> Counter[str]:
    """What the conversation should have sent: the pure core replaying the lead's stored texts
    on the timeline they happened, each reply leaving when Twilio took it. A reply still
    unsent when the lead texted again is withdrawn (the core's own rule): the replay withdraws
    the same ones, so faults that delay sends change what is due, never what the core says."""
    conv = lead.conversation
    assert conv is not None, f"{lead.contact.phone} has no conversation"
    script = run.container.scripts.get(f"{conv.script_name}@{conv.script_version}")
    phone = lead.contact.phone
    replies = [m for m in lead.outbound if m.text_key is not None]
    events: list[tuple[datetime, int, Event]] = []
    arrived = datetime.min.replace(tzinfo=UTC)
    for m in lead.inbound:  # in the order the phone sent them (each waits for its answer)
        arrived = max(arrived, m.created_at)
        events.append((arrived, 0, TextReceived(m.body)))
    events += [
        (m.sent_at, 1, TextSent(m.text_key, m.sent_at))
        for m in replies
        if m.sent_at is not None and m.delivery_status == DeliveryStatus.SENT
    ]
    start = min((m.created_at for m in lead.outbound), default=utc_now())
    state = Conversation(script.key, conv.contact_name, conv.agent_name, agent_last=conv.agent_last)
    said: dict[str, str] = {}
    cancelled = {m.text_key for m in replies if m.delivery_status == DeliveryStatus.CANCELLED}
    went = {m.text_key for m in replies if m.delivery_status == DeliveryStatus.SENT}
    for at, _, event in [(start, -1, Begin()), *sorted(events, key=lambda e: (e[0], e[1]))]:
        if isinstance(event, TextReceived):  # what went in the end was leaving by then
            event = replace(event, leaving=frozenset(went.intersection(state.unsent)))
        turn = decide(script, state, event, lead_now(at, phone, lead.contact.timezone))
        state = turn.conversation
        for effect in turn.effects:
            if isinstance(effect, SuggestText | SendText) and effect.text:
                said[effect.id if isinstance(effect, SuggestText) else effect.key] = effect.text
            elif isinstance(effect, DropTexts):
                assert cancelled.issuperset(effect.keys), f"{phone}: {effect.keys} not cancelled"
                for key in effect.keys:
                    said.pop(key, None)
            elif isinstance(effect, CancelTimers) and effect.queued_texts:  # dead: all not gone
                for key in cancelled.intersection(said):
                    said.pop(key)
    stored = {m.text_key: m.body for m in replies}
    assert all(stored.get(key) == text for key, text in said.items()), (
        f"{phone}: the core replayed says {said}, the database queued {stored}"
    )
    others = [m.body for m in lead.outbound if m.text_key is None and m.message_sid]
    return Counter([*said.values(), *others])


def check_inbound_stored_once(run: Run, phones: Phones) -> int:
    """Every text the phones sent was acknowledged in the end and is stored once; how many."""
    with run.container.uow(read_only=True) as uow:
        stored = Counter(
            uow.session.scalars(
                select(Message.message_sid).where(Message.direction == Direction.IN)
            )
        )
    played = phones.sids
    assert set(phones.acknowledged) == played, (
        f"{len(played - set(phones.acknowledged))} texts never acknowledged"
    )
    twice = {sid: n for sid, n in stored.items() if n != 1}
    missing = played - set(stored)
    unknown = set(stored) - played
    assert not twice and not missing and not unknown, (
        f"inbound texts: {len(missing)} acknowledged but not stored (e.g. {sorted(missing)[:5]}), "
        f"{len(twice)} stored more than once ({dict(list(twice.items())[:5])}), "
        f"{len(unknown)} stored that nobody sent\n{run.logs()}"
    )
    return sum(stored.values())


def check_outbound_sent_once(run: Run, *, dead: Collection[str] = ()) -> int:
    """Each lead got exactly what its conversation said, once, each recorded sent; how many.

    Numbers in ``dead`` (Twilio answered 21610 for them) are checked by
    ``check_dead_never_texted``: what they got before is recorded, nothing after.
    """
    wrong = []
    created = 0
    for lead in leads(run):
        phone = lead.contact.phone
        got = run.twilio.sent_to(phone)
        created += len(got)
        recorded = {
            m.message_sid for m in lead.outbound if m.delivery_status == DeliveryStatus.SENT
        }
        if {m.sid for m in got} != recorded or len(recorded) != len(got):
            wrong.append(
                f"{phone}: Twilio created {sorted(m.sid for m in got)} "
                f"but the database has {sorted(s or '' for s in recorded)} as sent"
            )
        if phone in dead:
            continue
        expected, sent = expected_texts(run, lead), Counter(m.body for m in got)
        if sent != expected:
            doubled = {t: f"{n} sent, {expected[t]} due" for t, n in (sent - expected).items()}
            lost = {t: f"{sent[t]} sent, {n} due" for t, n in (expected - sent).items()}
            wrong.append(f"{phone}: sent more than due {doubled}; due but not sent {lost}")
        unsent = [  # a reply withdrawn because the lead texted again before it left is settled
            f"{m.id}:{m.delivery_status}"
            for m in lead.outbound
            if m.delivery_status not in (DeliveryStatus.SENT, DeliveryStatus.CANCELLED)
        ]
        if unsent:
            wrong.append(f"{phone}: outbound texts not sent: {unsent}")
    assert not wrong, f"{len(wrong)} leads wrong:\n" + "\n".join(wrong[:20]) + f"\n{run.logs()}"
    return created


def check_dead_never_texted(run: Run, numbers: Collection[str], known: dict[str, int]) -> int:
    """Twilio answered 21610 for each number and its contact and conversation are dead;
    nothing was attempted to it once the database held it dead (``known``, from
    ``Run.watching_deaths``). A text already handed to Twilio when the 21610 came
    (the send path clears a text, then calls Twilio outside the transaction) may
    still be attempted, and is refused too; how many such texts there were."""
    problems, in_flight = [], 0
    by_phone = {lead.contact.phone: lead for lead in leads(run)}
    for phone in numbers:
        refused_at, dead_at, lead = (
            run.twilio.refusals.get(phone),
            known.get(phone),
            by_phone[phone],
        )
        if refused_at is None:
            problems.append(f"{phone}: Twilio never answered 21610 (was it ever texted?)")
            continue
        if dead_at is None:
            problems.append(f"{phone}: Twilio answered 21610, the contact never became dead")
            continue
        attempts = run.twilio.creates_to(phone)
        after = [i for i in attempts if i >= dead_at]
        in_flight += len([i for i in attempts if refused_at <= i < dead_at])
        if after:
            problems.append(f"{phone}: {len(after)} texts attempted once it was known dead")
        if not lead.contact.dead:
            problems.append(f"{phone}: the contact is no longer dead")
        if lead.conversation is None or lead.conversation.status != Status.DEAD:
            status = lead.conversation.status if lead.conversation else None
            problems.append(f"{phone}: the contact is dead, its conversation {status}")
        refused = [m for m in lead.outbound if m.error_code == 21610]
        if not refused or any(m.delivery_status != DeliveryStatus.FAILED for m in refused):
            problems.append(f"{phone}: the texts Twilio refused are not recorded failed (21610)")
    assert not problems, "\n".join(problems) + f"\n{run.logs()}"
    return in_flight


def stuck(run: Run, *, parked_ok: int = 0) -> list[str]:
    """Why the machine could not move on by itself, per conversation and job (empty: none).

    Every text due is settled (sent or refused) and no job is due or held
    (``Run.pending``); nothing parked beyond ``parked_ok``; a dead contact's
    conversation is dead and the other way round; an ``active`` conversation
    has its cold timer queued (or a suggestion waits for an ISA), so a lead who
    stays quiet goes cold and joins the drip; a ``cold``, ``appointment`` or
    ``engaged`` one has its drip (or a recorded reason it has none) and awaits
    the lead; ``agent`` waits for the agent, ``dead`` is the end.
    """
    problems = run.pending()
    with run.container.uow(read_only=True) as uow:
        s = uow.session
        jobs = list(s.scalars(select(Job)))
        parked = [j for j in jobs if j.parked]
        if len(parked) > parked_ok:
            problems += [f"job {j.id} ({j.kind}) parked: {j.last_error}" for j in parked]
        timers = {(j.conversation_id, j.kind) for j in jobs if not j.parked and j.kind != SEND}
        pending = set(
            s.scalars(
                select(Suggestion.conversation_id).where(
                    Suggestion.state == SuggestionState.PENDING
                )
            )
        )
        enrolled = set(s.scalars(select(Enrollment.contact_id)))
        refused = set(
            s.scalars(select(AuditEntry.subject_id).where(AuditEntry.action == "drip.refused"))
        )
        latest: dict[int, ConversationRow] = {}
        for conv in s.scalars(select(ConversationRow).order_by(ConversationRow.id)):
            latest[conv.contact_id] = conv
        dead = {c.id for c in s.scalars(select(Contact).where(Contact.dead.is_(True)))}
    for contact_id, conv in latest.items():
        status, where = Status(conv.status), f"conversation {conv.id} ({conv.status})"
        if (status is Status.DEAD) != (contact_id in dead):
            problems.append(f"{where}: the contact is {'' if contact_id in dead else 'not '}dead")
        if status in (Status.DEAD, Status.AGENT) or conv.id in pending:
            continue
        if status is Status.ACTIVE and (conv.id, COLD) not in timers:
            problems.append(
                f"{where}: awaiting {conv.awaiting!r} with no cold timer queued: "
                "a lead who stays quiet is never followed up"
            )
        if status in (Status.COLD, Status.APPOINTMENT, Status.ENGAGED):
            dripping = (conv.id, DRIP) in timers or (conv.id, ENROL) in timers
            if not (dripping or contact_id in enrolled or str(contact_id) in refused):
                problems.append(f"{where}: no drip queued, nor a reason recorded for none")
    return problems


def assert_nothing_stuck(run: Run, *, parked_ok: int = 0) -> None:
    problems = stuck(run, parked_ok=parked_ok)
    assert not problems, (
        f"{len(problems)} things the machine cannot move on from:\n"
        + "\n".join(problems[:20])
        + f"\n{run.logs()}"
    )
