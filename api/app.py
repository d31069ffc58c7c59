"""``create_app``: the composition root. Nothing is built at import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI

from adapters import clock as wall_clock
from adapters.script_files import FileScriptStore, default_root
from adapters.storage.engine import make_engine
from adapters.storage.migrate import upgrade
from adapters.storage.unit_of_work import session_factory
from api.container import Container
from api.errors import install_error_handlers
from api.routes import auth, conversations, dev, leads, queue, scripts, sms
from api.services.policy import ApprovalPolicy
from api.settings import Settings


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    migrate: bool | None = None,
) -> FastAPI:
    """The web app for ``settings``; the embedded SQLite default migrates itself."""
    settings = settings or Settings()
    policy = ApprovalPolicy.parse(settings.auto_approve)  # a bad ISA_AUTO_APPROVE stops here
    if migrate if migrate is not None else settings.embedded:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    container = Container(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        clock=clock or wall_clock.now,
        scripts=FileScriptStore(settings.scripts_dir or default_root()),
    )
    app = FastAPI(
        title="isa-engine",
        version="0.1.0",
        description="Follow up real-estate leads by text message.",
    )
    container.extras["approval_policy"] = policy
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
    ):
        app.include_router(router)
    return app
