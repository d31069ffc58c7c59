"""``isa``: the command line. Wiring only; the work is in isa_engine and adapters."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from adapters import clock
from api import cli_leads, cli_ops
from isa_engine.errors import IsaError, ScriptError, ScriptErrors

if TYPE_CHECKING:
    from adapters.script_files import FileScriptStore

# Each command imports what it uses, so `isa scripts validate` loads no reader, `isa nlu
# parse` no script machinery, and neither the web app, the database nor Twilio's client.

app = typer.Typer(
    help="isa-engine: follow up real-estate leads by text message.", no_args_is_help=True
)
scripts_app = typer.Typer(
    help="Validate, show, compare, list and publish scripts.", no_args_is_help=True
)
nlu_app = typer.Typer(help="Read lead replies.", no_args_is_help=True)
rules_app = typer.Typer(
    help="Check quiet-hours, caps and routing rules files.", no_args_is_help=True
)
app.add_typer(scripts_app, name="scripts")
app.add_typer(rules_app, name="rules")
app.add_typer(nlu_app, name="nlu")
app.command()(cli_ops.serve)
app.command()(cli_ops.worker)
app.add_typer(cli_ops.db_app, name="db")
app.add_typer(cli_ops.users_app, name="users")
app.add_typer(cli_ops.tokens_app, name="tokens")
app.add_typer(cli_leads.leads_app, name="leads")

err = Console(stderr=True)
ScriptsDir = Annotated[
    Path,
    typer.Option(
        "--scripts",
        envvar="ISA_SCRIPTS_DIR",
        help="Folder of scripts (scripts/<name>/vN.yaml); default ./scripts.",
    ),
]
ApproveAfter = Annotated[
    str, typer.Option(help="How long the ISA takes to approve each reply (30s, 10m, 2h).")
]


def _duration(text: str) -> timedelta:
    from isa_engine.script import parse_duration

    try:
        return parse_duration(text)
    except ValueError as e:
        raise _fail(IsaError(str(e))) from None


def _store(root: Path | None) -> FileScriptStore:
    from adapters.script_files import FileScriptStore, default_root

    return FileScriptStore(root or default_root())


def _fail(e: IsaError) -> typer.Exit:
    err.print(f"[red]error:[/red] {e}", markup=True, highlight=False)
    return typer.Exit(1)


@app.command()
def chat(
    script: Annotated[str, typer.Argument(help="NAME or NAME@VERSION")] = "buyer",
    now: Annotated[str | None, typer.Option(help="Start time, ISO 8601 with offset.")] = None,
    contact: Annotated[str, typer.Option(help="The lead's first name.")] = "Alex",
    agent: Annotated[str, typer.Option(help="The agent's first name.")] = "Dana",
    approve_after: ApproveAfter = "0s",
    scripts: ScriptsDir = None,  # type: ignore[assignment]
) -> None:
    """Play a conversation in the terminal, you being the lead (/help for commands)."""
    from api import chat as chat_ui

    try:
        store = _store(scripts)
        found = store.get(script)
    except IsaError as e:
        raise _fail(e) from None
    start = datetime.fromisoformat(now) if now else clock.now()
    if start.tzinfo is None:
        raise _fail(IsaError("--now needs an offset, e.g. 2026-11-23T10:00-06:00"))
    delay = _duration(approve_after)
    chat_ui.run(
        found,
        contact=contact,
        agent=agent,
        start=start,
        approve_after=delay,
        translations=store.translations(found),
    )


@scripts_app.command("validate")
def scripts_validate(
    paths: Annotated[list[Path], typer.Argument(help="Script files or folders of them.")],
) -> None:
    """Check scripts and campaigns; print every error as file:line:col, exit non-zero if any."""
    from adapters.campaign_files import is_campaign_file, load_campaign_file
    from adapters.script_files import load_file
    from api import script_views

    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("v*.y*ml")) if path.is_dir() else [path]
    if not files:
        raise _fail(IsaError(f"no script files in {', '.join(map(str, paths))}"))
    out = Console()
    errors: list[ScriptError] = []
    for file in files:
        try:
            if is_campaign_file(file):
                campaign = load_campaign_file(file)
                out.print(f"[green]ok[/green] {file}: campaign {campaign.key}", highlight=False)
                continue
            script = load_file(file)
        except ScriptErrors as e:
            errors += e.errors
            continue
        except (ScriptError, OSError) as e:
            errors.append(e if isinstance(e, ScriptError) else ScriptError(str(file), 1, 1, str(e)))
            continue
        out.print(
            f"[green]ok[/green] {file}: {script.key}, {len(script.steps)} steps", highlight=False
        )
        for warning in script_views.segment_warnings(script):
            out.print(f"   [yellow]note[/yellow] {warning}", highlight=False)
    for error in errors:
        err.print(str(error), highlight=False, markup=False)
    if errors:
        err.print(f"{len(errors)} error(s) in {len({x.path for x in errors})} file(s)")
        raise typer.Exit(1)


@rules_app.command("validate")
def rules_validate(
    paths: Annotated[
        list[Path], typer.Argument(help="Rules folders (rules/), or files (rules/routing.yaml).")
    ],
    agents: Annotated[
        bool,
        typer.Option(
            "--agents", help="Also check that every agent named is an active agent in the database."
        ),
    ] = False,
) -> None:
    """Check rules files; print every error as file:line:col, exit non-zero if any.

    A folder is its quiet-hours and caps files together, and its routing.yaml if it has one;
    a file with "routing" in its name is routing rules."""
    from adapters.rule_files import ROUTING_STEM, load_routing, load_rules
    from isa_engine.policy.rules import parse_rules

    known: list[str] | None = _active_agents() if agents else None
    out = Console()
    errors: list[ScriptError] = []
    for path in paths:
        try:
            if path.is_dir():
                rules = load_rules(path)
                out.print(
                    f"[green]ok[/green] {path}: {len(rules.windows)} windows, "
                    f"{len(rules.caps)} caps",
                    highlight=False,
                )
                routing_files = sorted(path.glob(f"{ROUTING_STEM}.y*ml"))
            elif ROUTING_STEM in path.stem:
                routing_files = [path]
            else:
                rules = parse_rules([(path.read_text(encoding="utf-8"), str(path))])
                out.print(
                    f"[green]ok[/green] {path}: {len(rules.windows)} windows, "
                    f"{len(rules.caps)} caps",
                    highlight=False,
                )
                routing_files = []
            for file in routing_files:
                routing = load_routing(file, known)
                out.print(
                    f"[green]ok[/green] {file}: {len(routing.rules)} routing rules, "
                    f"{len(routing.groups)} groups",
                    highlight=False,
                )
        except ScriptErrors as e:
            errors += e.errors
        except (ScriptError, OSError) as e:
            errors.append(e if isinstance(e, ScriptError) else ScriptError(str(path), 1, 1, str(e)))
    for error in errors:
        err.print(str(error), highlight=False, markup=False)
    if errors:
        err.print(f"{len(errors)} error(s) in {len({x.path for x in errors})} file(s)")
        raise typer.Exit(1)


def _active_agents() -> list[str]:
    from api.app import create_app
    from api.services.routing import active_agents
    from api.settings import Settings

    settings = Settings()
    container = create_app(settings, migrate=settings.embedded, console=False).state.container
    try:
        with container.uow(read_only=True) as uow:
            return list(active_agents(uow))
    finally:
        container.engine.dispose()


@scripts_app.command("show")
def scripts_show(
    ref: Annotated[str, typer.Argument(help="NAME or NAME@VERSION")],
    mermaid: Annotated[bool, typer.Option(help="Print the diagrams as Mermaid.")] = False,
    scripts: ScriptsDir = None,  # type: ignore[assignment]
) -> None:
    """Show a script's steps, handlers and closings, and a diagram of its machine."""
    from api import script_views

    try:
        script = _store(scripts).get(ref)
    except IsaError as e:
        raise _fail(e) from None
    script_views.show(Console(), script, mermaid=mermaid)


