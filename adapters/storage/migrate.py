"""Run Alembic from code: ``upgrade(url)``, ``downgrade(url, revision)``, ``revision(...)``.

No alembic.ini is needed at runtime: the script location is this package's
``migrations`` folder, found from ``__file__``, so an installed wheel migrates
too. ``python -m adapters.storage.migrate upgrade [URL]`` does it from a shell.

Alembic is imported only to migrate: ``upgrade`` first reads the database's revision with
SQLAlchemy, and a database already at ``HEAD`` (every start but the first) costs one query.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from adapters.storage.engine import DEFAULT_URL, SQLITE_BEGIN_OPTION, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0009"
"""The newest revision in ``migrations/versions``; a test holds it to Alembic's own head."""


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at; None when it has none (or is not there)."""
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"}) as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return None  # let Alembic try, and say what is wrong
    finally:
        engine.dispose()
    return rows[0] if len(rows) == 1 else None


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url  # not the ini option: a '%' in the URL would break it
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (the newest by default)."""
    if revision in ("head", HEAD) and current_revision(url) == HEAD:
        return  # up to date: no need to load Alembic and our migration scripts
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Take the database at ``url`` down to ``revision`` (empty by default)."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def revision(url: str, message: str, rev_id: str | None = None) -> None:
    """Autogenerate a new revision from the difference between ``url`` and the models."""
    from alembic import command

    command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=rev_id)


def main(argv: list[str]) -> int:
    """``upgrade [URL]`` | ``downgrade REVISION [URL]`` | ``revision MESSAGE URL``."""
    if argv[:1] == ["upgrade"]:
        upgrade(argv[1] if len(argv) > 1 else DEFAULT_URL)
    elif argv[:1] == ["downgrade"] and len(argv) > 1:
        downgrade(argv[2] if len(argv) > 2 else DEFAULT_URL, argv[1])
    elif argv[:1] == ["revision"] and len(argv) == 3:
        revision(argv[2], argv[1])
    else:
        print(main.__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
