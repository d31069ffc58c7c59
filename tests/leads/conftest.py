"""The leads and scripts API through HTTP, on SQLite always and PostgreSQL when configured.

Each test gets a migrated database (a copy of a migrated SQLite file, or the
session's fresh PostgreSQL schema emptied after the test), a copy of the
shipped scripts it may add versions to, a fixed clock, and a fake SMS sender
that records what would have gone out.
"""

from __future__ import annotations

import shutil
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.storage.engine import make_engine
from adapters.storage.migrate import upgrade
from adapters.storage.orm import Base, Campaign
from adapters.storage.vocab import Role
from api.accounts import create_user, issue_token
from api.app import create_app
from api.container import Container
from api.settings import Settings
from tests.conftest import REPO
from tests.storage.conftest import BACKENDS, _needs_postgres, postgres_schema

NOW = datetime(2037, 11, 23, 18, 0, tzinfo=UTC)  # noon in Nashville: inside every quiet-hour window


@dataclass
class FakeSms:
    """Records each text instead of sending it."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(
        self,
        to: str,
        body: str,
        idempotency_key: str,
        *,
        unsure_since: datetime | None = None,
        taken: Collection[str] = (),
    ) -> str:
        """Keep the text; a made-up MessageSid."""
        self.sent.append((to, body))
        return f"SM{len(self.sent):032d}"


@dataclass
class Api:
    """A test client and a token per person: coordinator, two agents, an author, an ISA."""

    client: TestClient
    container: Container
    sms: FakeSms
    tokens: dict[str, str]
    ids: dict[str, int]

    def headers(self, who: str) -> dict[str, str]:
        """Authorization for ``who``."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, url: str, who: str = "coordinator", **kw: Any) -> Any:
        """GET as ``who``; the JSON answer, asserting 200."""
        answer = self.client.get(url, headers=self.headers(who), **kw)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def lead(self, who: str = "coordinator", **body: Any) -> dict[str, Any]:
        """POST /leads; the JSON answer, asserting 201."""
        answer = self.client.post("/leads", json=body, headers=self.headers(who))
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database under test."""
    name: str = request.param
    if name == "postgres":
        _needs_postgres()
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("leads-template") / "isa.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL schema for the session."""
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
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def scripts_dir(tmp_path: Path) -> Path:
    """A copy of the shipped scripts: tests upload and publish versions into it."""
    target = tmp_path / "scripts"
    shutil.copytree(REPO / "scripts", target, ignore=shutil.ignore_patterns("published"))
    return target


PEOPLE = {
    "coordinator": Role.COORDINATOR,
    "dana": Role.AGENT,
    "eli": Role.AGENT,
    "author": Role.AUTHOR,
    "isa": Role.ISA,
}


@pytest.fixture
def api(database_url: str, scripts_dir: Path) -> Iterator[Api]:
    """The app on the database under test, with one user of each kind and a campaign."""
    # the opening goes at once, as ISA_AUTO_APPROVE=opening would have it: tests see the text
    settings = Settings(database_url=database_url, scripts_dir=scripts_dir, auto_approve="opening")
    app = create_app(settings, clock=lambda: NOW, migrate=False)
    container: Container = app.state.container
    sms = FakeSms()
    container.extras["sms"] = sms
    tokens, ids = {}, {}
    with container.uow() as uow:
        for who, role in PEOPLE.items():
            user = create_user(
                uow, email=f"{who}@example.com", name=f"{who.title()} Test", role=role, at=NOW
            )
            _, tokens[who] = issue_token(uow, user, name="test", at=NOW, actor_id=None)
            ids[who] = user.id
        uow.session.add(Campaign(name="buyer_nurture", version=1, created_at=NOW))
        uow.commit()
    with TestClient(app) as client:
        yield Api(client, container, sms, tokens, ids)
    container.engine.dispose()
