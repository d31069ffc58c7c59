"""Why a text was read as it was: per slot and intent, the rule and the words that produced it.

For authors (``isa nlu parse --explain``), not for the engine: it re-runs the finders and the
word lists after ``read`` and reports what each one matched, so it costs nothing when unused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from isa_engine.model import Intent, Reading
from isa_engine.reading import read
from isa_engine.reading.lexicon import phrases
from isa_engine.reading.negation import negated_items
from isa_engine.reading.normalize import Normalized, normalize
from isa_engine.reading.opt_out import find_opt_out
from isa_engine.reading.price import find_prices
from isa_engine.reading.rooms import find_rooms
from isa_engine.reading.when import find_appointment, find_timeframe


@dataclass(frozen=True, slots=True)
class Because:
    """One reason: ``what`` (a slot, an intent, or "taken back"), the ``rule``, the ``words``."""

    what: str
    rule: str
    words: str

    def to_json(self) -> dict[str, str]:
        """A plain mapping for JSON output."""
        return {"what": self.what, "rule": self.rule, "words": self.words}


_INTENT_LISTS = {
    Intent.WRONG_NUMBER: ("reading_intents.yaml", ("wrong_number",)),
    Intent.NOT_INTERESTED: ("reading_intents.yaml", ("not_interested",)),
    Intent.IDENTITY_QUESTION: ("reading_intents.yaml", ("identity_question",)),
    Intent.QUESTION: ("reading_intents.yaml", ("question_strong", "question_topics")),
    Intent.CALL_REQUEST: ("reading_intents.yaml", ("call_request",)),
    Intent.RESCHEDULE: ("reading_intents.yaml", ("reschedule",)),
    Intent.DECLINE_CALL: ("reading_intents.yaml", ("decline_call",)),
}
_SLOT_LISTS = {
    "lead_type": ("reading_answers.yaml", ("buy", "sell", "rent")),
    "preapproval": (
        "reading_answers.yaml",
        ("cash", "preapproved", "in_progress", "not_preapproved", "in_progress_weak"),
    ),
    "has_agent": ("reading_answers.yaml", ("no_agent", "has_agent", "brokerages")),
}
_FIRST_WORDS = re.compile(r"\W*(\w+(?:\s+\w+)?)")


def explain(text: str, expecting: str | None, now: datetime) -> tuple[Reading, list[Because]]:
    """Read ``text`` as ``read`` does, and say why each slot and intent is there."""
    reading = read(text, expecting, now)
    norm = normalize(text)
    out: list[Because] = []
    for s, e in negated_items(norm.text):
        out.append(Because("taken back", "negation: reading_corrections.yaml", norm.text[s:e]))
    for intent in sorted(reading.intents, key=lambda i: i.value):
        out.append(_intent(intent, norm, text))
    for slot, value in reading.slots.items():
        out.append(_slot(slot, value, norm, text, expecting, now))
    return reading, out


def _intent(intent: Intent, norm: Normalized, text: str) -> Because:
    if intent is Intent.OPT_OUT:
        why = find_opt_out(norm.text, text)
        rule = f"opt-out {why.rule}: opt_out.yaml" if why else "opt-out"
        return Because(intent.value, rule, why.words if why else "")
    if intent in (Intent.AFFIRM, Intent.DENY):
        head = _FIRST_WORDS.match(norm.text)
        return Because(
            intent.value, "yes / no: reading_answers.yaml", head.group(1) if head else ""
        )
    if intent in _INTENT_LISTS:
        name, keys = _INTENT_LISTS[intent]
        return _listed(intent.value, name, keys, norm.text)
    return Because(intent.value, "compliance keyword: opt_out.yaml", norm.text.strip())


def _listed(what: str, name: str, keys: tuple[str, ...], norm: str) -> Because:
    for key in keys:
        m = phrases(name, key).search(norm)
        if m:
            return Because(what, f"{name} {key}", m.group(0))
    return Because(what, f"{name} (a rule in code)", "")


def _slot(
    slot: str, value: object, norm: Normalized, text: str, expecting: str | None, now: datetime
) -> Because:
    bare = expecting == slot
    if slot in _SLOT_LISTS:
        name, keys = _SLOT_LISTS[slot]
        found = _listed(slot, name, keys, norm.text)
        if found.words or not bare:
            return found
        return Because(slot, "yes / no answering the question asked", norm.text.strip())
    if slot == "location":
        return Because(slot, "place: gazetteer", ", ".join(str(v) for v in value))  # type: ignore[attr-defined]
    if slot == "appointment":
        m = find_appointment(text, now, expecting=expecting == "appointment")
        return Because(
            slot, "time: when.find_appointment", text[m.span[0] : m.span[1]] if m else ""
        )
    if slot == "timeframe":
        t = find_timeframe(text, now, expecting=expecting == "timeframe")
        return Because(slot, "time: when.find_timeframe", text[t.span[0] : t.span[1]] if t else "")
    if slot in ("beds", "baths"):
        r = find_rooms(norm.text, expecting)
        return Because(
            slot, "rooms: rooms.find_rooms", " / ".join(norm.text[s:e] for s, e in r.spans)
        )
    if slot in ("price_min", "price_max", "home_value"):
        p = find_prices(norm.text, expecting)
        return Because(
            slot, "money: price.find_prices", " / ".join(norm.text[s:e] for s, e in p.spans)
        )
    return Because(slot, "answers", str(value))
