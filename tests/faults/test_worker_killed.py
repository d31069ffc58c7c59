"""A sender killed mid-send, under load: every due text still goes out exactly once.

Some leads are texting; meanwhile the openings of new leads are queued, and
Twilio takes the first of them but holds its answer, so the process sending
it is killed (SIGKILL) while Twilio has the text and the process has not
recorded it. On PostgreSQL that is one ``worker`` (the others, and the web
processes, carry on); on SQLite it is ``web``, which runs the jobs itself,
and is started again. Once the dead sender's lease runs out another takes its
jobs, asks Twilio first, and texts nobody twice.
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
from tests.faults.harness import Run, pid_of
from tests.faults.phones import Phones

pytestmark = pytest.mark.slow


def test_a_sender_killed_mid_send_under_load_sends_every_due_text_once(run: Run) -> None:
    texting, quiet = phones(2, LEADS), phones(3, max(4, LEADS // 2))
    run.start(workers=2)  # on PostgreSQL one is killed, the other takes its jobs
    run.queue_openings(texting)
    run.settle(SETTLE)
    leads = Phones.of(run.base, texting, level=2, concurrency=CONCURRENCY, pause=0.5)

    join = leads.play_in_background()
    run.wait_for(lambda: leads.acknowledged_count() >= 2, "the leads' texts to flow", ROUND)
    held = quiet[0]
    run.twilio.hold_for.add(held)
    run.queue_openings(quiet)
    run.wait_for(lambda: held in run.twilio.held, f"Twilio to hold the text to {held}")
    sender = run.sender_of(held)
    assert sender is not None, f"nobody holds the send job of the text to {held}"
    at_kill = leads.acknowledged_count()
    assert at_kill < leads.texts, "the leads had stopped texting: no load when the sender died"
    if run.postgres:
        assert pid_of(sender) in run.pids("worker"), f"{sender} is not a worker"
        run.kill_worker(pid_of(sender))
    else:
        assert pid_of(sender) in run.pids("web"), f"{sender} is not the web process"
        run.kill_web()
    join(ROUND)
    if not run.postgres:
        run.start_web()
    rounds = leads.play_until_acknowledged()
    run.settle(SETTLE)

    assert len(run.twilio.sent_to(held)) == 1, f"the held text reached {held} twice"
    stored = check_inbound_stored_once(run, leads)
    created = check_outbound_sent_once(run)
    assert_nothing_stuck(run)
    print(
        f"\n[sender killed mid-send, {run.backend}] killed {sender} holding the text to {held}, "
        f"{at_kill}/{leads.texts} texts acknowledged then; {leads.summary()}; "
        f"{rounds} rounds; stored {stored} inbound once each; Twilio created {created} texts "
        f"({len(texting) + len(quiet)} openings, {len(quiet)} of them queued as the sender "
        f"died), each once; {dict(run.figures)}; "
        f"web children replaced by uvicorn {run.child_deaths()}"
    )
