"""The fault suite's set-up: a released database, the fake Twilio, and the recipe's processes.

Each scenario runs on SQLite (one ``web`` process that runs due jobs itself)
and, where ``ISA_TEST_POSTGRES_URL`` is set, on PostgreSQL (``web`` with
``WEB_CONCURRENCY=2`` plus ``worker`` processes), as tests/storage does: a
schema of the session's own, emptied after each test. The database is made
by the recipe's own ``release`` step.

Bounded by default (``ISA_FAULTS_LEADS`` leads a scenario, 20); the full form:

    ISA_FAULTS_LEADS=1000 ISA_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \
        .venv/bin/python -m pytest tests/faults
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, text

from adapters.storage.engine import make_engine, normalise_url
from adapters.storage.orm import Base
from api.app import create_app
from api.container import Container
from api.settings import Settings
from bench.cluster import Cluster
from bench.webhook import ALWAYS_OPEN, free_port
from tests.fakes.twilio_api import ACCOUNT, TOKEN
from tests.faults.harness import APPLICATION, Run
from tests.faults.phones import FROM
from tests.faults.twilio import FaultyTwilioApi
from tests.storage.conftest import POSTGRES_ENV

LEADS = int(os.environ.get("ISA_FAULTS_LEADS", "20"))
"""Leads a scenario (three texts each)."""
CONCURRENCY = max(4, min(32, LEADS // 4))
"""Leads texting at a time."""
ROUND = 120 + LEADS * 0.5
"""The longest a round of the leads' texts, or a wait on the load, may take (seconds)."""
SETTLE = 60 + LEADS * 0.3
"""The longest the processes may take to send everything due once a fault is over."""

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _release(url: str, logs: Path) -> None:
    """The recipe's ``release`` step (``isa db upgrade``) on ``url``."""
    Cluster({"ISA_DATABASE_URL": url, "PATH": os.environ.get("PATH", "")}, logs).release()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database under test."""
    name: str = request.param
    if name == "postgres" and not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"set {POSTGRES_ENV} to run the PostgreSQL fault scenarios")
    return name


@pytest.fixture(scope="session")
def released_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the release step migrated, copied for each test."""
    where = tmp_path_factory.mktemp("released")
    path = where / "isa.db"
    _release(f"sqlite:///{path}", where / "logs")
    return path


def _on_server(sql: str) -> None:
    """Run ``sql`` on the test server over a connection of its own, closed after."""
    server = normalise_url(os.environ[POSTGRES_ENV])
    engine = make_engine(server.update_query_dict({"application_name": APPLICATION}))
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def released_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A schema of this session's own on the test server (as tests/storage makes them),
    migrated by the release step; every connection through its URL is named ``APPLICATION``
    on the server, so the restart scenario can tell whether anyone else is connected."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    _on_server(f'CREATE SCHEMA "{schema}"')
    try:
        url = normalise_url(os.environ[POSTGRES_ENV]).update_query_dict(
            {"options": f"-csearch_path={schema}", "application_name": APPLICATION}
        )
        named = url.render_as_string(hide_password=False)
        _release(named, tmp_path_factory.mktemp("released-pg") / "logs")
        yield named
    finally:
        _on_server(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A released, empty database of the backend under test."""
    if backend == "sqlite":
        path = tmp_path / "isa.db"
        shutil.copyfile(request.getfixturevalue("released_sqlite"), path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("released_postgres")
    yield url
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    engine.dispose()


@pytest.fixture
def twilio() -> Iterator[FaultyTwilioApi]:
    """The fake Twilio the processes send through; a held answer waits up to 60 s."""
    with FaultyTwilioApi(hold_seconds=60) as fake:
        yield fake


@pytest.fixture
def env(backend: str, database_url: str, twilio: FaultyTwilioApi, tmp_path: Path) -> dict[str, str]:
    """What an operator sets for the recipe: Twilio (the fake), rules open at every hour
    (the test's wall clock is never in quiet hours), and replies without an ISA."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "any-hour.yaml").write_text(ALWAYS_OPEN, encoding="utf-8")
    port = free_port()
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "ISA_DATABASE_URL": database_url,
        "ISA_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2" if backend == "postgres" else "1",
        "ISA_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ISA_TWILIO_ACCOUNT_SID": ACCOUNT,
        "ISA_TWILIO_AUTH_TOKEN": TOKEN,
        "ISA_TWILIO_FROM": FROM,
        "ISA_TWILIO_API_BASE": twilio.url,
        "ISA_TWILIO_TIMEOUT_SECONDS": "30",
        "ISA_RULES_DIR": str(rules),
        "ISA_AUTO_APPROVE": "all",
    }


@pytest.fixture
def container(env: dict[str, str]) -> Iterator[Container]:
    """The test's own view of the database the processes use (and the leads' importer)."""
    settings = Settings(
        database_url=env["ISA_DATABASE_URL"],
        rules_dir=Path(env["ISA_RULES_DIR"]),
        auto_approve=env["ISA_AUTO_APPROVE"],
        public_url=env["ISA_PUBLIC_URL"],
    )
    built: Container = create_app(settings, migrate=False).state.container
    yield built
    built.engine.dispose()


@pytest.fixture
def run(
    backend: str,
    env: dict[str, str],
    twilio: FaultyTwilioApi,
    container: Container,
    tmp_path: Path,
) -> Iterator[Run]:
    """The scenario's world; every process it started is killed at the end, whatever happened
    (SIGKILL: the database is thrown away, and a graceful stop costs seconds a test)."""
    cluster = Cluster(env, tmp_path / "logs")
    scenario = Run(backend, cluster, twilio, env["ISA_PUBLIC_URL"], container)
    try:
        yield scenario
    finally:
        for name in list(cluster.running):
            cluster.kill(name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed scenario's report carries every process's log (unless its message has them)."""
    report = yield
    scenario = getattr(item, "funcargs", {}).get("run")
    if report.failed and isinstance(scenario, Run) and "log (last" not in report.longreprtext:
        report.sections.append(("process logs", scenario.logs()))
    return report
