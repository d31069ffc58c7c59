"""The one place that reads the wall clock."""

from __future__ import annotations

from datetime import datetime


def now() -> datetime:
    """The current time, aware, in this machine's zone."""
    return datetime.now().astimezone()
