"""Migrations apply from empty, match the models, and go back down to nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from adapters.storage.engine import make_engine
from adapters.storage.migrate import HEAD, alembic_config, current_revision, downgrade, upgrade
from adapters.storage.orm import Base
from tests.storage.conftest import postgres_schema

TABLES = set(Base.metadata.tables)


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        with postgres_schema() as url:
            yield url


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(empty_url: str) -> None:
    upgrade(empty_url)
    assert _tables(empty_url) == TABLES | {"alembic_version"}


def test_the_migrated_schema_matches_the_models(empty_url: str) -> None:
    upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table_and_upgrade_works_again(empty_url: str) -> None:
    upgrade(empty_url)
    downgrade(empty_url, "base")
    assert _tables(empty_url) == {"alembic_version"}
    upgrade(empty_url)
    assert _tables(empty_url) == TABLES | {"alembic_version"}


def test_the_head_revision_known_statically_is_alembics_head() -> None:
    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() == HEAD


def test_a_migrated_database_reads_as_head_and_an_empty_one_as_none(empty_url: str) -> None:
    assert current_revision(empty_url) is None
    upgrade(empty_url)
    assert current_revision(empty_url) == HEAD
    upgrade(empty_url)  # at head already: nothing to do, and nothing breaks
    downgrade(empty_url, "0003")
    assert current_revision(empty_url) == "0003"
    upgrade(empty_url)
    assert current_revision(empty_url) == HEAD
