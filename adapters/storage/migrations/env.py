"""Alembic environment: the ORM metadata is the target; the engine is ``make_engine``'s.

Started by ``adapters.storage.migrate`` (no alembic.ini). The database URL comes
in ``config.attributes["url"]`` rather than the ini option, because configparser
would read the ``%`` of an escaped URL as interpolation.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from adapters.storage.columns import UtcDateTime
from adapters.storage.engine import make_engine
from adapters.storage.orm import Base

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our UTC column as a plain ``sa.DateTime``: migrations never import app types."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        compare_type=True,
        **kwargs,
    )


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: use adapters.storage.migrate, which passes one")
    return str(url)


def run_offline() -> None:
    """Emit SQL to stdout instead of running it (``--sql``)."""
    url = _url()
    _configure(url=url, literal_binds=True, render_as_batch=str(url).startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run against the connection given, or a fresh engine for the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = _url()
    # Foreign keys off on SQLite: batch mode rebuilds tables that others point at.
    engine = make_engine(url, foreign_keys=False)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
