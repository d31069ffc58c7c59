"""Rolling caps (COMPLIANCE.md #3): at most N texts to one contact in any rolling period.

Every outbound counts (automated, ISA-approved, agent-typed); the caller leaves
out the one opt-out confirmation, which no cap may hold back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from isa_engine.policy.rules import Cap


def cap_release(cap: Cap, at: datetime, sent_at: Sequence[datetime]) -> datetime | None:
    """None when one more text may go at ``at``; else the first instant the cap lets it go.

    A send counts while it is inside ``(at - per, at]``; with ``texts`` of them
    inside, the text waits until the oldest that must leave has been there
    ``per`` ("4th text within 24 h waits until 24 h after the 1st"). The answer is UTC.
    """
    at = at.astimezone(UTC)  # aware arithmetic in a local zone would add wall-clock time
    floor = at - cap.per
    inside = [s for s in sent_at if floor < s <= at]
    if len(inside) < cap.texts:
        return None
    inside.sort()
    return inside[len(inside) - cap.texts].astimezone(UTC) + cap.per


def describe(cap: Cap, states: frozenset[str]) -> str:
    """The reason a cap gives when it defers a text: ``cap: 3 texts in 24 h in FL``."""
    hours, rest = divmod(cap.per.total_seconds(), 3600)
    if rest == 0 and hours < 48:
        span = f"{int(hours)} h"
    elif rest == 0 and hours % 24 == 0:
        span = f"{int(hours // 24)} days"
    else:
        span = f"{int(cap.per.total_seconds() // 60)} min"
    return f"cap: {cap.texts} texts in {span} in {cap.where(states)}"
