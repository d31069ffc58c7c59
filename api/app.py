"""``create_app``: the composition root. Nothing is built at import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from anyio import to_thread
from fastapi import FastAPI

from adapters import clock as wall_clock
from adapters.rule_files import load_routing, load_rules
from adapters.script_files import FileScriptStore, default_root
from adapters.storage.engine import POOL_CAPACITY, make_engine
from adapters.storage.migrate import upgrade
from adapters.storage.unit_of_work import session_factory
from api import boot
from api.body_limit import BodyLimit
from api.container import Container
from api.errors import install_error_handlers
from api.routes import auth, conversations, dev, health, leads, queue, scripts, sms, voice
from api.security_headers import SecurityHeaders
from api.services import drip
from api.services.dispatch import worker_for
from api.services.policy import ApprovalPolicy
from api.services.worker import BackgroundWorker
from api.settings import Settings
from isa_engine import persona
from isa_engine.errors import ScriptError
from isa_engine.reading import read


def warm_up(now: datetime) -> None:
    """Read a text and check a reply once, so what both load lazily is loaded."""
    read("yes, 3 bed 2 bath in Austin or Round Rock under $400k, call me tomorrow at 3", None, now)
    persona.check("Great! Which areas are you looking in?", "Dana")


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    migrate: bool | None = None,
    console: bool = True,
) -> FastAPI:
    """The web app for ``settings``; the embedded SQLite default migrates itself.

    ``console=False`` leaves the web console (its routes, templates and static files) out:
    the commands that only want the container (``isa worker``, ``isa users create``…)
    never import it.
    """
    settings = settings or Settings()
    policy = ApprovalPolicy.parse(settings.auto_approve)  # a bad ISA_AUTO_APPROVE stops here
    rules = load_rules(settings.rules_dir)  # so do bad quiet-hours rules
    if rules.override is not None and not settings.dev_phone:
        path, line, col = rules.override.rsplit(":", 2)
        raise ScriptError(
            path,
            int(line),
            int(col),
            "dev_override ignores quiet hours: only for trying the product with the simulated "
            "phone (ISA_DEV_PHONE=true, never with Twilio); use the rules folder without it",
        )
    # bad routing rules stop here too, each problem located (file:line:col)
    routing = load_routing(settings.routing_file) if settings.routing_file else None
    if migrate if migrate is not None else settings.embedded:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    container = Container(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        clock=clock or (wall_clock.ShiftedClock() if settings.dev_phone else wall_clock.now),
        scripts=FileScriptStore(settings.scripts_dir or default_root()),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # blocking work (every turn) runs on anyio's thread pool: no more threads than the
        # database pool has connections, as more only wait for one while they contend for
        # the GIL (under load 40 threads starved uvicorn's health ping and got processes killed)
        to_thread.current_default_thread_limiter().total_tokens = POOL_CAPACITY
        # load the reader's word lists now, once: else the first texts after a start wait
        # seconds for them, each thread loading its own copy
        await to_thread.run_sync(warm_up, container.clock())
        boot.started()  # what start-up built stays; the collector's passes skip it
        background = BackgroundWorker(worker_for(container))
        if settings.worker_in_process:
            background.start()
        yield
        background.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="isa-engine",
        version="0.1.0",
        description="Follow up real-estate leads by text message.",
    )
    container.extras["approval_policy"] = policy
    container.extras["rules"] = rules
    if routing is not None:
        container.extras["routing"] = routing
    drip.check_drips(container)  # a script naming a campaign that is not there stops here
    app.state.container = container
    install_error_handlers(app)
    for router in (
        auth.router,
        leads.router,
        scripts.router,
        sms.router,
        queue.router,
        conversations.router,
        dev.router,
        voice.router,
        health.router,
    ):
        app.include_router(router)
    if console:
        from api import web  # the console: /console pages and their static files

        web.install(app)
    app.add_middleware(BodyLimit)  # before any body is read: webhooks are checked unparsed
    app.add_middleware(SecurityHeaders)  # CSP on the console, nosniff everywhere
    return app
