"""Twilio answering slowly (beyond ``ISA_TWILIO_TIMEOUT_SECONDS``), with 500s and 429s, and 21610.

The fake creates a slow text but answers only after the sender gave up, so
the retry must find it rather than send it again; a 500 or a 429 creates
nothing, so the retry must send it. Some leads blocked us before the first
text (21610 at once), others after answering once (the carrier refuses
every text from then on). After recovery every due text went out exactly
once, nothing was even attempted to a number after Twilio answered 21610
for it, and those contacts and their conversations are dead.
"""

from __future__ import annotations

import pytest

from bench.webhook import phones
from tests.faults.claims import (
    assert_nothing_stuck,
    check_dead_never_texted,
    check_inbound_stored_once,
    check_outbound_sent_once,
)
from tests.faults.conftest import CONCURRENCY, LEADS, SETTLE
from tests.faults.harness import Run
from tests.faults.phones import Lead, Phones

pytestmark = pytest.mark.slow
FAULTS = max(2, LEADS // 8)  # of each kind, for the openings and again for the replies


def arm(run: Run) -> None:
    run.twilio.fail, run.twilio.rate_limit, run.twilio.slow = FAULTS, FAULTS, FAULTS


def test_twilio_slow_failing_and_unsubscribing_loses_and_doubles_nothing(run: Run) -> None:
    run.cluster.env["ISA_TWILIO_TIMEOUT_SECONDS"] = "1"
    run.twilio.hold_seconds = 3  # a slow answer comes after the sender gave up
    numbers = phones(5, LEADS)
    blocked_at_once, blocked_later = set(numbers[3::10]), set(numbers[7::10])
    for number in blocked_at_once:
        run.twilio.unsubscribe(number)
    arm(run)
    run.start()

    def carrier_blocks(lead: Lead, t: int) -> None:
        if t == 0 and lead.phone in blocked_later:
            run.twilio.unsubscribe(lead.phone)

    leads = Phones.of(run.base, numbers, level=5, concurrency=CONCURRENCY)
    leads.on_acknowledged = carrier_blocks
    with run.watching_deaths() as known_dead:
        run.queue_openings(numbers)  # the openings meet the faults first
        run.settle(SETTLE)
        assert (run.twilio.fail, run.twilio.rate_limit, run.twilio.slow) == (0, 0, 0)
        arm(run)  # then the replies
        rounds = leads.play_until_acknowledged()
        run.settle(SETTLE)
    assert (run.twilio.fail, run.twilio.rate_limit, run.twilio.slow) == (0, 0, 0)

    dead = blocked_at_once | blocked_later
    stored = check_inbound_stored_once(run, leads)
    created = check_outbound_sent_once(run, dead=dead)
    in_flight = check_dead_never_texted(run, dead, known_dead)
    assert_nothing_stuck(run)
    print(
        f"\n[twilio faults, {run.backend}] {2 * FAULTS} each of 500, 429 and slow answers; "
        f"{len(dead)} leads blocked us (21610: {len(blocked_at_once)} at once, "
        f"{len(blocked_later)} after one answer), {in_flight} texts already with Twilio "
        f"when it answered 21610 refused too; {leads.summary()}; {rounds} rounds; "
        f"stored {stored} inbound once each; Twilio created {created} texts, each once, "
        f"{len(run.twilio.creates())} create requests in all; {dict(run.figures)}; "
        f"web children replaced by uvicorn {run.child_deaths()}"
    )
