"""``SqlAlchemyUnitOfWork``: one transaction per turn, with the repositories on it.

Nothing is written unless ``commit()`` is called; leaving the block without it,
or with an exception, rolls back (the cosmicpython pattern). On SQLite the
first statement takes the database write lock (``BEGIN IMMEDIATE``, see
``engine``); ``read_only=True`` starts a deferred transaction instead, so a
reader never waits for a writer.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.storage.engine import SQLITE_BEGIN_OPTION
from adapters.storage.jobs import JobRepository
from adapters.storage.repositories import (
    ContactRepository,
    ConversationRepository,
    MessageRepository,
)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (a claimed job stays readable)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


class SqlAlchemyUnitOfWork:
    """A context manager around one session; repositories are its attributes."""

    session: Session
    contacts: ContactRepository
    conversations: ConversationRepository
    messages: MessageRepository
    jobs: JobRepository

    def __init__(self, sessions: sessionmaker[Session], *, read_only: bool = False) -> None:
        self._sessions = sessions
        self._read_only = read_only

    def __enter__(self) -> Self:
        self.session = self._sessions()
        if self._read_only and self.session.get_bind().dialect.name == "sqlite":
            self.session.connection(execution_options={SQLITE_BEGIN_OPTION: "DEFERRED"})
        self.contacts = ContactRepository(self.session)
        self.conversations = ConversationRepository(self.session)
        self.messages = MessageRepository(self.session)
        self.jobs = JobRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed, and, unlike rollback(),
        # leaves loaded rows readable (detached, not expired) after the block.
        self.session.close()

    def commit(self) -> None:
        """Make the work so far durable, and release the locks it held."""
        self.session.commit()

    def rollback(self) -> None:
        """Discard the work since the last commit."""
        self.session.rollback()
