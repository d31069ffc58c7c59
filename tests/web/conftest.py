"""The console in a real browser: a real uvicorn server on a free loopback port, Chromium from
the operating system's packages driven by Playwright, headless.

Without Chromium (or Playwright) the browser tests skip and say why; under CI
(``CI`` set) they fail instead, so CI always runs them (``.ci/run`` installs
Chromium). Each test gets its own server on its own SQLite file and its own
copy of the scripts folder, so an author's upload never touches the checkout.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from adapters.console_sms import ConsoleSms
from adapters.storage.orm import Inquiry
from adapters.storage.vocab import Role
from api.accounts import create_user
from api.app import create_app
from api.container import Container
from api.services import outbox
from api.services.turns import start_conversation
from api.settings import Settings
from tests.storage.conftest import sqlite_template  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
# ISA_SCREENSHOTS=docs refreshes the README's screenshots; otherwise they go to a temporary
# folder, so a test run leaves the checkout as it found it
SHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("ISA_SCREENSHOTS") == "docs"
    else Path(tempfile.gettempdir()) / "isa-screenshots"
)
PASSWORD = "correct horse battery"
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PHONE = {"width": 390, "height": 844}
OFFICE_HOURS = datetime(2037, 11, 23, 16, 0, tzinfo=UTC)  # Monday 10:00 in Austin
EVENING = datetime(2037, 11, 24, 3, 30, tzinfo=UTC)  # Monday 21:30 in Austin: quiet hours


def chromium_path() -> str | None:
    """``ISA_TEST_CHROMIUM`` if set, else Debian's Chromium; None when there is none."""
    chosen = os.environ.get("ISA_TEST_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    for path in CHROMIUM_PATHS:
        if Path(path).is_file():
            return path
    return shutil.which("chromium")


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests: .ci/run installs Chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("Playwright is not installed: pip install -e '.[dev]'")
    path = chromium_path()
    if path is None:
        _skip_or_fail("no Chromium: apt-get install -y chromium (or set ISA_TEST_CHROMIUM)")
    with sync_playwright() as pw:
        found = pw.chromium.launch(executable_path=path, headless=True)
        yield found
        found.close()


def office_hours_clock(start: datetime = OFFICE_HOURS) -> Callable[[], datetime]:
    """Time that runs at the wall clock's pace from ``start`` (Monday 10:00 in Austin), so
    quiet hours never hold a text back whenever the tests run."""
    started = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - started)


@pytest.fixture
def clock_start() -> datetime:
    """When the console's clock starts; a test may parametrize it (e.g. with ``EVENING``)."""
    return OFFICE_HOURS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Console:
    """A running server, its container and helpers to set up users and leads."""

    url: str
    container: Container
    sms: ConsoleSms
    users: dict[str, int] = field(default_factory=dict)

    def user(self, email: str, role: Role, name: str) -> int:
        """A user who signs in with ``PASSWORD``."""
        with self.container.uow() as uow:
            made = create_user(
                uow,
                email=email,
                name=name,
                role=role,
                at=self.container.clock(),
                password=PASSWORD,
            )
            uow.commit()
            self.users[email] = made.id
            return made.id

    def lead(self, phone: str, first: str, agent_id: int | None, source: str = "Website") -> int:
        """A lead whose conversation has started (its opening waits in the ISA queue)."""
        c = self.container
        with c.uow() as uow:
            contact, _ = uow.contacts.get_or_create(phone, at=c.clock(), first_name=first)
            uow.session.add(
                Inquiry(
                    contact_id=contact.id,
                    source=source,
                    inquiry_type="Contact",
                    owner_id=agent_id,
                    received_at=c.clock(),
                )
            )
            result = start_conversation(
                c, uow, contact.id, script_ref="buyer", agent_id=agent_id, actor_id=None
            )
            uow.commit()
        outbox.deliver(c, result.outbound_ids)
        return contact.id


@pytest.fixture
def console(
    tmp_path: Path,
    sqlite_template: Path,  # noqa: F811
    clock_start: datetime,
) -> Iterator[Console]:
    """``isa serve`` as a developer runs it: uvicorn, SQLite, the simulated phone on."""
    db = tmp_path / "isa.db"
    shutil.copyfile(sqlite_template, db)
    scripts = tmp_path / "scripts"
    shutil.copytree(REPO / "scripts", scripts)
    settings = Settings(database_url=f"sqlite:///{db}", dev_phone=True, scripts_dir=scripts)
    app = create_app(settings, migrate=False, clock=office_hours_clock(clock_start))
    sms = ConsoleSms(echo=False)
    app.state.container.extras["sms"] = sms
    port = _free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=1,
        loop="asyncio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the console's server did not start")
        time.sleep(0.02)
    yield Console(f"http://127.0.0.1:{port}", app.state.container, sms)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.container.engine.dispose()


@dataclass
class Tab:
    """A browser page that records console errors; ``shot`` saves <SHOTS>/<name>.png."""

    page: Any
    base: str
    errors: list[str]

    def go(self, path: str) -> None:
        """Open a console path."""
        self.page.goto(self.base + path)

    def sign_in(self, email: str) -> None:
        """Sign in through the form, as a person does."""
        self.go("/console/sign-in")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def settled(self) -> None:
        """Wait until htmx has swapped and wired up what it fetched (a person is never faster)."""
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )
        self.page.wait_for_timeout(50)

    def shot(self, name: str) -> None:
        """A documentation screenshot of what the page shows now."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def tab_factory(browser: Any, console: Console) -> Iterator[Any]:
    """Opens pages (each in its own context: its own cookies) at a size; asserts no console
    errors on any of them at the end."""
    contexts: list[Any] = []
    tabs: list[Tab] = []

    def open_tab(width: int = 1280, height: int = 860) -> Tab:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on(
            "console",
            lambda m: (
                errors.append(f"{m.text} at {m.location.get('url')}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        if os.environ.get("ISA_WEB_DEBUG"):
            page.on("request", lambda r: print("REQ", time.monotonic(), r.method, r.url))
            page.on("console", lambda m: print("CONSOLE", m.type, m.text))
        tab = Tab(page, console.url, errors)
        tabs.append(tab)
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    for tab in tabs:
        assert tab.errors == [], f"console errors: {tab.errors}"
