"""What a request needs, built once by ``create_app``: every dependency can be swapped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.script_files import FileScriptStore
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from api.settings import Settings


@dataclass
class Container:
    """The app's parts: settings, database, clock, scripts, and the outbound text sender."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    scripts: FileScriptStore
    extras: dict[str, object] = field(default_factory=dict)

    def uow(self, *, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        """A new unit of work (one transaction)."""
        return SqlAlchemyUnitOfWork(self.sessions, read_only=read_only)
