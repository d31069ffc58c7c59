"""Results: the funnel (new → engaged → appointment, and opt-outs) per script version, per lead
source and per agent over a chosen period, drawn as inline SVG on the server.

No service answered "per source" or "per agent" yet, so the counting is
here: one pass over the period's conversations. A conversation is *new* when
it started in the period, *engaged* when the lead gave any information (a
slot filled) or it reached an outcome, *appointment* when it has an
Appointment outcome, *opt-out* when its contact died by opting out (the same
reading of the reason as ``api.services.scripts.stats``).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.storage.orm import (
    Contact,
    ConversationRow,
    Inquiry,
    Message,
    OutcomeRow,
    Suggestion,
    User,
)
from adapters.storage.vocab import Direction
from api.deps import ContainerDep
from api.web.render import page
from api.web.session import SessionDep
from isa_engine.model import OutcomeKind

router = APIRouter()
STAGES = ("new", "engaged", "appointment", "opt_out")
LABELS = {"new": "new", "engaged": "engaged", "appointment": "appointment", "opt_out": "opt-outs"}
OPT_OUT_WORDS = ("opt", "unsubscri", "stop")
BAR, GAP, LABEL_W, CHART_W = 12, 10, 150, 560


@dataclass
class Funnel:
    """One group's counts."""

    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))


def _opted_out(reason: str | None) -> bool:
    text = (reason or "").lower()
    return any(w in text for w in OPT_OUT_WORDS)


def funnels(session: Session, since: datetime, until: datetime) -> dict[str, list[Funnel]]:
    """The period's funnels by script version, lead source and agent."""
    rows = session.execute(
        select(ConversationRow, Contact.dead, Contact.dead_reason)
        .join(Contact, Contact.id == ConversationRow.contact_id)
        .where(ConversationRow.created_at >= since, ConversationRow.created_at < until)
    ).all()
    ids = [r[0].id for r in rows]
    kinds: dict[int, set[str]] = defaultdict(set)
    for conv_id, kind in session.execute(
        select(OutcomeRow.conversation_id, OutcomeRow.kind).where(
            OutcomeRow.conversation_id.in_(ids)
        )
    ):
        kinds[conv_id].add(str(kind))
    sources: dict[int, str] = {}
    for contact_id, source in session.execute(
        select(Inquiry.contact_id, Inquiry.source).order_by(Inquiry.received_at, Inquiry.id)
    ):
        sources.setdefault(contact_id, source)
    agents = {u.id: u.name for u in session.scalars(select(User))}
    groups: dict[str, dict[str, Funnel]] = {"script": {}, "source": {}, "agent": {}}
    for conv, dead, reason in rows:
        reached = {
            "new": True,
            "engaged": bool(conv.slots) or bool(kinds[conv.id]),
            "appointment": OutcomeKind.APPOINTMENT.value in kinds[conv.id],
            "opt_out": bool(dead) and _opted_out(reason),
        }
        keys = {
            "script": f"{conv.script_name}@{conv.script_version}",
            "source": sources.get(conv.contact_id, "unknown"),
            "agent": agents.get(conv.agent_id, "no agent") if conv.agent_id else "no agent",
        }
        for dimension, key in keys.items():
            funnel = groups[dimension].setdefault(key, Funnel(key))
            for stage, hit in reached.items():
                funnel.counts[stage] += int(hit)
    return {d: sorted(g.values(), key=lambda f: f.name) for d, g in groups.items()}


def decision_minutes(session: Session, since: datetime, until: datetime) -> float | None:
    """Median minutes from a suggestion to a person's decision on it, in the period."""
    waits = [
        (decided - made).total_seconds() / 60
        for made, decided in session.execute(
            select(Suggestion.created_at, Suggestion.decided_at).where(
                Suggestion.decided_by_id.is_not(None),
                Suggestion.created_at >= since,
                Suggestion.created_at < until,
            )
        )
        if decided is not None
    ]
    return round(statistics.median(waits), 1) if waits else None


def first_reply_seconds(
    session: Session, since: datetime, until: datetime
) -> dict[str, list[float]]:
    """Seconds from each inquiry received in the period to our first outbound text that left
    after it, by script version (that text's conversation) and ``overall``."""
    inquiries = session.execute(
        select(Inquiry.contact_id, Inquiry.received_at).where(
            Inquiry.received_at >= since, Inquiry.received_at < until
        )
    ).all()
    contacts = {c for c, _ in inquiries}
    sends: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for contact_id, sent_at, name, version in session.execute(
        select(
            Message.contact_id,
            Message.sent_at,
            ConversationRow.script_name,
            ConversationRow.script_version,
        )
        .outerjoin(ConversationRow, ConversationRow.id == Message.conversation_id)
        .where(
            Message.contact_id.in_(contacts),
            Message.direction == Direction.OUT,
        )
        .order_by(Message.sent_at)
    ):
        if sent_at is not None:
            sends[contact_id].append((sent_at, f"{name}@{version}" if name else "no script"))
    found: dict[str, list[float]] = defaultdict(list)
    for contact_id, received in inquiries:
        first = next(((at, key) for at, key in sends[contact_id] if at >= received), None)
        if first is not None:
            seconds = (first[0] - received).total_seconds()
            found["overall"].append(seconds)
            found[first[1]].append(seconds)
    return dict(found)


def duration(seconds: float | None) -> str | None:
    """A median wait, in the unit a person reads best."""
    if seconds is None:
        return None
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def chart(groups: list[Funnel]) -> dict[str, Any]:
    """Bar geometry for one dimension: a row of four bars per group, scaled to the largest."""
    top = max((f.counts["new"] for f in groups), default=0) or 1
    rows, y = [], 0
    for f in groups:
        bars = []
        for i, stage in enumerate(STAGES):
            n = f.counts[stage]
            bars.append(
                {
                    "stage": stage,
                    "n": n,
                    "y": y + i * BAR,
                    "w": max(1.0, (CHART_W - LABEL_W - 40) * n / top) if n else 0,
                }
            )
        rows.append({"name": f.name, "y": y, "bars": bars})
        y += BAR * len(STAGES) + GAP
    return {"rows": rows, "height": max(y, 1), "width": CHART_W, "label_w": LABEL_W, "bar": BAR}


def _day(value: str | None, default: datetime) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else default
    except ValueError:
        return default


@router.get("/results", response_class=HTMLResponse)
def results_page(
    request: Request,
    container: ContainerDep,
    session: SessionDep,
    since: str | None = None,
    until: str | None = None,
) -> HTMLResponse:
    """The funnels for the period (default: the last 30 days)."""
    now = container.clock()
    start = _day(since, (now - timedelta(days=30)).replace(hour=0, minute=0, second=0))
    end = _day(until, now.replace(hour=0, minute=0, second=0, microsecond=0)) + timedelta(days=1)
    with container.uow(read_only=True) as uow:
        found = funnels(uow.session, start, end)
        median = decision_minutes(uow.session, start, end)
        replies = first_reply_seconds(uow.session, start, end)
    speed = {k: duration(statistics.median(v)) for k, v in sorted(replies.items())}
    return page(
        request,
        "results.html",
        session,
        dimensions=[
            ("script", "Per script version", found["script"], chart(found["script"])),
            ("source", "Per lead source", found["source"], chart(found["source"])),
            ("agent", "Per agent", found["agent"], chart(found["agent"])),
        ],
        stages=STAGES,
        labels=LABELS,
        since=start.date().isoformat(),
        until=(end - timedelta(days=1)).date().isoformat(),
        median=median,
        first_reply=speed.pop("overall", None),
        first_reply_by_script=speed,
    )
