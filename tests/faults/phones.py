"""Leads texting the service through signed ``POST /sms/inbound``, as Twilio delivers them.

Each lead sends its texts in order, each once the previous one was answered.
A text answered 200 is *acknowledged*; any other answer, or none (the process
died, the connection was refused), leaves it unacknowledged and the lead waits:
the next round sends it again, as Twilio retries a webhook, and the lead goes
on from there. Acknowledged texts can be sent again on purpose (a duplicate
delivery), one after the other or two at once.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from bench.webhook import TO, sign, signed_requests

FROM = TO  # the number leads text
Form = tuple[dict[str, str], str]  # the form and its X-Twilio-Signature


@dataclass
class Lead:
    """One lead's phone: its number, its signed texts, and the first not yet acknowledged."""

    phone: str
    texts: list[Form]
    next: int = 0

    @property
    def done(self) -> bool:
        return self.next >= len(self.texts)

    def sid(self, t: int) -> str:
        return self.texts[t][0]["MessageSid"]

    def body(self, t: int) -> str:
        return self.texts[t][0]["Body"]


@dataclass
class Phones:
    """The load generator: leads texting ``base``/sms/inbound, ``concurrency`` at a time."""

    base: str
    leads: list[Lead]
    concurrency: int
    acknowledged: Counter[str] = field(default_factory=Counter)  # sid → 200 answers
    unacknowledged: Counter[str] = field(default_factory=Counter)  # sid → other outcomes
    answers: Counter[str] = field(default_factory=Counter)  # "200", "500", "ConnectError"…
    duplicates: int = 0  # acknowledged texts sent again on purpose
    pause: float = 0.0  # the most a lead waits between two texts (a phone's thumbs)
    on_acknowledged: Callable[[Lead, int], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(
        cls, base: str, numbers: Sequence[str], level: int, concurrency: int, pause: float = 0.0
    ) -> Phones:
        """Three texts a lead (bench.webhook's), signed for ``base``; sids unique to ``level``."""
        plays = signed_requests(base, numbers, level)
        leads = [Lead(n, list(p)) for n, p in zip(numbers, plays, strict=True)]
        return cls(base, leads, concurrency, pause=pause)

    @classmethod
    def scripted(cls, base: str, plays: dict[str, list[str]], level: int) -> Phones:
        """Leads texting exactly these bodies, signed for ``base``; sids unique to ``level``."""
        signed = sign(base, list(plays.items()), level)
        leads = [Lead(number, texts) for number, texts in zip(plays, signed, strict=True)]
        return cls(base, leads, concurrency=max(1, len(leads)))

    @property
    def texts(self) -> int:
        return sum(len(lead.texts) for lead in self.leads)

    @property
    def sids(self) -> set[str]:
        return {lead.sid(t) for lead in self.leads for t in range(len(lead.texts))}

    def acknowledged_count(self) -> int:
        with self._lock:
            return len(self.acknowledged)

    def play(self, upto: int | None = None) -> None:
        """One round: every lead sends its texts from the first unacknowledged one on
        (up to, not including, its text number ``upto``)."""
        todo = [lead for lead in self.leads if not lead.done]
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="lead") as pool:
            for _ in pool.map(lambda lead: self._play_lead(lead, upto), todo):
                pass

    def play_in_background(self) -> Callable[[float], None]:
        """``play`` on a thread of its own; returns ``join(timeout)``, which re-raises."""
        failed: list[BaseException] = []

        def run() -> None:
            try:
                self.play()
            except BaseException as exc:  # handed to join: a thread's own would be lost
                failed.append(exc)

        thread = threading.Thread(target=run, name="phones", daemon=True)
        thread.start()

        def join(timeout: float) -> None:
            thread.join(timeout)
            if thread.is_alive():
                raise AssertionError(f"the leads' round did not end in {timeout:.0f} s")
            if failed:
                raise failed[0]

        return join

    def play_until_acknowledged(self, rounds: int = 20, pause: float = 0.5) -> int:
        """Rounds until every text is acknowledged (Twilio's retries); how many rounds ran."""
        for n in range(1, rounds + 1):
            self.play()
            if all(lead.done for lead in self.leads):
                return n
            time.sleep(pause)
        left = [lead.sid(lead.next) for lead in self.leads if not lead.done]
        raise AssertionError(
            f"{len(left)} texts still unacknowledged after {rounds} rounds "
            f"(answers so far: {dict(self.answers)}), e.g. {left[:5]}"
        )

    def resend(self, sids: Sequence[str], *, at_once: int = 1) -> None:
        """Deliver acknowledged texts again (``at_once`` copies concurrently); each must be 200."""
        by_sid = {lead.sid(t): lead.texts[t] for lead in self.leads for t in range(lead.next)}
        jobs = [by_sid[s] for s in sids for _ in range(at_once)]
        with ThreadPoolExecutor(max(self.concurrency, at_once), thread_name_prefix="dup") as pool:
            answers = list(pool.map(self._post, jobs))
        with self._lock:
            self.duplicates += len(jobs)
        refused = [(form["MessageSid"], a) for (form, _), a in zip(jobs, answers, strict=True)]
        refused = [(s, a) for s, a in refused if a != "200"]
        assert not refused, f"duplicate deliveries not answered 200: {refused[:10]}"

    def _play_lead(self, lead: Lead, upto: int | None = None) -> None:
        with httpx.Client(base_url=self.base, timeout=30.0) as client:
            while not lead.done and (upto is None or lead.next < upto):
                if self._post(lead.texts[lead.next], client) != "200":
                    return  # Twilio retries it later; the lead waits for an answer
                lead.next += 1
                if self.on_acknowledged is not None:
                    self.on_acknowledged(lead, lead.next - 1)
                if self.pause and not lead.done:
                    time.sleep(random.uniform(0, self.pause))

    def summary(self) -> str:
        """The figures a reader wants: texts, acknowledged, re-sent, duplicates."""
        return (
            f"{len(self.leads)} leads sent {self.texts} texts: all acknowledged in the end; "
            f"{sum(self.unacknowledged.values())} deliveries unacknowledged and re-sent "
            f"({dict(a for a in self.answers.items() if a[0] != '200')}); "
            f"{self.duplicates} duplicate deliveries of acknowledged texts"
        )

    def _post(self, text: Form, client: httpx.Client | None = None) -> str:
        form, signature = text
        try:
            if client is None:
                with httpx.Client(base_url=self.base, timeout=30.0) as own:
                    answer = self._send(own, form, signature)
            else:
                answer = self._send(client, form, signature)
        except httpx.TransportError as exc:
            answer = type(exc).__name__
        with self._lock:
            self.answers[answer] += 1
            if answer == "200":
                self.acknowledged[form["MessageSid"]] += 1
            else:
                self.unacknowledged[form["MessageSid"]] += 1
        return answer

    @staticmethod
    def _send(client: httpx.Client, form: dict[str, str], signature: str) -> str:
        response = client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": signature})
        return str(response.status_code)
