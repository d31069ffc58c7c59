"""How many due jobs a worker runs per second, beside bare claim-and-delete, in the same run.

The jobs are real send jobs: a queued text each, sent through the whole send
path (the contact locked, the dead check, quiet hours and caps evaluated, the
sid recorded) to a sender that answers at once. The baseline claims the same
number of jobs in the same batches and deletes them, doing nothing else: the
floor any worker pays for its database. Wall-clock time, as the database
server's work counts. Run: ``python -m bench.jobs [DATABASE_URL]`` (default:
a temporary SQLite file; a PostgreSQL URL must name an empty, disposable
database).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete

from adapters.console_sms import ConsoleSms
from adapters.storage.migrate import upgrade
from adapters.storage.orm import Contact, Job, Message
from api.app import create_app
from api.container import Container
from api.services.dispatch import handlers
from api.services.worker import Worker
from api.settings import Settings

JOBS = 2000
BATCH = 50
NOON = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # noon in Texas: no quiet hours in the way


def build(url: str) -> Container:
    upgrade(url)
    container: Container = create_app(Settings(database_url=url), migrate=False).state.container
    container.clock = lambda: NOON
    container.extras["sms"] = ConsoleSms(echo=False)
    with container.uow() as uow:
        for table in (Job, Message, Contact):
            uow.session.execute(delete(table))
        uow.commit()
    return container


def queue(container: Container, n: int, start: int) -> None:
    with container.uow() as uow:
        for i in range(start, start + n):
            phone = f"+1512{2_000_000 + i:07d}"  # Austin numbers: it is noon there
            contact, _ = uow.contacts.get_or_create(phone, at=NOON, first_name="Ana")
            uow.messages.add_outbound(f"bench:{i}", contact_id=contact.id, body="Hi Ana!", at=NOON)
        uow.commit()


def run_worker(container: Container) -> float:
    worker = Worker(container, handlers(), name="bench", batch=BATCH)
    began = time.perf_counter()
    while worker.run_once():
        pass
    return time.perf_counter() - began


def run_baseline(container: Container) -> float:
    began = time.perf_counter()
    while True:
        with container.uow() as uow:
            jobs = uow.jobs.claim(NOON, BATCH, "baseline")
            uow.commit()
        if not jobs:
            break
        for job in jobs:
            with container.uow() as uow:
                uow.jobs.complete(job.id, "baseline")
                uow.commit()
    return time.perf_counter() - began


def main() -> None:
    """Print jobs/s for the worker and the baseline, and their ratio."""
    url = sys.argv[1] if len(sys.argv) > 1 else ""
    if not url:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    container = build(url)
    queue(container, JOBS, 0)
    worker = run_worker(container)
    queue(container, JOBS, JOBS)  # the same rows and jobs, left unrun
    base = run_baseline(container)
    where = url.split(":")[0]
    print(f"{where}: worker, send jobs: {JOBS / worker:8.0f} jobs/s")
    print(f"{where}: baseline, claim and delete: {JOBS / base:8.0f} jobs/s")
    print(f"{where}: worker / baseline: {base / worker:8.2f}")
    container.engine.dispose()


if __name__ == "__main__":
    main()
