"""One contract suite, every backend: SQLite in tmp_path always, PostgreSQL when configured.

PostgreSQL runs in a schema of its own per test session (``t_<random>``, set
as the ``search_path`` through the URL), dropped at the end, so concurrent runs
on one server never see each other; tables are emptied between tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from adapters.storage.engine import make_engine, normalise_url
from adapters.storage.migrate import upgrade
from adapters.storage.orm import Base
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork, session_factory

POSTGRES_ENV = "ISA_TEST_POSTGRES_URL"

UowFactory = Callable[[], SqlAlchemyUnitOfWork]


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh, empty schema on the test server; its URL, dropped afterwards."""
    server = normalise_url(os.environ[POSTGRES_ENV])
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = server.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _needs_postgres() -> None:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"set {POSTGRES_ENV} to run the PostgreSQL contract tests")


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database under test."""
    name: str = request.param
    if name == "postgres":
        _needs_postgres()
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating costs ~0.15 s)."""
    path = tmp_path_factory.mktemp("template") / "isa.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated schema for the whole session."""
    _needs_postgres()
    with postgres_schema() as url:
        upgrade(url)
        yield url


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of the backend under test."""
    if backend == "sqlite":
        path = tmp_path / "isa.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
    engine = make_engine(url)
    with engine.begin() as conn:
        # DELETE, children first: on a few rows it is far cheaper than TRUNCATE,
        # which rewrites every table's files. Tests never rely on id values.
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """``make_engine`` on the database under test."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def uow(engine: Engine) -> UowFactory:
    """Makes units of work on the database under test."""
    sessions = session_factory(engine)
    return lambda: SqlAlchemyUnitOfWork(sessions)


def url_backend(url: str) -> str:
    """``sqlite`` or ``postgresql``, from a URL."""
    return make_url(url).get_backend_name()
