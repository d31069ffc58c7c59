"""The engine is set up the way each database needs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.storage.engine import DEFAULT_URL, make_engine, normalise_url
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork, session_factory


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'isa.db'}")
    try:
        with engine.connect() as conn:
            pragmas = [
                conn.exec_driver_sql(f"PRAGMA {p}").scalar()
                for p in ("journal_mode", "foreign_keys", "busy_timeout")
            ]
    finally:
        engine.dispose()
    assert pragmas == ["wal", 1, 15000]


def test_a_plain_postgresql_url_means_psycopg_3() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url(DEFAULT_URL).drivername == "sqlite"


def test_an_unknown_database_is_refused_with_what_to_use() -> None:
    with pytest.raises(ValueError, match="use sqlite or postgresql"):
        make_engine("mysql://u@h/db")


def test_a_read_only_unit_of_work_on_sqlite_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'isa.db'}", busy_timeout_ms=100)
    sessions = session_factory(engine)
    try:
        with SqlAlchemyUnitOfWork(sessions) as writer:
            writer.session.execute(text("CREATE TABLE t (x INTEGER)"))  # holds the write lock
            with SqlAlchemyUnitOfWork(sessions, read_only=True) as reader:
                assert reader.session.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
