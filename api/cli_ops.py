"""Operator commands: `isa serve`, `isa db upgrade`, `isa users create`, `isa tokens create`."""

from __future__ import annotations

import getpass
import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.console import Console

from adapters import clock
from adapters.storage.vocab import Role
from api import boot
from isa_engine.errors import IsaError, ScriptError

if TYPE_CHECKING:
    from adapters.storage.orm import User
    from api.settings import Settings

# Each command imports what it uses: the storage, the settings and the web app load only
# for the commands that need them (`isa scripts …` and `isa nlu …` never do).

db_app = typer.Typer(help="The database.", no_args_is_help=True)
users_app = typer.Typer(help="Users.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Processes (PostgreSQL only).")] = 1,
    rules: Annotated[
        Path | None,
        typer.Option(
            help="Folder of quiet-hours and caps rules (ISA_RULES_DIR; default ./rules). "
            "rules/dev: try the product at any hour, with the simulated phone only."
        ),
    ] = None,
    routing: Annotated[
        Path | None,
        typer.Option(
            help="Routing rules (ISA_ROUTING_FILE), e.g. rules/routing.yaml; without it new "
            "leads wait for a coordinator."
        ),
    ] = None,
) -> None:
    """Run the service (on the embedded SQLite default it migrates the database itself)."""
    import uvicorn

    from adapters.storage.migrate import upgrade

    if rules is not None:
        os.environ["ISA_RULES_DIR"] = str(rules)  # the workers build their apps from it
    if routing is not None:
        os.environ["ISA_ROUTING_FILE"] = str(routing)
    settings = _settings_or_exit()
    if workers > 1 and settings.embedded:
        raise _fail("several workers need PostgreSQL (ISA_DATABASE_URL): SQLite has one writer")
    if settings.embedded:
        upgrade(settings.database_url)
    in_process = settings.embedded and "ISA_WORKER_IN_PROCESS" not in os.environ
    if in_process:
        os.environ["ISA_WORKER_IN_PROCESS"] = "true"  # one process: timers and sends run here
        settings = settings.model_copy(update={"worker_in_process": True})
    # built here, so a bad rules file, policy or script stops isa serve with one located line
    # each and no traceback; one process serves this very app, several build their own
    app = _checked_app(settings)
    where = "Twilio" if settings.twilio_enabled else "the console (no Twilio credentials set)"
    out.print(
        f"isa-engine on http://{host}:{port} · database {_shown(settings.database_url)} · "
        f"texts go to {where}"
    )
    _print_drafts(settings.scripts_dir)
    _print_routing(app.state.container)
    if in_process:
        out.print("due jobs (timers, sends) run in this process")
    target: Any = app
    if workers > 1:  # a factory: each worker process builds its own app (engine, pool)
        app.state.container.engine.dispose()
        target = "api.app:create_app"
    uvicorn.run(
        target,
        host=host,
        port=port,
        workers=workers,
        factory=workers > 1,
        # a process busy with a burst of texts may answer uvicorn's ping late; killing it
        # then (the default allows 5 s) drops its requests and restarts it into the same load
        timeout_worker_healthcheck=30,
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,  # ISA_TRUSTED_PROXIES
    )


