"""When a text may go: quiet hours and caps, on every clock the recipient may keep.

``earliest_send(rules, recipient, proposed, sent_at)`` is the first instant at
or after ``proposed`` at which a text is allowed in every candidate zone, under
every window that binds any candidate state, and under every cap that does
(COMPLIANCE.md #1–#3). It is ``proposed`` itself when the text may go now.
It never drops a text: it defers, saying why, or raises NeverAllowed when the
rules leave no time at all (validation refuses a state window that leaves no
hour beside the federal one; only far-apart zones under narrow rules remain).

The search jumps from blocker to blocker: each failed check names the first
instant it could pass (the zone's next opening, the cap's release), the latest
of them is tried next, until every check passes. Each jump is a lower bound,
so the first instant that passes is the earliest. A jump never crosses a DST
change (it stops at the change and looks again), so change days are exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

from isa_engine.errors import IsaError
from isa_engine.policy.caps import cap_release, describe
from isa_engine.policy.recipient import Recipient
from isa_engine.policy.rules import DAYS, Cap, Rules, Week, Window, intersect

HORIZON = timedelta(days=8)
"""How far past the proposed instant (and past the last cap's release) the search looks."""


class NeverAllowed(IsaError):
    """The rules leave no time to send to this recipient: they contradict each other."""


@dataclass(frozen=True, slots=True)
class Clearance:
    """When a text may go (``at``, aware) and, when later than proposed, why (``reasons``)."""

    at: datetime
    reasons: tuple[str, ...] = ()

    @property
    def deferred(self) -> bool:
        """True when the text must wait past the proposed instant."""
        return bool(self.reasons)


@dataclass(frozen=True, slots=True)
class _Plan:
    week: Week  # every applicable window intersected: one check per zone
    windows: tuple[Window, ...]  # each one, to say which rule deferred a text
    caps: tuple[Cap, ...]


@lru_cache(maxsize=1024)
def _plan(rules: Rules, states: frozenset[str]) -> _Plan:
    windows = tuple(w for w in rules.windows if w.applies(states))
    caps = tuple(c for c in rules.caps if c.applies(states))
    return _Plan(intersect(windows), windows, caps)


def earliest_send(
    rules: Rules, recipient: Recipient, proposed: datetime, sent_at: Sequence[datetime] = ()
) -> Clearance:
    """The first instant >= ``proposed`` at which a text to ``recipient`` may go, and why.

    ``sent_at`` holds the times of the texts already sent to this contact (every
    outbound but the opt-out confirmation; older than the longest cap may be
    left out). Times are aware; the answer is ``proposed`` when the text may go
    now, else a UTC instant.
    """
    if proposed.utcoffset() is None:
        raise ValueError(f"proposed must be timezone-aware, got {proposed!r}")
    plan = _plan(rules, recipient.states)
    if _open(plan.week, recipient.zones, proposed) and not any(
        cap_release(cap, proposed, sent_at) for cap in plan.caps
    ):
        return Clearance(proposed)
    return _search(plan, recipient, proposed.astimezone(UTC), sent_at)


def _open(week: Week, zones: Sequence[tzinfo], at: datetime) -> bool:
    for zone in zones:
        local = at.astimezone(zone)
        hours = week[local.weekday()]
        if hours is None or not hours.start <= local.hour * 60 + local.minute < hours.end:
            return False
    return True


def _search(
    plan: _Plan, recipient: Recipient, proposed: datetime, sent_at: Sequence[datetime]
) -> Clearance:
    longest = max((c.per for c in plan.caps), default=timedelta())
    limit = max([proposed, *sent_at]).astimezone(UTC) + longest + HORIZON
    # one reason per rule and zone, as it first held the text back
    reasons: dict[tuple[str, str], str] = {}
    at = proposed
    while True:
        later = at
        for zone in recipient.zones:
            opens = _next_opening(plan.week, zone, at)
            if opens is not None:
                for key, why in _window_reasons(plan, zone, at, recipient.states):
                    reasons.setdefault(key, why)
                later = max(later, opens)
        for cap in plan.caps:
            release = cap_release(cap, at, sent_at)
            if release is not None:
                reasons.setdefault(("cap", cap.id), describe(cap, recipient.states))
                later = max(later, release.astimezone(UTC))
        if later == at:
            return Clearance(at, tuple(reasons.values()))
        if later > limit:
            raise NeverAllowed(
                f"no time to text a recipient in {_zone_names(recipient.zones)} within "
                f"{HORIZON.days} days of {proposed:%Y-%m-%d %H:%M} UTC: "
                + "; ".join(reasons.values())
            )
        at = later


def _next_opening(week: Week, zone: tzinfo, at: datetime) -> datetime | None:
    """None when ``week`` allows ``at`` in ``zone``; else a lower bound of its next opening."""
    local = at.astimezone(zone)
    hours = week[local.weekday()]
    if hours is not None and hours.start <= local.hour * 60 + local.minute < hours.end:
        return None
    wait = _until_open(week, local)
    if wait is None:
        raise NeverAllowed(f"the rules leave no hour of the week open in {_zone_names([zone])}")
    opens = at + wait  # ``at`` is UTC: exact while the zone's offset stays the same
    offset = local.utcoffset()
    if opens.astimezone(zone).utcoffset() != offset:
        return _offset_change(zone, at, opens, offset)
    return opens


def _until_open(week: Week, local: datetime) -> timedelta | None:
    """Wall-clock time from ``local`` (blocked) to the start of the next window."""
    since_midnight = timedelta(
        hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    day = local.weekday()
    today = week[day]
    if today is not None and since_midnight < timedelta(minutes=today.start):
        return timedelta(minutes=today.start) - since_midnight
    for ahead in range(1, 8):
        hours = week[(day + ahead) % 7]
        if hours is not None:
            return timedelta(days=ahead, minutes=hours.start) - since_midnight
    return None


def _offset_change(zone: tzinfo, after: datetime, before: datetime, offset: object) -> datetime:
    """The instant ``zone``'s UTC offset changes from ``offset``, between ``after`` and ``before``.

    Offsets change on whole seconds, so a bisection on POSIX seconds finds it exactly.
    """
    lo, hi = math.floor(after.timestamp()), math.ceil(before.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == offset:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


def _window_reasons(
    plan: _Plan, zone: tzinfo, at: datetime, states: frozenset[str]
) -> list[tuple[tuple[str, str], str]]:
    """Each window that holds ``at`` back in ``zone``: 'quiet hours in TX (Sun 12:00–21:00; …)'."""
    local = at.astimezone(zone)
    minute, day = local.hour * 60 + local.minute, local.weekday()
    out = []
    for w in plan.windows:
        hours = w.week[day]
        if hours is not None and hours.start <= minute < hours.end:
            continue
        who = f"quiet hours in {w.where(states)}" if w.states else f"{w.id} quiet hours"
        allowed = str(hours) if hours is not None else "closed"
        name = _zone_names([zone])
        out.append(
            (
                ("window", f"{w.id} in {name}"),
                f"{who} ({DAYS[day].capitalize()} {allowed}; {local:%H:%M} in {name})",
            )
        )
    return out


def _zone_names(zones: Sequence[tzinfo]) -> str:
    return ", ".join(getattr(z, "key", None) or str(z) for z in zones)
