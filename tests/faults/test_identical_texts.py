"""A lead's text identical to the one before it, retried by another process, goes out once.

The engine asks the same question again, word for word, when the lead's
answer filled another slot (``2br 1ba condo downtown austin around 300k`` then
``pre-approved, no agent yet`` are each answered "Which areas or
neighborhoods are you looking in?"). Twilio refuses the second with a 500,
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
TEXTS = [
    "yes still looking",
    "2br 1ba condo downtown austin around 300k",
    "pre-approved, no agent yet",
]
SETTLE = 60


def test_a_retried_text_identical_to_the_one_before_still_goes_out_once(run: Run) -> None:
    script = run.container.scripts.get("buyer")
    sim = Simulation.start(script, contact="Ana", agent="your agent", at=datetime.now(UTC))
    for body in TEXTS:
        sim.text(body)
    asked = [o.text for o in sim.outbound]
    assert asked[-1] == asked[-2], f"the core no longer repeats a question here: {asked}"

    (lead,) = phones(6, 1)
    run.start()
    run.queue_openings([lead])
    run.settle(SETTLE)
    leads = Phones.scripted(run.base, {lead: TEXTS}, level=6)
    leads.play(upto=2)
    run.settle(SETTLE)  # the question went once

    run.twilio.fail = 1  # its repeat is refused with a 500: Twilio created nothing
    leads.play()
    run.wait_for(lambda: run.twilio.fail == 0, "Twilio to refuse the repeated question")
    run.restart_job_runners()  # the retry comes from a process that did not send the first
    run.settle(SETTLE)

    check_inbound_stored_once(run, leads)
    check_outbound_sent_once(run)
    assert [m.body for m in run.twilio.sent_to(lead)].count(asked[-1]) == 2
    assert_nothing_stuck(run)
