"""The one place that reads the wall clock (and, for the simulated phone, moves it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


def now() -> datetime:
    """The current time, aware, in this machine's zone."""
    return datetime.now().astimezone()


@dataclass
class ShiftedClock:
    """The wall clock, moved forward on request: with the simulated phone a person can see a
    lead go cold, or the next morning, without waiting for it (``POST /dev/clock``)."""

    offset: timedelta = field(default=timedelta(0))

    def __call__(self) -> datetime:
        """The shifted time."""
        return now() + self.offset

    def advance_to(self, when: datetime) -> None:
        """Move forward to ``when`` (never back)."""
        self.offset += max(timedelta(0), when - self())
