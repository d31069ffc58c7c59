"""One fault scenario's world: the recipe's processes, the fake Twilio, and the database.

The processes are ``deploy/Procfile``'s, started by ``bench.cluster.Cluster``:
on SQLite one ``web`` (which runs due jobs itself), on PostgreSQL ``web`` with
``WEB_CONCURRENCY=2`` (uvicorn and two children) and ``worker`` processes.

Time the test does not wait for, done in the database as the clock would do
it, and counted in ``figures``:

- a lease held by a process that no longer exists runs out (the recipe's
  lease is 5 minutes; another process then retries the job, as it would);
- a failed send's backoff (30 s, then doubling) runs out;
- after a database restart, a lease a live process took before the restart
  and abandoned when its transaction broke runs out.

Each is checked to be no longer than what the clock would take, so a job
held for ever is still caught.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import ColumnElement, func, select, update

from adapters.storage.jobs import DEFAULT_LEASE, SEND
from adapters.storage.orm import Contact, Job, Message
from adapters.storage.vocab import DeliveryStatus, Direction
from api.container import Container
from api.services.leads import start_for
from bench.cluster import Cluster
from tests.faults.twilio import FaultyTwilioApi

APPLICATION = "isa-fault-suite"
"""``application_name`` of the suite's PostgreSQL connections (its processes' and its own)."""
WORKERS = 1
"""``worker`` processes on PostgreSQL, unless a scenario asks for more."""
LEASE = DEFAULT_LEASE
"""The lease of the recipe's processes: ``isa worker``'s default and ``isa serve``'s own."""
NAMES = ["Ana", "Ben", "Chloe", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivan", "Jo"]

IMMINENT = timedelta(seconds=5)  # a job due this soon is work in hand, not work left


def utc_now() -> datetime:
    return datetime.now(UTC)


def wait_for(
    condition: Callable[[], bool], what: str, timeout: float, logs: Callable[[], str]
) -> None:
    """Poll ``condition`` until true; an AssertionError naming ``what``, with the logs, if not."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{logs()}")
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Is ``pid`` a running process (a zombie is not)?"""
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def holder_alive(locked_by: str) -> bool:
    """Whether the worker named ``host:pid:tag`` runs still (another host's: assumed so)."""
    host, _, rest = locked_by.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    return _alive(int(pid))


def pid_of(locked_by: str) -> int:
    return int(locked_by.split(":")[1])


@dataclass
class Run:
    """A scenario: its cluster, the fake Twilio, the service's URL, and the test's own container."""

    backend: str
    cluster: Cluster
    twilio: FaultyTwilioApi
    base: str
    container: Container
    figures: Counter[str] = field(default_factory=Counter)

    @property
    def postgres(self) -> bool:
        return self.backend == "postgres"

    # ------------------------------------------------------------------ processes

    def start(self, workers: int = WORKERS) -> None:
        """The recipe's processes for this backend, serving."""
        if self.postgres:
            self.cluster.start("worker", workers)
        self.start_web()

    def start_web(self) -> None:
        self.cluster.start("web")
        self.cluster.wait_until_serving(f"{self.base}/healthz", timeout=120)
        self.wait_for(self.healthy, "GET /healthz to answer 200", timeout=120)

    def child_deaths(self) -> int:
        """How many web children uvicorn's supervisor found dead (or hung) and replaced."""
        return self.cluster.log("web").count("] died")

    def kill_web(self) -> None:
        """SIGKILL the web process group (uvicorn and its children)."""
        self.cluster.kill("web")
        self.figures["processes killed"] += 1

    def kill_worker(self, pid: int) -> None:
        """SIGKILL the one ``worker`` process ``pid``."""
        workers = self.cluster.running.get("worker", [])
        (process,) = [p for p in workers if p.pid == pid]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
        workers.remove(process)
        self.figures["processes killed"] += 1

    def restart_job_runners(self) -> None:
        """Kill what runs due jobs (SQLite: ``web``; PostgreSQL: the workers) and start it again:
        whatever the old processes knew in memory is gone."""
        if self.postgres:
            count = len(self.pids("worker"))
            for pid in self.pids("worker"):
                self.kill_worker(pid)
            self.cluster.start("worker", count)
        else:
            self.kill_web()
            self.start_web()

    def pids(self, name: str) -> list[int]:
        return [p.pid for p in self.cluster.running.get(name, [])]

    def all_running(self) -> bool:
        return all(p.poll() is None for ps in self.cluster.running.values() for p in ps)

    def healthy(self) -> bool:
        """``GET /healthz`` is 200: the web process answers and reaches its database."""
        try:
            return httpx.get(f"{self.base}/healthz", timeout=2.0).status_code == 200
        except httpx.TransportError:
            return False

    def logs(self) -> str:
        """The tail of every process's log, for a failure message."""
        parts = []
        for name in ("web", "worker"):
            text = self.cluster.log(name)
            if text:
                parts.append(f"----- {name} log (last 6000 characters) -----\n{text[-6000:]}")
        return "\n".join(parts) or "(no process logs)"

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
        wait_for(condition, what, timeout, self.logs)

    # ------------------------------------------------------------------ leads

    def queue_openings(self, numbers: Iterable[str]) -> None:
        """New leads, each with its conversation started and the opening queued, not sent.

        As a coordinator's import leaves them when the process that queued the
        texts goes away: the recipe's processes send them (their send jobs are due).
        """
        rng = random.Random(7)
        with self.container.uow() as uow:
            for number in numbers:
                contact, _ = uow.contacts.get_or_create(
                    number, at=utc_now(), first_name=rng.choice(NAMES), zip="78701"
                )
                started = start_for(
                    self.container, uow, contact, "buyer", owner_id=None, actor_id=None
                )
                assert started.said == "started", f"{number}: {started.said}"
            uow.commit()

    def sender_of(self, phone: str) -> str | None:
        """Who holds the send job of the text to ``phone`` now (``host:pid:tag``), if anyone."""
        with self.container.uow(read_only=True) as uow:
            ids = list(
                uow.session.scalars(
                    select(Message.id)
                    .join(Contact, Contact.id == Message.contact_id)
                    .where(Contact.phone == phone, Message.direction == Direction.OUT)
                )
            )
            return uow.session.scalar(
                select(Job.locked_by).where(
                    Job.kind == SEND,
                    Job.payload["message_id"].as_integer().in_(ids),
                    Job.locked_by.is_not(None),
                )
            )

    @contextmanager
    def watching_deaths(self) -> Iterator[dict[str, int]]:
        """While inside: for each number Twilio refused with 21610, how many requests the
        fake had received once the database was seen to hold its contact dead."""
        known: dict[str, int] = {}
        stop, failed = threading.Event(), list[BaseException]()

        def watch() -> None:
            try:
                while not stop.wait(0.05):
                    refused = set(self.twilio.refusals) - set(known)
                    if refused:
                        with self.container.uow(read_only=True) as uow:
                            dead = set(
                                uow.session.scalars(
                                    select(Contact.phone).where(
                                        Contact.phone.in_(refused), Contact.dead.is_(True)
                                    )
                                )
                            )
                        seen = len(self.twilio.received)  # after the read: never too early
                        known.update(dict.fromkeys(dead, seen))
            except BaseException as exc:  # handed to the test: a thread's own would be lost
                failed.append(exc)

        thread = threading.Thread(target=watch, name="deaths", daemon=True)
        thread.start()
        try:
            yield known
        finally:
            stop.set()
            thread.join(10)
        if failed:
            raise failed[0]

    # ------------------------------------------------------------------ time

    def run_out_dead_leases(self) -> int:
        """Leases held by processes that no longer exist run out now; how many."""
        now = utc_now()
        with self.container.uow() as uow:
            held = uow.session.execute(
                select(Job.id, Job.locked_by, Job.locked_until).where(
                    Job.locked_by.is_not(None), Job.locked_until >= now
                )
            ).all()
            dead = [(i, until) for i, by, until in held if by and not holder_alive(by)]
            for job_id, until in dead:
                assert until is not None and until <= now + LEASE, (
                    f"job {job_id} is held until {until}, beyond the lease ({LEASE})"
                )
            if dead:
                uow.session.execute(
                    update(Job)
                    .where(Job.id.in_([i for i, _ in dead]))
                    .values(locked_until=now - timedelta(seconds=1))
                    .execution_options(synchronize_session=False)
                )
            uow.commit()
        self.figures["leases of killed processes run out"] += len(dead)
        return len(dead)

    def run_out_abandoned_leases(self, claimed_before: datetime) -> int:
        """Leases live processes took before ``claimed_before`` and hold still run out now."""
        now = utc_now()
        with self.container.uow() as uow:
            held = uow.session.execute(
                select(Job.id, Job.kind, Job.locked_by, Job.locked_until).where(
                    Job.locked_by.is_not(None), Job.locked_until >= now
                )
            ).all()
            old = [
                (i, k, by, u)
                for i, k, by, u in held
                if u is not None and u - LEASE < claimed_before
            ]
            for job_id, _, _, until in old:
                assert until <= now + LEASE, f"job {job_id} is held until {until}, beyond the lease"
            if old:
                uow.session.execute(
                    update(Job)
                    .where(Job.id.in_([i for i, *_ in old]))
                    .values(locked_until=now - timedelta(seconds=1))
                    .execution_options(synchronize_session=False)
                )
            uow.commit()
        self.figures["leases abandoned by live processes run out"] += len(old)
        return len(old)

    def run_out_backoff(self) -> int:
        """Failed sends waiting for their retry are due now; how many."""
        now = utc_now()
        with self.container.uow() as uow:
            waiting = uow.session.scalar(
                select(func.count()).select_from(Job).where(*_backing_off(now))
            )
            uow.session.execute(
                update(Job)
                .where(*_backing_off(now))
                .values(due_at=now)
                .execution_options(synchronize_session=False)
            )
            uow.commit()
        self.figures["send retries brought forward"] += int(waiting or 0)
        return int(waiting or 0)

    # ------------------------------------------------------------------ settling

    def pending(self) -> list[str]:
        """What is left to do now: texts not settled, jobs due or in someone's hands.

        A job due within ``IMMINENT`` counts as due: a send deferred while another text to
        the same lead was with the provider (``outbox.IN_FLIGHT_WAIT``, 2 s) or a no-op left
        for a text sent meanwhile would otherwise be found "due" just after settling, before
        the worker's next poll ran it.
        """
        now = utc_now() + IMMINENT
        left = []
        with self.container.uow(read_only=True) as uow:
            unsettled = uow.session.execute(
                select(Message.id, Message.delivery_status, Contact.phone, Message.body)
                .join(Contact, Contact.id == Message.contact_id)
                .where(
                    Message.direction == Direction.OUT,
                    Message.delivery_status.in_((DeliveryStatus.QUEUED, DeliveryStatus.SENDING)),
                )
            )
            for mid, status, phone, body in unsettled:
                left.append(f"text {mid} to {phone} is {status}: {body[:50]!r}")
            for job in uow.session.scalars(select(Job).where(Job.parked.is_(False))):
                if job.locked_by is not None and job.locked_until and job.locked_until >= now:
                    left.append(f"job {job.id} ({job.kind}) held by {job.locked_by}")
                elif job.due_at <= now:
                    left.append(f"job {job.id} ({job.kind}) due since {job.due_at:%H:%M:%S}")
        return left

    def parked(self) -> list[str]:
        """Jobs given up on, and why."""
        with self.container.uow(read_only=True) as uow:
            return [
                f"job {j.id} ({j.kind} {j.payload}) parked after {j.attempts} attempts: "
                f"{(j.last_error or '').splitlines()[0][:300]}"
                for j in uow.jobs.parked()
            ]

    def settle(self, timeout: float, *, parked_ok: int = 0) -> None:
        """Wait until every due text went and no job is due or held; meanwhile leases of
        dead processes and failed sends' backoffs run out as the clock would make them.

        A parked job (beyond ``parked_ok``) fails at once: nothing will run it again.
        """
        deadline = time.monotonic() + timeout
        while True:
            self.run_out_dead_leases()
            self.run_out_backoff()
            left, parked = self.pending(), self.parked()
            if len(parked) > parked_ok:
                raise AssertionError(
                    f"{len(parked)} jobs parked: {parked}\nleft: {left[:10]}\n{self.logs()}"
                )
            if not left:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"work left {timeout:.0f} s after recovery ({len(left)}): {left[:15]}\n"
                    f"{self.logs()}"
                )
            time.sleep(0.2)


def _backing_off(now: datetime) -> list[ColumnElement[bool]]:
    return [
        Job.kind == SEND,
        Job.locked_by.is_(None),
        Job.parked.is_(False),
        Job.last_error.is_not(None),
        Job.due_at > now,
    ]
