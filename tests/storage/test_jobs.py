"""Jobs: claimed by one worker only, retried when a lease runs out, parked after failures."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from tests.storage.conftest import UowFactory

NOW = datetime(2037, 11, 23, 15, 0, tzinfo=UTC)


def _add_jobs(uow: UowFactory, n: int, due: datetime = NOW) -> list[int]:
    with uow() as u:
        ids = [
            u.jobs.add("send", due - timedelta(seconds=i), {"n": i}, at=NOW).id for i in range(n)
        ]
        u.commit()
    return ids


def test_concurrent_claimers_never_claim_a_job_twice(uow: UowFactory) -> None:
    all_ids = _add_jobs(uow, 200)
    workers = 4
    start = threading.Barrier(workers)
    claimed: dict[str, list[int]] = {f"w{i}": [] for i in range(workers)}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            start.wait()
            while True:
                with uow() as u:
                    jobs = u.jobs.claim(NOW, 7, name)
                    u.commit()
                if not jobs:
                    return
                claimed[name].extend(j.id for j in jobs)
        except BaseException as exc:  # handed to the main thread, which fails the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    every_claim = [i for ids in claimed.values() for i in ids]
    assert len(every_claim) == len(set(every_claim))
    assert set(every_claim) == set(all_ids)


def test_only_due_jobs_are_claimed_oldest_first(uow: UowFactory) -> None:
    with uow() as u:
        later = u.jobs.add("cold", NOW + timedelta(minutes=15), at=NOW).id
        second = u.jobs.add("send", NOW - timedelta(minutes=1), at=NOW).id
        first = u.jobs.add("send", NOW - timedelta(minutes=2), at=NOW).id
        u.commit()
    with uow() as u:
        jobs = u.jobs.claim(NOW, 10, "w1")
        u.commit()
    assert [j.id for j in jobs] == [first, second]
    assert all(j.locked_by == "w1" and j.attempts == 1 for j in jobs)
    assert later not in {j.id for j in jobs}


def test_a_job_whose_worker_died_is_claimed_again_after_its_lease(uow: UowFactory) -> None:
    (job_id,) = _add_jobs(uow, 1)
    with uow() as u:
        assert [j.id for j in u.jobs.claim(NOW, 1, "dies", lease=timedelta(minutes=5))] == [job_id]
        u.commit()
    with uow() as u:
        assert u.jobs.claim(NOW + timedelta(minutes=4), 1, "other") == []
        retried = u.jobs.claim(NOW + timedelta(minutes=6), 1, "other")
        u.commit()
    assert [(j.id, j.locked_by, j.attempts) for j in retried] == [(job_id, "other", 2)]


def test_a_failing_job_is_retried_then_parked(uow: UowFactory) -> None:
    (job_id,) = _add_jobs(uow, 1)
    parked = []
    for attempt in range(3):
        at = NOW + timedelta(minutes=attempt)
        with uow() as u:
            assert [j.id for j in u.jobs.claim(at, 1, "w")] == [job_id]
            parked.append(u.jobs.fail(job_id, "twilio 500", at, max_attempts=3))
            u.commit()
    assert parked == [False, False, True]
    with uow() as u:
        assert u.jobs.claim(NOW + timedelta(days=1), 1, "w") == []
        assert u.jobs.pending() == []


def test_a_completed_job_is_gone(uow: UowFactory) -> None:
    (job_id,) = _add_jobs(uow, 1)
    with uow() as u:
        u.jobs.claim(NOW, 1, "w")
        u.jobs.complete(job_id)
        u.commit()
    with uow() as u:
        assert u.jobs.pending() == []


def test_cancelling_drops_a_conversations_unclaimed_timers_of_the_kinds_given(
    uow: UowFactory,
) -> None:
    from isa_engine.conversation import Conversation

    with uow() as u:
        contact, _ = u.contacts.get_or_create("+12125550142", at=NOW)
        conv = u.conversations.save(
            at=NOW, conversation=Conversation("buyer@1", "Ann", "Bob"), contact_id=contact.id
        )
        u.jobs.add("cold", NOW, conversation_id=conv.id, at=NOW)
        u.jobs.add("drip", NOW, conversation_id=conv.id, at=NOW)
        u.jobs.add("cold", NOW, at=NOW)  # another conversation's, or none
        u.commit()
    with uow() as u:
        assert u.jobs.cancel(conv.id, ["cold"]) == 1
        assert u.jobs.cancel(conv.id) == 1
        u.commit()
    with uow() as u:
        assert [(j.kind, j.conversation_id) for j in u.jobs.pending()] == [("cold", None)]
