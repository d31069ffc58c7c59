"""Real ``isa worker`` processes, killed mid-send: every due text goes out exactly once.

The texts go through the real twilio client to the local fake of Twilio's
API. The first text's answer is held, so the first worker is killed (SIGKILL)
while Twilio has the text but the worker has not recorded it; the next worker
takes the job once its lease runs out, asks Twilio first, and sends nothing
twice. On PostgreSQL two workers then race for the same jobs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.storage.orm import Message
from adapters.storage.vocab import DeliveryStatus
from api.app import create_app
from api.container import Container
from api.settings import Settings
from tests.fakes.twilio_api import ACCOUNT, TOKEN, FakeTwilioApi
from tests.storage.conftest import (  # noqa: F401 - fixtures
    backend,
    database_url,
    postgres_url,
    sqlite_template,
)

TEXTS = 40
ALWAYS_OPEN = 'windows:\n  - id: always\n    hours: {daily: "00:00-24:00"}\n'
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def twilio() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi(hold_seconds=30) as fake:
        yield fake


@pytest.fixture
def env(database_url: str, twilio: FakeTwilioApi, tmp_path: Path) -> dict[str, str]:  # noqa: F811
    """What an operator sets for ``isa worker``; rules that allow any hour, so the test's
    wall clock is never in quiet hours."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "any-hour.yaml").write_text(ALWAYS_OPEN, encoding="utf-8")
    return {
        **os.environ,
        "ISA_DATABASE_URL": database_url,
        "ISA_TWILIO_ACCOUNT_SID": ACCOUNT,
        "ISA_TWILIO_AUTH_TOKEN": TOKEN,
        "ISA_TWILIO_FROM": "+15125550100",
        "ISA_TWILIO_API_BASE": twilio.url,
        "ISA_TWILIO_TIMEOUT_SECONDS": "60",
        "ISA_PUBLIC_URL": "https://isa.example.com",
        "ISA_RULES_DIR": str(tmp_path / "rules"),
    }


@pytest.fixture
def container(env: dict[str, str]) -> Iterator[Container]:
    """The test's own view of the database the workers use."""
    settings = Settings(database_url=env["ISA_DATABASE_URL"], rules_dir=Path(env["ISA_RULES_DIR"]))
    built: Container = create_app(settings, migrate=False).state.container
    yield built
    built.engine.dispose()


def queue_texts(container: Container) -> list[str]:
    """``TEXTS`` leads, each with one queued text and its send job, as a turn leaves them."""
    phones = [f"+1512555{n:04d}" for n in range(TEXTS)]
    now = container.clock()  # the workers' clock: the real one
    with container.uow() as uow:
        for phone in phones:
            contact, _ = uow.contacts.get_or_create(phone, at=now, first_name="Ana")
            uow.messages.add_outbound(
                f"test:{phone}", contact_id=contact.id, body=f"Hi Ana, a text to {phone}", at=now
            )
        uow.commit()
    return phones


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``isa worker`` in a process of its own; its log beside the rules, for a failing run."""
    log = Path(env["ISA_RULES_DIR"]).parent / f"worker-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "api", "worker", "--idle", "0.05", "--lease", "2"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        time.sleep(0.05)


def sent_count(container: Container) -> int:
    with container.uow(read_only=True) as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.delivery_status == DeliveryStatus.SENT)
            )
            or 0
        )


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)


def assert_each_sent_once(container: Container, twilio: FakeTwilioApi, phones: list[str]) -> None:
    assert [len(twilio.sent_to(p)) for p in phones] == [1] * len(phones)
    with container.uow(read_only=True) as uow:
        rows = list(uow.session.scalars(select(Message)))
    assert {m.delivery_status for m in rows} == {DeliveryStatus.SENT}
    assert {m.message_sid for m in rows} == {m.sid for p in phones for m in twilio.sent_to(p)}


def test_a_worker_killed_mid_send_loses_nothing_and_texts_nobody_twice(
    env: dict[str, str], twilio: FakeTwilioApi, container: Container
) -> None:
    phones = queue_texts(container)
    twilio.slow = 1  # Twilio takes the first text and holds its answer
    first = start_worker(env)
    wait_for(lambda: len(twilio.creates()) == 1)
    time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert sent_count(container) == 0  # the worker died before recording anything

    second = start_worker(env)
    try:
        wait_for(lambda: sent_count(container) == TEXTS)
    finally:
        stop(second)
    assert_each_sent_once(container, twilio, phones)


def test_workers_racing_for_the_same_jobs_send_each_text_once(
    env: dict[str, str],
    twilio: FakeTwilioApi,
    container: Container,
    backend: str,  # noqa: F811
) -> None:
    if backend != "postgres":
        pytest.skip("several workers need PostgreSQL: SQLite has one writer")
    phones = queue_texts(container)
    workers = [start_worker(env) for _ in range(3)]
    try:
        wait_for(lambda: sent_count(container) == TEXTS)
    finally:
        for worker in workers:
            stop(worker)
    assert_each_sent_once(container, twilio, phones)
