"""The API process SIGKILLed in the middle of a load run, then started again.

Leads text through the signed webhook while ``web`` is killed (its whole
process group). What was acknowledged (200) is the service's promise; what
was not, Twilio sends again after the restart, and some acknowledged texts
are delivered twice besides (one after the other, and two at once). After
recovery every acknowledged text is stored once, and each lead got exactly
the replies its stored texts call for, once each.
"""

from __future__ import annotations

import pytest

from bench.webhook import phones
from tests.faults.claims import (
    assert_nothing_stuck,
    check_inbound_stored_once,
    check_outbound_sent_once,
)
from tests.faults.conftest import CONCURRENCY, LEADS, ROUND, SETTLE
from tests.faults.harness import Run
from tests.faults.phones import Phones

pytestmark = pytest.mark.slow


def test_the_api_killed_mid_load_loses_no_text_and_sends_no_reply_twice(run: Run) -> None:
    numbers = phones(1, LEADS)
    run.start()
    run.queue_openings(numbers)
    run.settle(SETTLE)
    leads = Phones.of(run.base, numbers, level=1, concurrency=CONCURRENCY, pause=0.05)

    join = leads.play_in_background()
    run.wait_for(
        lambda: leads.acknowledged_count() >= leads.texts // 3, "a third acknowledged", ROUND
    )
    run.kill_web()
    at_kill = leads.acknowledged_count()
    join(ROUND)
    assert leads.unacknowledged, "the kill should have left texts unacknowledged"
    unacknowledged = len(leads.unacknowledged)

    run.start_web()
    rounds = leads.play_until_acknowledged()
    acknowledged = sorted(leads.acknowledged)
    leads.resend(acknowledged[::4])  # Twilio delivers some twice
    leads.resend(acknowledged[1::8], at_once=2)  # and some twice at the same moment
    run.settle(SETTLE)

    stored = check_inbound_stored_once(run, leads)
    created = check_outbound_sent_once(run)
    assert_nothing_stuck(run)
    print(
        f"\n[api killed, {run.backend}] killed with {at_kill}/{leads.texts} acknowledged; "
        f"{unacknowledged} texts unacknowledged, re-sent over {rounds} rounds after the restart; "
        f"{leads.summary()}; stored {stored} inbound once each; Twilio created {created} texts "
        f"({len(numbers)} openings + {created - len(numbers)} replies), each once; "
        f"{dict(run.figures)}; "
        f"web children replaced by uvicorn {run.child_deaths()}"
    )
