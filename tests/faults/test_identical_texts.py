"""A lead's text identical to the one before it, retried by another process, goes out once.

A lead may get the same text twice, though never twice in a row: a lead who says
STOP, START and STOP again gets the same opt-out confirmation twice, with the
re-subscribed text between. Twilio refuses the second confirmation with a 500,
which creates nothing; a process that did not send the first one retries it
(what runs due jobs is killed and started again: on PostgreSQL the
``worker``, on SQLite ``web``). The retry asks Twilio first whether the text went, and must
not take the first text for it: the lead is owed both.

What the scenarios in this folder run into at random (a sender killed, or
Twilio failing, while a repeated question is on its way), here on purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.webhook import phones
from isa_engine.simulation import Simulation
from tests.faults.claims import (
    assert_nothing_stuck,
    check_inbound_stored_once,
    check_outbound_sent_once,
)
from tests.faults.harness import Run
from tests.faults.phones import Phones

pytestmark = pytest.mark.slow
TEXTS = ["yes still looking", "STOP", "START", "STOP"]
SETTLE = 60


def test_a_retried_text_identical_to_the_one_before_still_goes_out_once(run: Run) -> None:
    script = run.container.scripts.get("buyer")
    sim = Simulation.start(script, contact="Ana", agent="your agent", at=datetime.now(UTC))
    for body in TEXTS:
        sim.text(body)
    sent = [o.text for o in sim.outbound]
    assert sent[-1] == sent[-3] != sent[-2], f"the core no longer repeats a text here: {sent}"

    (lead,) = phones(6, 1)
    run.start()
    run.queue_openings([lead])
    run.settle(SETTLE)
    leads = Phones.scripted(run.base, {lead: TEXTS}, level=6)
    leads.play(upto=3)
    run.settle(SETTLE)  # the first confirmation went, then the re-subscribed text

    run.twilio.fail = 1  # the second confirmation is refused with a 500: Twilio created nothing
    leads.play()
    run.wait_for(lambda: run.twilio.fail == 0, "Twilio to refuse the repeated confirmation")
    run.restart_job_runners()  # the retry comes from a process that did not send the first
    run.settle(SETTLE)

    check_inbound_stored_once(run, leads)
    check_outbound_sent_once(run)
    assert [m.body for m in run.twilio.sent_to(lead)].count(sent[-1]) == 2
    assert_nothing_stuck(run)
