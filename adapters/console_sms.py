"""``ConsoleSms``: texts go to the log instead of a phone, for running without Twilio.

It implements the ``Sms`` port (``send(to, body, idempotency_key) -> sid``):
each text is logged as ``→ +15125550142 : body`` and kept in ``sent`` so a
test or the simulated phone can see it. A key sent before returns the same
sid and is not logged twice, as a real provider's idempotent send would.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

log = logging.getLogger("isa.sms")


@dataclass(frozen=True, slots=True)
class ConsoleText:
    """One text the console "sent"."""

    sid: str
    to: str
    body: str
    idempotency_key: str


@dataclass
class ConsoleSms:
    """Prints outbound texts; never reaches a phone."""

    echo: bool = True  # also print to stdout, so `isa serve` shows the conversation
    sent: list[ConsoleText] = field(default_factory=list)
    _by_key: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(
        self,
        to: str,
        body: str,
        idempotency_key: str,
        *,
        unsure_since: datetime | None = None,
        taken: Collection[str] = (),
    ) -> str:
        """Log the text and return a made-up MessageSid (``SM`` + 32 hex, like Twilio's).

        ``unsure_since`` changes nothing: the console remembers keys only while it runs.
        """
        with self._lock:
            known = self._by_key.get(idempotency_key)
            if known is not None:
                return known
            sid = "SM" + uuid.uuid4().hex
            self._by_key[idempotency_key] = sid
            self.sent.append(ConsoleText(sid, to, body, idempotency_key))
        line = f"→ {to} : {body}"
        log.info(line)
        if self.echo:
            print(line, flush=True)
        return sid
