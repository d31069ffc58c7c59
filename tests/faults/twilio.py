"""The local fake of Twilio's API, with what the fault suite steers and watches besides.

``FaultyTwilioApi`` is ``tests.fakes.twilio_api.FakeTwilioApi`` (its switches
``slow``, ``fail``, ``rate_limit``, ``unsubscribed`` work as there) plus:

- ``hold_for``: a text to one of these numbers is created, then its answer held
  (once per number), so a sender can be killed while Twilio has the text and
  the sender does not know it; ``held`` lists the numbers held so far;
- ``refusals``: for each number answered 21610, how many requests the fake had
  received when it first answered so: any create to that number at or after
  that position was the system texting a contact it had been told is dead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, cast

from tests.fakes.twilio_api import FakeTwilioApi, _Handler

UNSUBSCRIBED = 21610


@dataclass
class FaultyTwilioApi(FakeTwilioApi):
    """The fake, with per-number holds and a record of every 21610 answer."""

    hold_for: set[str] = field(default_factory=set)
    held: list[str] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)
    _local: threading.local = field(default_factory=threading.local)

    def __enter__(self) -> FaultyTwilioApi:
        super().__enter__()
        assert self._server is not None
        base = cast(type[_Handler], self._server.RequestHandlerClass)
        self._server.RequestHandlerClass = type("WatchedHandler", (_Watched, base), {})
        return self

    def _take(self, switch: str) -> bool:
        if switch == "slow":
            to = getattr(self._local, "to", None)
            with self._lock:
                if to in self.hold_for:
                    self.hold_for.discard(to)
                    self.held.append(to)
                    return True
        return super()._take(switch)

    def unsubscribe(self, phone: str) -> None:
        """From now on, texts to ``phone`` are refused with 21610 (the lead blocked us)."""
        with self._lock:
            self.unsubscribed.add(phone)

    def creates_to(self, phone: str) -> list[int]:
        """Where in ``received`` each create request to ``phone`` is."""
        with self._lock:
            return [
                i
                for i, r in enumerate(self.received)
                if r.method == "POST" and r.fields.get("To") == phone
            ]

    def _refused(self, phone: str) -> None:
        with self._lock:
            self.refusals.setdefault(phone, len(self.received))


class _Watched(_Handler):
    """Tells the fake which number a create is for, and records each 21610 it answers."""

    api: FaultyTwilioApi

    def _route(self, path: str, method: str, fields: dict[str, str]) -> dict[str, Any] | None:
        self.api._local.to = fields.get("To") if method == "POST" else None
        return super()._route(path, method, fields)

    def _error(self, status: int, code: int, message: str) -> None:
        to = getattr(self.api._local, "to", None)
        if code == UNSUBSCRIBED and to is not None:
            self.api._refused(to)
        super()._error(status, code, message)
