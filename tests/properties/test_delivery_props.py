"""Invariants of delivery over random times, places and event sequences (DESIGN.md 2, 3, 6).

Each example is one lead somewhere in the US (its area code, and a ZIP that may
disagree), texted from a random instant; then random things happen: time
passes (the worker runs what is due), the lead answers, says STOP, or an agent
types a text. Whatever happened, every text that left:

- left at an instant the rules allowed for that lead (quiet hours, rolling caps),
- never after the contact died, the one opt-out confirmation aside,
- and each message went once (no job ran twice to completion).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.console_sms import ConsoleSms
from adapters.storage.vocab import Role
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

EXAMPLES = itertools.count()
AREA_CODES = ("512", "305", "206", "212", "907", "808", "602", "405", "860", "410")
ZIPS = (None, "33101", "98101", "10001", "85001", "73301")


@dataclass
class Recorder(ConsoleSms):
    """The console sender, keeping the clock's time of every send."""

    clock: Any = None
    times: dict[str, datetime] = field(default_factory=dict)

    def send(
        self,
        to: str,
        body: str,
        idempotency_key: str,
        *,
        unsure_since: datetime | None = None,
        taken: Collection[str] = (),
    ) -> str:
        assert idempotency_key not in self.times, f"{idempotency_key} sent twice"
        self.times[idempotency_key] = self.clock()
        return super().send(to, body, idempotency_key)


actions = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(min_value=1, max_value=60 * 36)),
        st.tuples(st.just("text"), st.sampled_from(["yes", "3 beds 2 baths", "maybe later"])),
        st.tuples(st.just("agent"), st.just("Hi, checking in about your search.")),
        st.tuples(st.just("stop"), st.just("STOP")),
    ),
    max_size=8,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.datetimes(
        min_value=datetime(2037, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(2038, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    area=st.sampled_from(AREA_CODES),
    zip_code=st.sampled_from(ZIPS),
    steps=actions,
)
def test_every_text_leaves_when_allowed_never_to_the_dead_and_once(
    make_service: ServiceFactory,
    start: datetime,
    area: str,
    zip_code: str | None,
    steps: list[tuple[str, Any]],
) -> None:
    svc: Service = make_service(twilio=False, auto_approve="all")
    try:
        check_one_lead(svc, start, area, zip_code, steps)
    finally:  # one engine per example: give its connections back
        svc.container.engine.dispose()


def check_one_lead(
    svc: Service, start: datetime, area: str, zip_code: str | None, steps: list[tuple[str, Any]]
) -> None:
    """Play ``steps`` for one new lead, then check every text that left."""
    svc.clock.now = start
    recorder = Recorder(echo=False, clock=svc.clock)
    svc.container.extras["sms"] = recorder
    number = next(EXAMPLES)  # the examples share one database: a new lead each time
    phone = f"+1{area}555{number:04d}"
    agent, agent_h = svc.user(f"dana{number}-{area}@example.com", Role.AGENT, "Dana")
    with svc.container.uow() as uow:  # the ZIP is known before the first text
        uow.contacts.get_or_create(phone, at=svc.clock(), first_name="Ana", zip=zip_code)
        uow.commit()
    contact = svc.lead(phone, "Ana", agent)
    sent_before_death: int | None = None  # how many texts had gone when the lead said STOP
    for kind, value in steps:
        if kind == "wait":
            svc.clock.advance(minutes=value)
            while worker_for(svc.container).run_once():
                pass
        elif kind == "agent":
            url = f"/conversations/{contact}/messages"
            svc.client.post(url, headers=agent_h, json={"text": value})
        else:
            if kind == "stop" and sent_before_death is None:
                sent_before_death = len(recorder.times)
            svc.client.post("/dev/sms", json={"from": phone, "body": value})

    with svc.container.uow(read_only=True) as uow:
        row = uow.contacts.get(contact)
        assert row is not None
        recipient = recipient_of(uow, row)
        from sqlalchemy import select

        from adapters.storage.orm import Message  # the rows, to know each text's step

        steps_of = {
            m.idempotency_key: m.script_step
            for m in uow.session.scalars(select(Message).where(Message.contact_id == contact))
        }
    rules = rules_of(svc.container)
    counted: list[datetime] = []
    for n, (key, at) in enumerate(recorder.times.items()):
        if key not in steps_of:
            continue  # another example's lead
        if steps_of[key] == FINAL_STEP:
            continue  # the one opt-out confirmation goes at once and counts for nothing
        dead = sent_before_death is not None and n >= sent_before_death
        assert not dead, f"{key} went to a dead contact at {at}"
        before = [t for t in counted if t > at - timedelta(days=1)]
        allowed = earliest_send(rules, recipient, at, before)
        assert allowed.at == at, f"{key} went at {at} in quiet hours or over a cap: {allowed}"
        counted.append(at)
