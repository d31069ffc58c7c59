"""The running service through HTTP, on SQLite always and on PostgreSQL when configured.

The databases come from ``tests/storage/conftest.py`` (a migrated SQLite copy
per test; one fresh PostgreSQL schema per session, emptied between tests).
``Service`` wraps a TestClient with what the tests need: users and tokens,
leads with a started conversation, signed Twilio posts, a settable clock, and
the console SMS adapter that records what was sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from adapters.console_sms import ConsoleSms
from adapters.storage.orm import Contact, Inquiry
from adapters.storage.vocab import Role
from api.accounts import create_user, issue_token
from api.app import create_app
from api.container import Container
from api.services import outbox
from api.services.turns import start_conversation
from api.settings import Settings
from tests.storage.conftest import (  # noqa: F401 - fixtures, shared with the storage suite
    backend,
    database_url,
    postgres_url,
    sqlite_template,
)

AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
ACCOUNT = "AC" + "1" * 32
PUBLIC_URL = "https://isa.example.com"
T0 = datetime(2037, 11, 23, 16, 0, tzinfo=UTC)  # 10:00 in Austin


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)

    def advance_to(self, when: datetime) -> None:
        """Move time forward to ``when`` (never back): what ``POST /dev/clock`` asks of it."""
        self.now = max(self.now, when)


@dataclass
class Service:
    """The app under test and the helpers that drive it."""

    client: TestClient
    clock: Clock
    sms: ConsoleSms
    _sids: int = field(default=0)

    @property
    def container(self) -> Container:
        """The app's composition root."""
        container: Container = self.client.app.state.container  # type: ignore[attr-defined]
        return container

    def user(
        self, email: str, role: Role, first: str | None = None, last: str | None = None
    ) -> tuple[int, dict[str, str]]:
        """A user and the headers that sign in as them."""
        with self.container.uow() as uow:
            name = " ".join(p for p in (first, last) if p) or email.split("@")[0]
            user = create_user(
                uow,
                email=email,
                name=name,
                role=role,
                at=self.clock(),
                first_name=first,
                last_name=last,
            )
            _, token = issue_token(uow, user, name="test", at=self.clock(), actor_id=None)
            uow.commit()
            return user.id, {"Authorization": f"Bearer {token}"}

    def lead(self, phone: str, first: str, agent_id: int | None, script: str = "buyer") -> int:
        """A new lead owned by ``agent_id`` whose conversation has started; the contact id."""
        with self.container.uow() as uow:
            contact, _ = uow.contacts.get_or_create(phone, at=self.clock(), first_name=first)
            uow.session.add(
                Inquiry(
                    contact_id=contact.id,
                    source="Website",
                    inquiry_type="Contact",
                    owner_id=agent_id,
                    received_at=self.clock(),
                )
            )
            result = start_conversation(
                self.container, uow, contact.id, script_ref=script, agent_id=agent_id, actor_id=None
            )
            uow.commit()
        outbox.deliver(self.container, result.outbound_ids)
        return contact.id

    def next_sid(self) -> str:
        """A fresh Twilio-looking MessageSid."""
        self._sids += 1
        return f"SM{self._sids:032x}"

    def signed(self, path: str, params: dict[str, str]) -> dict[str, str]:
        """Headers with a real Twilio signature of ``params`` for ``path``."""
        sig = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, params)
        return {"X-Twilio-Signature": sig}

    def inbound(self, phone: str, body: str, sid: str | None = None) -> Any:
        """Twilio posts a lead's text, correctly signed."""
        params = {
            "MessageSid": sid or self.next_sid(),
            "From": phone,
            "To": "+15125550100",
            "Body": body,
            "AccountSid": ACCOUNT,
            "NumMedia": "0",
        }
        return self.client.post(
            "/sms/inbound", data=params, headers=self.signed("/sms/inbound", params)
        )

    def texted(self, phone: str) -> list[str]:
        """Every text the console sent to ``phone``, in order."""
        return [t.body for t in self.sms.sent if t.to == phone]


ServiceFactory = Callable[..., Service]


@pytest.fixture
def make_service(database_url: str) -> Iterator[ServiceFactory]:  # noqa: F811 - a fixture
    """Builds the service on the database under test; ``twilio=False`` gives the dev phone."""
    clients: list[TestClient] = []

    def build(*, twilio: bool = True, **settings: Any) -> Service:
        base: dict[str, Any] = {"database_url": database_url, "public_url": PUBLIC_URL}
        if twilio:
            base.update(twilio_account_sid=ACCOUNT, twilio_auth_token=AUTH_TOKEN)
        else:
            base.update(dev_phone=True)
        clock = Clock()
        app = create_app(Settings(**{**base, **settings}), clock=clock, migrate=False)
        sms = ConsoleSms(echo=False)
        app.state.container.extras["sms"] = sms
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return Service(client, clock, sms)

    yield build
    for client in clients:
        client.__exit__(None, None, None)
        client.app.state.container.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def service(make_service: ServiceFactory) -> Service:
    """The service with Twilio configured (signed webhooks), every suggestion to the ISA queue."""
    return make_service()


@pytest.fixture
def dev_service(make_service: ServiceFactory) -> Service:
    """The service without Twilio, with the simulated phone on."""
    return make_service(twilio=False)


def contact_row(svc: Service, contact_id: int) -> Contact:
    """The contact as stored now."""
    with svc.container.uow(read_only=True) as uow:
        found = uow.contacts.get(contact_id)
        assert found is not None
        return found
