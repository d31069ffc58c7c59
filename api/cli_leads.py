"""``isa leads import FILE.csv``: load a lead list with a progress bar and a report of every
rejected row; ``isa leads intake-token EMAIL``: a token for a web-form integration."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from adapters import clock
from adapters.storage.vocab import Role

if TYPE_CHECKING:  # the commands import the storage and the app when they run, not `isa`
    from api.container import Container
    from api.services import csv_import

leads_app = typer.Typer(help="Leads: import lists, web-form tokens.", no_args_is_help=True)
err = Console(stderr=True)


def _container() -> Container:
    from api.app import create_app  # late: building the app reads the settings
    from api.settings import Settings

    settings = Settings()
    app = create_app(settings, migrate=settings.embedded, console=False)
    container: Container = app.state.container
    return container


def _user_id(container: Container, email: str, *, agent: bool) -> int:
    from sqlalchemy import select

    from adapters.storage.orm import User

    with container.uow(read_only=True) as uow:
        user = uow.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or (agent and user.role != Role.AGENT):
        what = "agent" if agent else "user"
        err.print(f"[red]error:[/red] no {what} {email}: isa users create {email} --role agent")
        raise typer.Exit(2)
    return user.id


@leads_app.command("import")
def import_csv(
    file: Annotated[
        Path,
        typer.Argument(help="CSV, UTF-8, first line the headers.", exists=True, dir_okay=False),
    ],
    map: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=FIELD (repeatable; COLUMN= ignores a column)."),
    ] = None,
    owner: Annotated[str | None, typer.Option(help="E-mail of the agent who owns them.")] = None,
    script: Annotated[
        str | None, typer.Option(help="Script for --start (default by type).")
    ] = None,
    start: Annotated[bool, typer.Option(help="Text each new lead now.")] = False,
    rejects: Annotated[Path | None, typer.Option(help="Write rejected rows to this CSV.")] = None,
    actor: Annotated[str | None, typer.Option(help="Your e-mail, for the audit log.")] = None,
) -> None:
    """Import leads; every rejected row is reported with its line and reason."""
    from api.services import csv_columns, csv_import

    container = _container()
    owner_id = _user_id(container, owner, agent=True) if owner else None
    actor_id = _user_id(container, actor, agent=False) if actor else None
    raw = file.read_bytes()
    try:  # the whole file first: a row that is not UTF-8 stops the import before it starts
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        err.print(
            f"[red]error:[/red] {file}:{line}: not UTF-8 (byte {e.start}): save the file as "
            "UTF-8 (nothing was imported)",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(2) from None
    total = max(raw.count(b"\n") - 1, 0)  # lines, not records: close enough for a bar
    del raw
    began = time.perf_counter()
    try:
        with file.open(encoding="utf-8-sig", newline="") as stream:
            headers, records = csv_import.read_csv(stream)
            mapping = csv_columns.column_mapping(headers, map or ())
            report = _run(
                container,
                mapping,
                headers,
                records,
                total,
                owner_id,
                actor_id,
                file.name,
                script if start else None,
                start,
            )
    except (csv_columns.MappingError, UnicodeDecodeError) as e:
        err.print(f"[red]error:[/red] {file}: {e}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    seconds = time.perf_counter() - began
    for rejected in report.rejected:
        err.print(
            f"{file}:{rejected.line}: rejected: {rejected.reason}",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    if rejects is not None:
        with rejects.open("w", encoding="utf-8", newline="") as out:
            csv_import.write_rejects(out, headers, report.rejected)
    s = report.summary()
    err.print(
        f"read {s['read']}: {s['text']} in {seconds:.1f} s "
        f"({s['read'] / max(seconds, 1e-9):,.0f} rows/s)"
        + (f"; conversations started {s['started']}" if start else ""),
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
    for note in report.notes():
        err.print(f"{file}: {note}", highlight=False, soft_wrap=True, markup=False)
    print(", ".join(f"{k}={v}" for k, v in s.items() if k not in ("not_started", "text")))
    if report.rejected:
        raise typer.Exit(1)


def _run(
    container: Container,
    mapping: dict[str, str],
    headers: list[str],
    records: csv_import.Records,
    total: int,
    owner_id: int | None,
    actor_id: int | None,
    name: str,
    script: str | None,
    start: bool,
) -> csv_import.ImportReport:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from api.services import csv_import

    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=not sys.stderr.isatty()) as bar:
        task = bar.add_task("rows", total=total)
        importer = csv_import.Importer(
            container,
            mapping,
            actor_id=actor_id,
            owner_id=owner_id,
            source_name=name,
            on_progress=lambda n: bar.advance(task, n),
        )
        report = importer.run(records, headers)
    if start:
        importer.start_conversations(script)
    return report


@leads_app.command("intake-token")
def intake_token(
    email: Annotated[str, typer.Argument(help="The user the web form posts as.")],
) -> None:
    """Print a web-form token (shown once): it may POST /leads whatever the user's role, and
    nothing else; it never changes who owns or sees a known contact (docs/security.md)."""
    from sqlalchemy import select

    from adapters.storage.orm import User
    from api.accounts import issue_token
    from api.routes.leads import WEB_FORM_TOKEN

    container = _container()

    with container.uow() as uow:
        user = uow.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            err.print(f"[red]error:[/red] no user {email}")
            raise typer.Exit(2)
        _, token = issue_token(uow, user, name=WEB_FORM_TOKEN, at=clock.now(), actor_id=None)
        uow.commit()
    print(token)
