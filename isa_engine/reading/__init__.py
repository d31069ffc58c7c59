"""The reply reader: what one inbound text says, as a ``Reading`` (slots and intents).

``read`` checks the compliance keywords first (an opt-out pre-empts everything), then runs the
finders. Places and times are found on the original text by ``place`` and ``when``; their spans,
and those of emails, phones and addresses, are blanked before rooms and money are read, so
"tomorrow at 3" is never 3 bedrooms and a ZIP is never a price. A room count with a unit
("3 bd") beats a time finder that claims the same characters.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from isa_engine.model import Intent, Reading, SlotValue
from isa_engine.reading import answers, spanish

# Aliased so the names "intents" and "normalize" keep meaning the submodules on this package.
from isa_engine.reading.intents import intents as _intents
from isa_engine.reading.intents import keyword_intents
from isa_engine.reading.language import detect as detect_language
from isa_engine.reading.negation import corrects, negated_items, not_place_words, place_negated
from isa_engine.reading.normalize import Normalized, Span, blank
from isa_engine.reading.normalize import normalize as _normalize
from isa_engine.reading.place import find_places
from isa_engine.reading.price import find_prices
from isa_engine.reading.price import strong_spans as money_spans
from isa_engine.reading.rooms import find_rooms, strong_spans
from isa_engine.reading.when import find_appointment, find_timeframe

__all__ = ["read"]

_ANY_DIGIT = re.compile(r"\d")
_YES_AFTER_ASIDE = re.compile(
    r"\b(?:i mean|anyway|anyways|but|jk|wait|lol)[,\s]+(?:yes|yeah|yep|yup)\b(?!\s*(?:or|and) no)"
)
# "had one but fired her, so no": the answer closes the text instead of opening it.
_SO_YES_NO = re.compile(r"\bso\s*,?\s*(?:(no|nope|nah)|yes|yeah|yep|yup)\W*$")
_NUMERIC = re.compile(r"\d|studio|efficiency|\bhalf\b")


def _overlaps(span: Span, others: list[Span]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in others)


def _places(
    norm: Normalized, text: str, expecting: str | None, blocked: list[Span]
) -> tuple[list[str], list[Span]]:
    names: list[str] = []
    spans: list[Span] = []
    for p in find_places(text, expecting=expecting == "location"):
        if _overlaps(p.span, blocked):
            continue  # "k.nguyen@outlook.com" names no place
        spans.append(p.span)
        at = norm.from_original(p.span)
        if place_negated(norm.text, at):
            continue  # "not Kyle, I said Buda"
        if not_place_words().issuperset(norm.text[at[0] : at[1]].split()):
            continue  # "scratch tampa", "máximo 300 mil": no place however capitalised
        if p.name not in names:
            names.append(p.name)
    return names, spans


def _times(
    text: str,
    now: datetime,
    expecting: str | None,
    blocked: list[Span],
    slots: dict[str, SlotValue],
    rewritten: Normalized | None = None,
) -> tuple[str | None, bool, list[Span]]:
    """Fill appointment / timeframe; return the day-only day, whether the appointment named
    no day (a time alone), and the spans used (of ``text``). With ``rewritten``, the finders
    read its text, the Spanish in it turned into English words, and the spans map back."""
    spans: list[Span] = []
    day_only, time_only = None, False
    read_from, back = (text, _same)
    if rewritten is not None:
        read_from, back = rewritten.text, rewritten.to_original
    appt = find_appointment(read_from, now, expecting=expecting == "appointment")
    if appt is not None and not _overlaps(back(appt.span), blocked):
        spans.append(back(appt.span))
        if appt.value:
            slots["appointment"] = appt.value
            time_only = not appt.day_given
        else:
            day_only = appt.day_only
    frame = find_timeframe(read_from, now, expecting=expecting == "timeframe")
    if frame is not None and not _overlaps(back(frame.span), blocked):
        spans.append(back(frame.span))
        slots["timeframe"] = frame.value
    return day_only, time_only, spans


def _same(span: Span) -> Span:
    return span


def _fold(text: str) -> str:
    """Lower case without accents, as the Spanish word lists are written."""
    if text.isascii():
        return text.lower()  # nothing to decompose
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )


def _numbers(masked: str, expecting: str | None, slots: dict[str, SlotValue]) -> None:
    if not _NUMERIC.search(masked):
        return  # no digit and no "studio" / "a bath and a half": no count and no price
    rooms = find_rooms(masked, expecting)
    if rooms.beds is not None:
        slots["beds"] = rooms.beds
    if rooms.baths is not None:
        slots["baths"] = rooms.baths
    prices = find_prices(blank(masked, rooms.spans + rooms.strong), expecting)
    for name in ("price_min", "price_max", "home_value"):
        value = getattr(prices, name)
        if value is not None:
            slots[name] = value


def _answers(
    norm: Normalized,
    text: str,
    expecting: str | None,
    yes_no: str | None,
    slots: dict[str, SlotValue],
) -> None:
    t = norm.text
    if expecting in answers.ASKED or answers.says_any(t):  # one search rules out three
        lead = answers.lead_type(t, expecting == "lead_type")
        if lead:
            slots["lead_type"] = lead
        pre = answers.preapproval(t, expecting == "preapproval", yes_no)
        if pre:
            slots["preapproval"] = pre
        agent = answers.has_agent(t, expecting == "has_agent", yes_no)
        if agent is not None:
            slots["has_agent"] = agent
    email = answers.find_email(t)
    if email:
        slots["email"] = email[0]
    if expecting == "address":
        span = answers.find_address(t, True)
        if span:
            s, e = norm.to_original(span)
            slots["address"] = " ".join(text[s:e].split()).strip(" ,.")


def _not_a_lead(found: set[Intent], slots: dict[str, SlotValue]) -> None:
    """A wrong number states nothing about a search; someone no longer looking keeps only when
    they might be back ("maybe in a year or two")."""
    if Intent.WRONG_NUMBER in found:
        slots.clear()
    elif Intent.NOT_INTERESTED in found:
        for name in [k for k in slots if k != "timeframe"]:
            del slots[name]


def read(text: str, expecting: str | None, now: datetime) -> Reading:
    """Read one inbound ``text``.

    ``expecting`` is the slot the last question asked (or None); ``now`` is lead-local time.
    """
    language = detect_language(text)
    norm = _normalize(text)
    keyword = keyword_intents(norm.text, text)
    if Intent.OPT_OUT in keyword:
        reading = _opt_out(norm, keyword)
    elif keyword:
        reading = Reading(intents=keyword)
    else:
        reading = _read(norm, text, expecting, now)
    if not language:
        return reading
    # Built directly: dataclasses.replace walks the fields in Python, on every text.
    r = reading
    return Reading(r.slots, r.intents, r.day_only, r.time_only, language)


# Besides the wish to stop, an opt-out keeps what a human ISA would still note: who they think
# we are, a wrong number, an agent they already have.
_WITH_OPT_OUT = frozenset({Intent.WRONG_NUMBER, Intent.IDENTITY_QUESTION})
_NO_SEARCH = frozenset({Intent.WRONG_NUMBER, Intent.NOT_INTERESTED})


def _opt_out(norm: Normalized, keyword: frozenset[Intent]) -> Reading:
    """Only what an opt-out keeps is read, as ``_read`` would read it with no question asked:
    the intents (a yes or no only adds affirm / deny, which are not kept) and an agent, which
    a wrong number or a lead no longer looking states nothing about (``_not_a_lead``)."""
    found = _intents(norm.text, None)
    slots: dict[str, SlotValue] = {}
    agent = answers.has_agent(norm.text, False, None)
    if agent is not None and not found & _NO_SEARCH:
        slots["has_agent"] = agent
    return Reading(slots=slots, intents=keyword | (found & _WITH_OPT_OUT))


def _read(norm: Normalized, text: str, expecting: str | None, now: datetime) -> Reading:
    slots: dict[str, SlotValue] = {}
    taken_back = [norm.to_original(s) for s in negated_items(norm.text)]
    if taken_back:
        text = blank(text, taken_back)  # "I meant 375 not 357": only 375 is read
    protected: list[Span] = []
    rooms_first: list[Span] = []
    if _ANY_DIGIT.search(norm.text) or "@" in norm.text:
        protected = [norm.to_original(s) for s in answers.protected_spans(norm.text)]
        rooms_first = [norm.to_original(s) for s in strong_spans(norm.text)]
        rooms_first += [norm.to_original(s) for s in money_spans(norm.text)]
    names, place_spans = _places(norm, text, expecting, protected + rooms_first)
    if names:
        slots["location"] = tuple(names)
    # Spanish times are read from the rewritten text ("el jueves a las 4" is "el thursday at 4")
    when = norm if spanish.has_spanish_words(_fold(text)) else None
    day_only, time_only, time_spans = _times(
        text, now, expecting, protected + rooms_first, slots, when
    )
    masked = norm.masked(norm.text, protected + place_spans + time_spans + taken_back)
    _numbers(masked, expecting, slots)
    yes_no = answers.polarity(norm.text)
    if yes_no == "no" and corrects(norm.text):
        yes_no = None  # "no not frisco, prosper" corrects; it is no plain no
    if yes_no is None and _YES_AFTER_ASIDE.search(norm.text):
        yes_no = "yes"  # "stop! i mean yes, preapproved": the yes follows an aside
    if yes_no is None and expecting is not None and (closing := _SO_YES_NO.search(norm.text)):
        yes_no = "no" if closing.group(1) else "yes"
    if yes_no == "soft_yes" and expecting is None:
        yes_no = None  # "ok" with no question asked acknowledges; it agrees to nothing
    _answers(norm, text, expecting, yes_no, slots)
    found = _intents(norm.text, yes_no)
    _not_a_lead(found, slots)
    return Reading(slots=slots, intents=frozenset(found), day_only=day_only, time_only=time_only)
