"""How scripts look to their authors: ``isa scripts show`` and ``isa scripts diff``."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from isa_engine.authoring import segment_report
from isa_engine.machine import TRANSITIONS
from isa_engine.script import Condition, Script
from isa_engine.templates import Template


def segment_warnings(script: Script) -> list[str]:
    """Templates sent as UCS-2, or as more than one segment, with the characters to blame."""
    notes = []
    for path, info in segment_report(script):
        if info.encoding != "GSM-7":
            chars = " ".join(repr(c) for c in info.non_gsm)
            notes.append(f"{path}: UCS-2 because of {chars}: {info.segments} segment(s)")
        elif info.segments > 1:
            notes.append(f"{path}: {info.segments} segments")
    return notes


def show(out: Console, script: Script, *, mermaid: bool = False) -> None:
    """Print steps, handlers, rules and closings, then the two diagrams."""
    out.print(f"[bold]{script.key}[/bold]  ({script.persona.role}) {script.description.strip()}")
    out.print(f"[dim]opening:[/dim] {script.opening.source.strip()}", highlight=False)
    steps = Table("#", "slot", "asks", "when", "required")
    for i, step in enumerate(script.steps, 1):
        steps.add_row(
            str(i),
            step.slot,
            step.ask.source.strip(),
            _condition(step.when),
            "yes" if step.required else "no",
        )
    out.print(steps)
    handlers = Table("intent", "reply", "alerts the agent")
    for intent, h in script.handlers.items():
        handlers.add_row(
            intent.value, h.reply.source.strip() if h.reply else "—", "yes" if h.alert_agent else ""
        )
    out.print(handlers)
    rules = script.outcomes
    out.print(
        f"Appointment needs: {', '.join(rules.appointment_needs)}; Engagement: at least "
        f"{max(1, rules.engagement_min_slots)} slot(s) and no time; dead when: "
        f"{'; '.join(_condition(c) for c in rules.dead_when) or '—'}; "
        f"cold after {script.timers.cold_after}"
    )
    if mermaid:
        out.print("\n".join(mermaid_flow(script)), highlight=False, markup=False)
        out.print("\n".join(mermaid_statuses()), highlight=False, markup=False)
        return
    out.print(
        "\n[bold]Questions[/bold] (the next is always the first empty slot whose condition holds)"
    )
    out.print("\n".join(text_flow(script)), highlight=False)
    out.print("\n[bold]Statuses[/bold]")
    for trigger, source, dest in _edges():
        out.print(f"  {source:>12} ──{trigger}──▶ {dest}", highlight=False)


def text_flow(script: Script) -> Iterator[str]:
    """The steps as a column of boxes, with their conditions."""
    yield "  opening"
    for step in script.steps:
        when = f"   (only if {_condition(step.when)})" if step.when else ""
        optional = "" if step.required else "   (optional)"
        yield f"     │\n     ▼\n  {step.slot}{when}{optional}"
    yield "     │\n     ▼\n  Appointment (a firm time) or Engagement (information, no time)"


def mermaid_flow(script: Script) -> Iterator[str]:
    """The steps as a Mermaid flowchart."""
    yield "flowchart TD"
    previous = "opening"
    yield "  opening([opening text])"
    for step in script.steps:
        label = step.slot + (f"<br/>if {_condition(step.when)}" if step.when else "")
        yield f'  {step.slot}["{label}"]'
        yield f"  {previous} --> {step.slot}"
        previous = step.slot
    yield f"  {previous} --> done([Appointment or Engagement])"


def mermaid_statuses() -> Iterator[str]:
    """The status machine as a Mermaid state diagram."""
    yield "stateDiagram-v2"
    yield "  [*] --> active"
    for trigger, source, dest in _edges():
        yield f"  {source} --> {dest}: {trigger}"


def _edges() -> Iterator[tuple[str, str, str]]:
    seen = set()
    for t in TRANSITIONS:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        for source in sources:
            edge = (str(t["trigger"]), str(source), str(t["dest"]))
            if edge not in seen:
                seen.add(edge)
                yield edge


def _condition(cond: Condition | None) -> str:
    if cond is None:
        return ""
    if cond.is_ is not None:
        return f"{cond.slot} is {' or '.join(map(str, cond.is_))}"
    if cond.is_not is not None:
        return f"{cond.slot} is not {' or '.join(map(str, cond.is_not))}"
    return f"{cond.slot} is known"


def diff(out: Console, old: Script, new: Script) -> None:
    """Print what changed from ``old`` to ``new``, then a line diff of every text."""
    out.print(f"[bold]{old.key} → {new.key}[/bold]")
    old_slots, new_slots = [s.slot for s in old.steps], [s.slot for s in new.steps]
    for slot in new_slots:
        if slot not in old_slots:
            out.print(f"[green]+ step {slot}[/green]")
    for slot in old_slots:
        if slot not in new_slots:
            out.print(f"[red]- step {slot}[/red]")
    common = [s for s in new_slots if s in old_slots]
    if [s for s in old_slots if s in common] != common:
        out.print(f"[yellow]~ order: {' → '.join(old_slots)}  ⇒  {' → '.join(new_slots)}[/yellow]")
    for slot in common:
        a, b = old.step_by_slot[slot], new.step_by_slot[slot]
        if _condition(a.when) != _condition(b.when) or a.required != b.required:
            out.print(
                f"[yellow]~ step {slot}: when {_condition(a.when) or '—'} ⇒ "
                f"{_condition(b.when) or '—'}, required {a.required} ⇒ {b.required}[/yellow]"
            )
    if old.outcomes != new.outcomes:
        out.print(
            f"[yellow]~ outcome rules: {old.outcomes} ⇒ {new.outcomes}[/yellow]", highlight=False
        )
    if old.timers != new.timers:
        out.print(f"[yellow]~ timers: {old.timers} ⇒ {new.timers}[/yellow]", highlight=False)
    a_texts = [f"{'.'.join(map(str, p))}: {t.source.strip()}" for p, t in _texts(old)]
    b_texts = [f"{'.'.join(map(str, p))}: {t.source.strip()}" for p, t in _texts(new)]
    lines = list(difflib.unified_diff(a_texts, b_texts, old.key, new.key, lineterm="", n=0))
    if not lines:
        out.print("texts: no change")
    for line in lines:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
        out.print(f"[{style}]{escape(line)}[/{style}]", highlight=False)


def _texts(script: Script) -> list[tuple[tuple[str | int, ...], Template]]:
    # steps are named by slot, not index, so a moved step is not a changed text
    out = []
    for path, template in script.templates():
        if path[0] == "steps":
            path = ("steps", script.steps[int(path[1])].slot, *path[2:])
        out.append((path, template))
    return sorted(out, key=lambda pt: tuple(map(str, pt[0])))