@scripts_app.command("diff")
def scripts_diff(
    a: Annotated[str, typer.Argument(help="NAME@A")],
    b: Annotated[str, typer.Argument(help="NAME@B")],
    scripts: ScriptsDir = None,  # type: ignore[assignment]
) -> None:
    """What changed between two script versions: steps, texts, handlers, rules."""
    from api import script_views

    store = _store(scripts)
    try:
        old, new = store.get(a), store.get(b)
    except IsaError as e:
        raise _fail(e) from None
    script_views.diff(Console(), old, new)


@scripts_app.command("list")
def scripts_list(scripts: ScriptsDir = None) -> None:  # type: ignore[assignment]
    """Every script's versions: which one is live (new leads get it) and which are drafts."""
    from adapters.script_files import catalogue, default_root, marker_version

    root = scripts or default_root()
    for name, found in catalogue(root).items():
        for v in found:
            hint = f"  (isa scripts publish {name}@{v.version})" if v.state == "draft" else ""
            print(f"{name + '@' + str(v.version):<16} {v.state:<8} {_shown(v.path)}{hint}")
        if len(found) > 1 and marker_version(root, name) is None:
            print(f"  {name}: no published marker, so its first version is live")


def _shown(path: str) -> str:
    """``path`` relative to the current folder when it is inside it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


@scripts_app.command("publish")
def scripts_publish(
    ref: Annotated[str, typer.Argument(help="NAME@VERSION to give new conversations")],
    scripts: ScriptsDir = None,  # type: ignore[assignment]
) -> None:
    """Make a version live: new conversations start on it, running ones stay on theirs.

    Takes effect at once in a running server (it reads the marker for each new lead);
    recorded in the audit log of ISA_DATABASE_URL.
    """
    from api import cli_ops

    name, _, version = ref.partition("@")
    if not version.isdigit():
        raise _fail(IsaError(f"say which version: {name}@N (isa scripts list shows them)"))
    try:
        previous = cli_ops.publish_script(scripts, name, int(version))
    except IsaError as e:
        raise _fail(e) from None
    Console().print(
        f"{name}@{version} is live: new conversations start on it (was {name}@{previous}); "
        "running ones stay on theirs",
        highlight=False,
        markup=False,
    )


@nlu_app.command("parse")
def nlu_parse(
    explain: Annotated[
        bool, typer.Option("--explain", help="Add, per slot and intent, the rule and its words.")
    ] = False,
) -> None:
    """Read message records (JSON lines) on stdin; write {id, slots, intents} lines."""
    from isa_engine.reading import read
    from isa_engine.reading.explain import explain as explain_reading

    for n, record in _records(sys.stdin):
        try:
            now = datetime.fromisoformat(record["now"])
            text, expecting = str(record["text"]), record.get("expecting")
            if explain:
                reading, because = explain_reading(text, expecting, now)
            else:
                reading, because = read(text, expecting, now), []
        except (KeyError, TypeError, ValueError) as e:
            raise _fail(IsaError(f"stdin line {n}: {e!r} (needs text, now, expecting)")) from None
        answer = {"id": record.get("id"), **reading.to_json()}
        if explain:
            answer["explain"] = [b.to_json() for b in because]
        print(json.dumps(answer, ensure_ascii=False))


@app.command()
def replay(
    approve_after: ApproveAfter = "0s",
    scripts: ScriptsDir = None,  # type: ignore[assignment]
) -> None:
    """Play conversation records (JSON lines) from stdin; write one answer line each."""
    from isa_engine.simulation import replay as replay_record

    store, delay = _store(scripts), _duration(approve_after)
    for n, record in _records(sys.stdin):
        try:
            script = store.get(str(record["script"]))
            answer = replay_record(record, script, delay, store.translations(script))
        except IsaError as e:
            raise _fail(IsaError(f"stdin line {n}: {e}")) from None
        except (KeyError, TypeError, ValueError) as e:
            raise _fail(IsaError(f"stdin line {n}: {e!r} (needs script, start, turns)")) from None
        print(json.dumps(answer, ensure_ascii=False))


def _records(stream: Any) -> Any:
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise _fail(IsaError(f"stdin line {n}: not JSON: {e}")) from None
        if not isinstance(record, dict):
            raise _fail(IsaError(f"stdin line {n}: a record is a JSON object"))
        yield n, record


def main() -> None:
    """Entry point of the ``isa`` command."""
    app()
