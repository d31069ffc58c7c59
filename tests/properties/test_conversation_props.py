"""Invariants 1, 2 and 4 over any sequence of events (hypothesis stateful testing).

No sequence of texts, timers, takeovers, hand-backs, approvals, rejections and
sends makes the engine ask for a filled slot, text a dead contact (its one last
text aside), put out a text the persona guard refuses, or turn a lead cold while
a reply is owed or before our last text has left.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from adapters.script_files import FileScriptStore
from isa_engine.conversation import Conversation, Turn, decide
from isa_engine.errors import NotAllowed
from isa_engine.events import (
    AgentText,
    Approve,
    Begin,
    HandBack,
    Reject,
    TakeOver,
    TextReceived,
    TextSent,
    TimerFired,
)
from isa_engine.model import Intent, Reading, SendText, Status, SuggestText
from isa_engine.persona import check

SCRIPTS = FileScriptStore(Path(__file__).resolve().parents[2] / "scripts")
T0 = datetime.fromisoformat("2026-11-23T10:00:00-06:00")

SLOT_VALUES = {
    "lead_type": st.sampled_from(["buy", "sell", "both", "rent"]),
    "beds": st.integers(0, 6),
    "baths": st.sampled_from([1.0, 1.5, 2.0, 2.5, 3.0]),
    "location": st.lists(
        st.sampled_from(["Austin", "Hutto", "28277", "East Nashville"]),
        min_size=1,
        max_size=2,
        unique=True,
    ).map(tuple),
    "price_max": st.integers(100, 2000).map(lambda k: k * 1000),
    "preapproval": st.sampled_from(["yes", "no", "in_progress", "cash"]),
    "has_agent": st.booleans(),
    "timeframe": st.sampled_from(["0-3", "3-6", "6-12", "12+"]),
    "appointment": st.sampled_from(["2026-11-24T15:00", "2026-11-26T10:30"]),
    "email": st.just("lead@example.com"),
}
INTENTS = [i for i in Intent if i is not Intent.START]
readings = st.builds(
    Reading,
    slots=st.fixed_dictionaries({}, optional=SLOT_VALUES),
    intents=st.frozensets(st.sampled_from(INTENTS), max_size=2),
    day_only=st.sampled_from([None, None, "2026-11-26"]),
)
names = st.sampled_from(["Maria", "Dana", "Lee", "Whitfield", "José", "O'Brien"])


class Lead(RuleBasedStateMachine):
    """One lead's conversation under random events."""

    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.dead_since: int | None = None
        self.turns = 0
        self.pending: list[SuggestText] = []
        self.queued: list[str] = []

    @initialize(script=st.sampled_from(["buyer", "seller", "open_house"]), contact=names)
    def begin(self, script: str, contact: str) -> None:
        self.script = SCRIPTS.get(script)
        conv = Conversation(self.script.key, contact=contact, agent="Dana", agent_last="Whitfield")
        self.take(decide(self.script, conv, Begin(), self.now))

    def take(self, turn: Turn) -> None:
        self.conv = turn.conversation
        self.turns += 1
        outbound = [e for e in turn.effects if isinstance(e, SuggestText | SendText)]
        for effect in outbound:
            assert effect.asks is None or effect.asks not in self.conv.slots, (
                f"re-asks {effect.asks}"
            )
            verdict = check(effect.text, self.conv.agent, self.conv.agent_last)
            assert verdict.ok, (effect.text, verdict.reasons)
        if self.dead_since is not None:
            # the one text a dead contact may get: the answer to HELP (CTIA), asking nothing
            others = [e for e in outbound if not (isinstance(e, SendText) and e.help)]
            assert others == [], f"texted a dead contact: {others}"
            assert all(e.asks is None for e in outbound)
        if self.conv.status is Status.DEAD:
            assert len(outbound) <= 1 and all(e.asks is None for e in outbound)
            self.dead_since = self.dead_since or self.turns
        self.pending += [e for e in turn.effects if isinstance(e, SuggestText)]
        self.queued += [e.key for e in turn.effects if isinstance(e, SendText)]

    def later(self, minutes: int) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now

    @rule(reading=readings, minutes=st.integers(0, 60 * 24))
    def lead_texts(self, reading: Reading, minutes: int) -> None:
        self.take(decide(self.script, self.conv, TextReceived("…", reading), self.later(minutes)))

    @rule(minutes=st.integers(1, 60))
    def cold_timer_fires(self, minutes: int) -> None:
        before = self.conv
        self.take(decide(self.script, self.conv, TimerFired("cold"), self.later(minutes)))
        if before.status is Status.ACTIVE and self.conv.status is Status.COLD:
            assert not before.unsent, f"cold while a reply is owed: {before.unsent}"
            sent_at = before.last_outbound_at
            assert sent_at is not None and sent_at + timedelta(minutes=15) <= self.now
            assert before.last_inbound_at is None or before.last_inbound_at <= sent_at

    @rule(data=st.data(), minutes=st.integers(0, 30))
    def a_queued_text_leaves(self, data: st.DataObject, minutes: int) -> None:
        if not self.queued:
            return
        key = data.draw(st.sampled_from(self.queued))
        self.queued.remove(key)
        at = self.later(minutes)
        self.take(decide(self.script, self.conv, TextSent(key, at), at))
        assert key not in self.conv.unsent

    @rule(data=st.data())
    def isa_rejects_a_suggestion(self, data: st.DataObject) -> None:
        owed = [s for s in self.pending if s.id in self.conv.unsent]
        if not owed:
            return
        suggestion = data.draw(st.sampled_from(owed))
        self.take(decide(self.script, self.conv, Reject(suggestion, "isa", "no"), self.now))
        if suggestion.text:  # the lead is still owed a reply: a person is asked to write it
            assert any(not u.text for u in self.conv.unsent.values())

    @rule()
    def agent_takes_over(self) -> None:
        try:
            self.take(decide(self.script, self.conv, TakeOver("dana"), self.now))
        except NotAllowed:
            assert self.conv.status in (Status.DEAD, Status.AGENT)

    @rule()
    def agent_hands_back(self) -> None:
        try:
            self.take(decide(self.script, self.conv, HandBack("dana"), self.now))
        except NotAllowed:
            assert self.conv.status is not Status.AGENT

    @rule(data=st.data())
    def isa_approves_a_suggestion(self, data: st.DataObject) -> None:
        if not self.pending:
            return
        suggestion = data.draw(st.sampled_from(self.pending))
        try:
            self.take(decide(self.script, self.conv, Approve(suggestion, "isa"), self.now))
        except NotAllowed:  # dead, an agent's, answered since, withdrawn, or left empty
            assert (
                self.conv.status in (Status.DEAD, Status.AGENT)
                or suggestion.asks in self.conv.slots
                or suggestion.id not in self.conv.unsent
                or not suggestion.text
            )

    @rule(
        text=st.sampled_from(
            ["Hi, Dana will call soon.", "This is Dana, call me", "Whitfield here"]
        )
    )
    def someone_types_a_text(self, text: str) -> None:
        try:
            self.take(decide(self.script, self.conv, AgentText(text, "isa"), self.now))
        except NotAllowed:
            assert self.conv.status is Status.DEAD
        except Exception as e:  # the guard's refusal is the expected way to fail
            assert type(e).__name__ == "PersonaRefused"

    @invariant()
    def status_is_a_known_one(self) -> None:
        if hasattr(self, "conv"):
            assert self.conv.state in {s.value for s in Status}


Lead.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLead = Lead.TestCase