def _settings_or_exit() -> Settings:
    """The settings from the environment, or each bad one on a line and exit 1."""
    from pydantic import ValidationError

    from api.settings import Settings

    try:
        return Settings()
    except ValidationError as e:
        for problem in e.errors():
            where = ".".join(str(p) for p in problem["loc"])
            name = f"ISA_{where.upper()}: " if where else ""
            message = str(problem["msg"]).removeprefix("Value error, ")
            err.print(f"error: {name}{message}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _checked_app(settings: Settings) -> Any:
    """The app for ``settings``, or each located error (``file:line:col: what``) on its own
    line and exit 1: what would stop the app stops ``isa serve`` here, without a traceback."""
    from api.app import create_app

    try:
        return create_app(settings, migrate=False)
    except ScriptError as e:  # rules, scripts, campaigns: each error on its own line
        for line in str(e).splitlines():
            err.print(line, highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except (IsaError, ValueError) as e:  # ValueError: a bad ISA_AUTO_APPROVE
        err.print(f"error: {e}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _print_routing(container: Any) -> None:
    """Say whether leads are routed, and name each agent the rules name who cannot be offered
    a lead (no such active agent yet), located: routing passes them by until they exist."""
    from adapters.rule_files import load_routing
    from api.services.routing import active_agents, routing_of

    routing = routing_of(container)
    path = container.settings.routing_file
    if routing is None or path is None:
        out.print("routing: off (ISA_ROUTING_FILE unset): new leads wait for a coordinator")
        return
    out.print(f"routing: {len(routing.rules)} rules from {path}", highlight=False)
    with container.uow(read_only=True) as uow:
        agents = active_agents(uow)
    try:
        load_routing(path, agents)
    except ScriptError as e:
        for line in str(e).splitlines():
            err.print(
                f"note: {line} (passed by until created)",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )


def _print_drafts(scripts: Path | None) -> None:
    """Name the drafts at start-up: versions on disk that no lead gets until published."""
    from adapters.script_files import catalogue, default_root

    try:
        found = catalogue(scripts or default_root())
    except OSError:
        return  # no scripts folder: the app says so when it needs one
    drafts = [f"{name}@{v.version}" for name, vs in found.items() for v in vs if v.state == "draft"]
    if drafts:
        out.print(
            f"drafts (no lead gets them until published: isa scripts publish NAME@N): "
            f"{', '.join(drafts)}",
            highlight=False,
        )


def worker(
    idle: Annotated[float, typer.Option(help="Seconds between polls when nothing is due.")] = 0.5,
    batch: Annotated[int, typer.Option(help="Jobs claimed at a time.")] = 50,
    lease: Annotated[
        float, typer.Option(help="Seconds a claimed job is this worker's before others retry it.")
    ] = 300.0,
    parked: Annotated[bool, typer.Option("--parked", help="List parked jobs and exit.")] = False,
) -> None:
    """Run due jobs (timers, sends) until stopped; run as many as you like on PostgreSQL."""
    import signal

    from api.app import create_app
    from api.services.dispatch import handlers
    from api.services.worker import Worker
    from api.settings import Settings

    settings = Settings()
    container = create_app(settings, migrate=settings.embedded, console=False).state.container
    if parked:
        with container.uow(read_only=True) as uow:
            for job in uow.jobs.parked():
                out.print(
                    f"{job.id}\t{job.kind}\tattempts {job.attempts}\t{job.payload}\t"
                    f"{job.last_error or ''}",
                    highlight=False,
                    markup=False,
                )
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    runner = Worker(container, handlers(), batch=batch, lease=timedelta(seconds=lease))
    out.print(f"worker {runner.name} on {_shown(settings.database_url)}: Ctrl-C stops it")
    boot.started()  # a long-lived process: the collector as usual from here
    runner.run_until(stop, idle)


def publish_script(scripts: Path | None, name: str, version: int) -> int:
    """``isa scripts publish``: the marker written and the audit entry recorded (no actor: the
    command line); returns the version live before."""
    from api.app import create_app
    from api.services import scripts as versions
    from api.settings import Settings

    settings = Settings()
    if scripts is not None:
        settings = settings.model_copy(update={"scripts_dir": scripts})
    container = create_app(settings, migrate=settings.embedded, console=False).state.container
    try:
        with container.uow() as uow:
            previous = versions.publish(container, uow.session, name, version, actor_id=None)
            uow.commit()
    finally:
        container.engine.dispose()
    return previous


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to ISA_DATABASE_URL (or the embedded SQLite file)."""
    from adapters.storage.migrate import HEAD, current_revision, upgrade
    from api.settings import Settings

    settings = Settings()
    before = current_revision(settings.database_url)
    upgrade(settings.database_url)
    where = _shown(settings.database_url)
    if before == HEAD:
        out.print(f"database at {where} was up to date ({HEAD}): nothing to do")
    else:
        out.print(f"database at {where} migrated from {before or 'empty'} to {HEAD}")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="Sign-in e-mail.")],
    role: Annotated[Role, typer.Option(help="admin, coordinator, isa, agent or author.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    password: Annotated[
        bool, typer.Option(help="Ask for a password (else token sign-in only).")
    ] = False,
    last_name: Annotated[
        str | None, typer.Option(help="An agent's last name (kept out of texts).")
    ] = None,
    cell: Annotated[
        str | None, typer.Option(help="An agent's cell phone (calls ring through).")
    ] = None,
) -> None:
    """Create a user, and print an API token for them."""
    from api.accounts import create_user, issue_token
    from api.app import create_app
    from api.settings import Settings

    settings = Settings()
    secret = getpass.getpass("password: ") if password else None

    container = create_app(settings, migrate=settings.embedded, console=False).state.container
    try:
        with container.uow() as uow:
            user = create_user(
                uow,
                email=email,
                name=name,
                role=role,
                password=secret,
                at=clock.now(),
                last_name=last_name,
                cell_phone=cell,
            )
            _, token = issue_token(uow, user, name="cli", at=clock.now(), actor_id=None)
            uow.commit()
    except IsaError as e:
        raise _fail(str(e)) from None
    out.print(f"created {role.value} {email} (id {user.id}); API token (shown once):")
    print(token)


def _container() -> Any:
    from api.app import create_app
    from api.settings import Settings

    settings = Settings()
    return create_app(settings, migrate=settings.embedded).state.container


def _user(uow: Any, email: str) -> User:
    from sqlalchemy import select

    from adapters.storage.orm import User

    user = uow.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise _fail(f"no user {email}")
    return cast(User, user)


@users_app.command("list")
def users_list() -> None:
    """Every user: id, e-mail, role, whether active, name."""
    from sqlalchemy import select

    from adapters.storage.orm import User

    with _container().uow(read_only=True) as uow:
        for u in uow.session.scalars(select(User).order_by(User.id)):
            state = "active" if u.active else "disabled"
            print(f"{u.id}\t{u.email}\t{u.role}\t{state}\t{u.name}")  # tab-separated


@users_app.command("disable")
def users_disable(email: Annotated[str, typer.Argument(help="Who.")]) -> None:
    """Disable a user: no sign-in, and every token and console session revoked at once."""
    from api.accounts import set_active

    container = _container()
    with container.uow() as uow:
        revoked = set_active(uow, _user(uow, email), active=False, at=clock.now(), actor_id=None)
        uow.commit()
    out.print(f"{email} disabled; {revoked} token(s) and session(s) revoked")


@users_app.command("enable")
def users_enable(email: Annotated[str, typer.Argument(help="Who.")]) -> None:
    """Enable a disabled user again (their old tokens stay revoked)."""
    from api.accounts import set_active

    container = _container()
    with container.uow() as uow:
        set_active(uow, _user(uow, email), active=True, at=clock.now(), actor_id=None)
        uow.commit()
    out.print(f"{email} enabled")


@users_app.command("away")
def users_away(
    email: Annotated[str, typer.Argument(help="Which agent.")],
    back: Annotated[bool, typer.Option("--back", help="Back: offered leads again.")] = False,
) -> None:
    """Mark an agent away: the routing rules offer them no lead until they are back (--back)."""
    from api.accounts import set_away

    container = _container()
    with container.uow() as uow:
        user = _user(uow, email)
        if user.role != Role.AGENT:
            raise _fail(f"{email} is a {user.role}, not an agent: only agents are routed")
        set_away(uow, user, away=not back, at=clock.now(), actor_id=None)
        uow.commit()
    out.print(f"{email} {'back: offered leads again' if back else 'away: offered no leads'}")


@tokens_app.command("list")
def tokens_list(
    email: Annotated[str | None, typer.Argument(help="Whose (default: everyone's).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Revoked and expired ones too.")] = False,
) -> None:
    """Tokens and console sessions: id, owner, name, created, last used, expires, state."""
    from sqlalchemy import select

    from adapters.storage.orm import ApiToken, User
    from api.accounts import token_state

    now = clock.now()
    with _container().uow(read_only=True) as uow:
        query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id)
        if email:
            query = query.where(User.email == email.strip().lower())
        for row, owner in uow.session.execute(query.order_by(ApiToken.id)):
            state = token_state(row, now)
            if state != "live" and not all_:
                continue
            kind = "session" if row.console else "token"
            used = row.last_used_at.isoformat(timespec="minutes") if row.last_used_at else "never"
            ends = row.expires_at.isoformat(timespec="minutes") if row.expires_at else "never"
            print(
                f"{row.id}\t{owner}\t{kind}\t{row.name}\t"
                f"{row.created_at.isoformat(timespec='minutes')}\tused {used}\t"
                f"expires {ends}\t{state}"
            )


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The id `isa tokens list` shows.")],
) -> None:
    """Revoke one token or console session."""
    from adapters.storage import audit
    from adapters.storage.orm import ApiToken

    with _container().uow() as uow:
        row = uow.session.get(ApiToken, token_id)
        if row is None:
            raise _fail(f"no token {token_id}")
        if row.revoked_at is None:
            row.revoked_at = clock.now()
            audit.record(
                uow.session,
                actor_id=None,
                action="token.revoke",
                subject=("user", row.user_id),
                at=clock.now(),
                token_id=token_id,
            )
            uow.commit()
    out.print(f"token {token_id} revoked")


@users_app.command("unlock")
def users_unlock(email: Annotated[str, typer.Argument(help="Whose sign-in to unlock.")]) -> None:
    """Lift a sign-in lockout (after too many wrong passwords) and its delay."""
    from sqlalchemy import select

    from adapters.storage.orm import User
    from api import sign_in
    from api.app import create_app
    from api.settings import Settings

    settings = Settings()
    container = create_app(settings, migrate=settings.embedded).state.container
    with container.uow() as uow:
        user = uow.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise _fail(f"no user {email}")
        was = sign_in.unlock(container, uow, user, None)
        uow.commit()
    out.print(f"{email}: {'unlocked' if was else 'was not locked'}")


@tokens_app.command("create")
def tokens_create(email: Annotated[str, typer.Argument(help="Whose token.")]) -> None:
    """Print a new API token for an existing user."""
    from sqlalchemy import select

    from adapters.storage.orm import User
    from api.accounts import issue_token
    from api.app import create_app
    from api.settings import Settings

    settings = Settings()
    container = create_app(settings, migrate=settings.embedded, console=False).state.container
    with container.uow() as uow:
        user = uow.session.execute(
            select(User).where(User.email == email.lower())
        ).scalar_one_or_none()
        if user is None:
            raise _fail(f"no user {email}: isa users create {email} --role … --name …")
        _, token = issue_token(uow, user, name="cli", at=clock.now(), actor_id=None)
        uow.commit()
    print(token)


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(1)


def _shown(url: str) -> str:
    """A database URL as printed: its password hidden (``***``)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
