"""SQLite's writers in one process queue on a lock instead of sleeping in the busy handler."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from adapters.storage.engine import make_engine


def counter(tmp_path: Path, busy_timeout_ms: int = 15_000) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}", busy_timeout_ms=busy_timeout_ms)
    with engine.begin() as c:
        c.execute(text("CREATE TABLE n (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"))
        c.execute(text("INSERT INTO n (id, v) VALUES (1, 0)"))
    return engine


def value(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT v FROM n WHERE id = 1")).scalar_one())


def test_many_threads_writing_at_once_each_write_lands(tmp_path: Path) -> None:
    engine = counter(tmp_path)

    def bump() -> None:
        for _ in range(25):
            with engine.begin() as c:  # read, then write: a lost update if two overlapped
                v = c.execute(text("SELECT v FROM n WHERE id = 1")).scalar_one()
                c.execute(text("UPDATE n SET v = :v WHERE id = 1"), {"v": v + 1})

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert value(engine) == 200


def test_a_transaction_given_up_without_commit_lets_the_next_writer_in(tmp_path: Path) -> None:
    engine = counter(tmp_path, busy_timeout_ms=300)
    c = engine.connect()
    c.begin()
    c.execute(text("UPDATE n SET v = 5 WHERE id = 1"))
    c.close()  # handed back mid-transaction: rolled back, and the lock with it
    with engine.begin() as c2:
        c2.execute(text("UPDATE n SET v = 7 WHERE id = 1"))
    assert value(engine) == 7


def test_a_second_write_in_the_same_thread_fails_clearly_instead_of_hanging(
    tmp_path: Path,
) -> None:
    engine = counter(tmp_path, busy_timeout_ms=200)
    with engine.begin() as outer:
        outer.execute(text("UPDATE n SET v = 1 WHERE id = 1"))
        with (
            pytest.raises(sqlite3.OperationalError, match=r"database is locked.* 0\.2 s"),
            engine.begin() as inner,
        ):
            inner.execute(text("UPDATE n SET v = 2 WHERE id = 1"))
    assert value(engine) == 1
