"""``isa chat``: you play the lead in the terminal; the engine answers as the script says."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from rich.console import Console
from rich.table import Table

from isa_engine.errors import IsaError
from isa_engine.events import HandBack, TakeOver
from isa_engine.model import (
    AlertAgent,
    Effect,
    EmitOutcome,
    SendText,
    StartTimer,
    SuggestText,
    SwitchLanguage,
)
from isa_engine.script import Script, parse_duration
from isa_engine.simulation import Simulation
from isa_engine.templates import show as show_value

HELP = """Type what the lead texts. Commands:
  /wait 20m          let time pass (s, m, h, d), firing timers: a lead goes cold 15m after
                     our last text left
  /approve-after 10m the ISA approves each reply this long after it is suggested (0s: at once)
  /takeover          the agent takes the conversation    /handback  the agent hands it back
  /slots             what is known, and where it came from
  /quit              leave"""


def run(
    script: Script,
    *,
    contact: str,
    agent: str,
    start: datetime,
    approve_after: timedelta = timedelta(0),
    console: Console | None = None,
    translations: Mapping[str, Script] | None = None,
) -> None:
    """The chat loop: reads lines from stdin until /quit or end of input. A lead who writes
    in a language of ``translations`` is moved to that version of the script."""
    out = console or Console()
    out.print(
        f"[bold]{script.key}[/bold] — you are {contact}, texting {agent}'s assistant. "
        "/help for commands."
    )
    sim = Simulation.start(
        script,
        contact=contact,
        agent=agent,
        at=start,
        approve_after=approve_after,
        translations=translations,
    )
    _show(out, sim, sim.log)
    while True:
        try:
            line = input(f"{contact} > ").strip()
        except EOFError:
            break
        if not line:
            continue
        if line in ("/quit", "/exit"):
            break
        try:
            effects = _command(sim, line, out)
        except IsaError as e:
            out.print(f"[red]{e}[/red]", highlight=False)
            continue
        if effects is not None:
            _show(out, sim, effects)


def _command(sim: Simulation, line: str, out: Console) -> list[Effect] | None:
    if line == "/help":
        out.print(HELP, highlight=False)
        return None
    if line == "/slots":
        _slots(out, sim)
        return None
    if line == "/takeover":
        return sim.apply(TakeOver(by="agent"))
    if line == "/handback":
        return sim.apply(HandBack(by="agent"))
    command, _, arg = line.partition(" ")
    if command in ("/wait", "/approve-after"):
        try:
            delay = parse_duration(arg)
        except ValueError as e:
            out.print(f"{command}: {e}", highlight=False)
            return None
        if command == "/wait":
            return sim.advance(sim.now + delay)
        sim.approve_after = delay
        out.print(f"the ISA now approves each reply {arg.strip()} after it is suggested")
        return None
    if line.startswith("/"):
        out.print(f"unknown command {line.split()[0]}; /help lists them")
        return None
    return sim.text(line, sim.now + timedelta(seconds=30))


def _show(out: Console, sim: Simulation, effects: list[Effect]) -> None:
    for effect in effects:
        if isinstance(effect, SwitchLanguage):
            out.print(
                f"[bold blue]» language[/bold blue]: {effect.reason}",
                highlight=False,
            )
        elif isinstance(effect, SuggestText) and effect.id in sim.waiting:
            due = sim.waiting[effect.id][0]
            out.print(f"[dim]» suggested, waiting for the ISA until {due:%H:%M}[/dim]")
        elif isinstance(effect, SendText):
            asks = f" [dim](asks {effect.asks})[/dim]" if effect.asks else ""
            out.print(f"[cyan]assistant[/cyan]: {effect.text}{asks}", highlight=False)
        elif isinstance(effect, EmitOutcome):
            out.print(
                f"[bold magenta]» {effect.kind.value.upper()}[/bold magenta] for the agent: "
                f"{effect.reason}"
            )
        elif isinstance(effect, AlertAgent):
            out.print(f"[yellow]» alert to the agent[/yellow]: {effect.reason}", highlight=False)
        elif isinstance(effect, StartTimer):
            out.print(f"[dim]» timer {effect.kind} at {effect.due:%H:%M}[/dim]")
    conv = sim.conversation
    known = ", ".join(f"{k}={show_value(k, v)}" for k, v in conv.slots.items()) or "nothing yet"
    out.print(
        f"[dim]{sim.now:%a %H:%M} · {conv.script} ({conv.language}) · status "
        f"[bold]{conv.state}[/bold] · waiting on "
        f"{conv.awaiting or '—'} · knows {known}[/dim]",
        highlight=False,
    )


def _slots(out: Console, sim: Simulation) -> None:
    table = Table("slot", "value", "turn", "from the text")
    for slot, value in sim.conversation.slots.items():
        src = sim.conversation.sources.get(slot)
        table.add_row(
            slot, show_value(slot, value), str(src.turn if src else ""), src.text if src else ""
        )
    out.print(table)
