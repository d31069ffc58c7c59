"""``make_engine(url)``: one engine per process, set up for how each database locks.

SQLite (the embedded default) gets WAL so readers never wait for the writer,
foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for every transaction:
SQLite has no row locks, so a unit of work takes the write lock up front and
units of work run one after the other (invariant 7). Without it, two deferred
transactions that both read then write deadlock into ``database is locked``.
Inside one process the writers queue on a lock, so none sleeps in SQLite's
busy handler while another commits.

PostgreSQL goes through psycopg 3 with ``pool_pre_ping`` so a restarted server
costs one retry, not an error; turns are serialised with row locks instead.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url

DEFAULT_URL = "sqlite:///isa.db"
"""The embedded default: a file beside where ``isa`` runs."""

POOL_SIZE, MAX_OVERFLOW = 5, 10  # per process: connections kept, and more when busy
POOL_CAPACITY = POOL_SIZE + MAX_OVERFLOW
"""How many connections an engine's pool hands out at once."""

_WRITER = "isa_sqlite_writer"  # connection info: this connection holds the writer lock

SQLITE_BEGIN_OPTION = "isa_sqlite_begin"
"""Execution option: ``"DEFERRED"`` for a read-only unit of work on SQLite."""

# NaN and Infinity are not JSON: PostgreSQL refuses them, SQLite would keep them.
_json_dumps = functools.partial(json.dumps, allow_nan=False, ensure_ascii=False)


def normalise_url(url: str | URL) -> URL:
    """The URL with the driver made explicit: ``postgresql://`` means psycopg 3 here."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(
    url: str | URL = DEFAULT_URL, *, busy_timeout_ms: int = 15_000, foreign_keys: bool = True
) -> Engine:
    """An engine for ``url``; ``foreign_keys=False`` is for migrations on SQLite only."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, busy_timeout_ms, foreign_keys)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=POOL_SIZE,
            max_overflow=MAX_OVERFLOW,
            json_serializer=_json_dumps,
        )
    raise ValueError(f"unsupported database {parsed.drivername!r}: use sqlite or postgresql")


def _sqlite_engine(url: URL, busy_timeout_ms: int, foreign_keys: bool) -> Engine:
    in_memory = url.database in (None, "", ":memory:") or "mode=memory" in str(url)
    pooled = {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW}
    engine = create_engine(
        url,
        **pooled,
        connect_args={"check_same_thread": False},  # the pool hands connections across threads
        json_serializer=_json_dumps,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy: pysqlite's own BEGIN would be
        # DEFERRED and would break SAVEPOINT (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable to the last commit in WAL
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        finally:
            cursor.close()

    # This process's writers queue on a lock before BEGIN IMMEDIATE, woken the moment the
    # last one commits; left to SQLite's busy handler, they would sleep and poll (up to
    # 100 ms a nap), which under load costs far more than the writes. Other processes
    # (the CLI beside `isa serve`) still wait on the busy timeout.
    writer = threading.Lock()
    timeout = busy_timeout_ms / 1000

    def _release(info: dict[str, Any]) -> None:
        if info.pop(_WRITER, False):
            writer.release()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
        if mode not in ("IMMEDIATE", "DEFERRED", "EXCLUSIVE"):
            raise ValueError(f"{SQLITE_BEGIN_OPTION} must be IMMEDIATE, DEFERRED or EXCLUSIVE")
        if mode != "DEFERRED":
            if not writer.acquire(timeout=timeout):
                raise sqlite3.OperationalError(
                    f"database is locked: another write in this process held it {timeout:g} s"
                )
            conn.info[_WRITER] = True
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            _release(conn.info)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Connection) -> None:
        _release(conn.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _release(record.info)  # a connection handed back mid-transaction: never keep the lock

    return engine
