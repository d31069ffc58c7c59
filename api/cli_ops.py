"""Operator commands: `isa serve`, `isa db upgrade`, `isa users create`, `isa tokens create`."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from adapters import clock
from adapters.storage.migrate import upgrade
from adapters.storage.orm import User
from adapters.storage.vocab import Role
from api.accounts import create_user, issue_token
from api.settings import Settings
from isa_engine.errors import IsaError

db_app = typer.Typer(help="The database.", no_args_is_help=True)
users_app = typer.Typer(help="Users.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Processes (PostgreSQL only).")] = 1,
) -> None:
    """Run the service (on the embedded SQLite default it migrates the database itself)."""
    import uvicorn

    settings = Settings()
    if workers > 1 and settings.embedded:
        raise _fail("several workers need PostgreSQL (ISA_DATABASE_URL): SQLite has one writer")
    if settings.embedded:
        upgrade(settings.database_url)
    where = "Twilio" if settings.twilio_enabled else "the console (no Twilio credentials set)"
    out.print(
        f"isa-engine on http://{host}:{port} · database {settings.database_url} · "
        f"texts go to {where}"
    )
    # a factory: each worker process builds its own app (engine, pool) from the environment
    uvicorn.run("api.app:create_app", host=host, port=port, workers=workers, factory=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to ISA_DATABASE_URL (or the embedded SQLite file)."""
    settings = Settings()
    upgrade(settings.database_url)
    out.print(f"database at {settings.database_url} is up to date")


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
    settings = Settings()
    secret = getpass.getpass("password: ") if password else None
    from api.app import create_app

    container = create_app(settings, migrate=settings.embedded).state.container
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


@tokens_app.command("create")
def tokens_create(email: Annotated[str, typer.Argument(help="Whose token.")]) -> None:
    """Print a new API token for an existing user."""
    from api.app import create_app

    settings = Settings()
    container = create_app(settings, migrate=settings.embedded).state.container
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
