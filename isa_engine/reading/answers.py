"""Answers to the script's questions: yes/no, lead_type, preapproval, has_agent, email, address.

All work on the normalised text. A bare yes or no fills a slot only when ``expecting`` says which
question it answers; a phrase ("no agent", "pre-approved w chase") fills its slot whatever was
asked.
"""

from __future__ import annotations

import re

from isa_engine.reading.lexicon import phrases, union, words
from isa_engine.reading.prefilter import Guarded, Union

_A = "reading_answers.yaml"
Span = tuple[int, int]

_EMAIL = re.compile(r"[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+")
_STREET = (
    r"(?:st|street|ave|av|avenue|rd|road|dr|drive|ln|lane|blvd|boulevard|way|ct|court|cir|circle"
    r"|pl|place|pkwy|parkway|trl|trail|ter|terrace|hwy|highway|loop|cv|cove|xing|run|path|row|sq)"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,6}}[a-z]?\s+(?:[nsew]\.?\s+)?(?:[a-z0-9]+\.?\s+){{0,3}}?{_STREET}\b\.?"
    r"(?:,?\s*(?:apt|unit|#|suite|ste)\.?\s*[a-z0-9-]+)?"
)
# Each part is searched only when the text holds the words it needs ("@", "http", "st"...).
_PROTECTED = Union(_EMAIL, _URL, _PHONE, _ADDRESS)
_EMAIL_FIRST = Guarded(_EMAIL)
_ADDRESS_LOOSE = re.compile(r"\b\d{1,6}[a-z]?\s+[a-z][a-z0-9 .#-]*?(?=\s*(?:,|\bin\b|$|[.!?]))")
_TOKENS = re.compile(r"[a-z]+")
_CLAUSE_BREAK = re.compile(r"[,.;!?\n]")
_WORDS = re.compile(r"\b[a-z]+\b")
_MAY_PROTECT = re.compile(r"[\d@/]")
_LEADING = re.compile(r"[\W_]*")
_NO_THEN_PUNCT = re.compile(r"[\W_]*(?:[a-z]+\s+)?no\s*[,.!;:?-]")
_NEGATORS = frozenset(
    {"not", "no", "dont", "never", "arent", "isnt", "wont", "havent", "hasnt", "without", "didnt"}
)


_PREAPPROVAL_KEYS = ("cash", "preapproved", "in_progress", "in_progress_weak", "not_preapproved")
_AGENT_KEYS = ("no_agent", "has_agent", "brokerages")
_ANSWER_KEYS = ("buy", "sell", "rent", "rent_to_own", *_PREAPPROVAL_KEYS, *_AGENT_KEYS)
ASKED = frozenset({"lead_type", "preapproval", "has_agent"})


def says_any(text: str) -> bool:
    """False when ``text`` names no lead type, financing or agent: then, unless one of them
    was asked, ``lead_type``, ``preapproval`` and ``has_agent`` all find nothing."""
    return bool(union(_A, _ANSWER_KEYS).search(text))


def negated(text: str, start: int, window: int = 3) -> bool:
    """True when one of the ``window`` words before ``start`` negates what follows."""
    before = _CLAUSE_BREAK.split(text[max(0, start - 30) : start])[-1]  # "not renting, buying"
    return any(w in _NEGATORS for w in _TOKENS.findall(before)[-window:])


def polarity(text: str) -> str | None:
    """ "yes", "no", "soft_yes" (ok / sure) or None: a plain yes or no opening the text."""
    lead = _LEADING.match(text)
    if lead is None or lead.end() == len(text) or not text[lead.end()].isalpha():
        return None  # "450k" opens with a number: no yes or no here
    toks = _WORDS.findall(text, 0, 80)  # a yes or no opens the text: its head is enough
    fillers = words(_A, "lead_fillers")
    while toks and toks[0] in fillers and len(toks) > 1:
        toks = toks[1:]
    if not toks:
        return None
    for n in (3, 2, 1):
        head, rest = " ".join(toks[:n]), toks[n:]
        if head in words(_A, "no_strong"):
            if head == "no" and rest and rest[0] not in words(_A, "no_followers"):
                # "no agent yet", "no more texts": a determiner; "no, next week" an answer
                return "no" if _NO_THEN_PUNCT.match(text) else None
            return "no"
        if head in words(_A, "yes_strong"):
            return "yes"
        if head in words(_A, "yes_soft") and (
            len(rest) <= 2 or " ".join(rest) in words(_A, "yes_soft")
        ):
            return "soft_yes"
    return None


def find_email(text: str) -> tuple[str, Span] | None:
    """The first email address in normalised ``text`` (already lower case)."""
    m = _EMAIL_FIRST.search(text)
    return (m.group(0).rstrip("."), m.span()) if m else None


def protected_spans(text: str) -> list[Span]:
    """Spans whose digits are never counts or prices: emails, phones, links, street addresses."""
    if not _MAY_PROTECT.search(text):
        return []
    return [m.span() for m in _PROTECTED.finditer(text)]


def find_address(text: str, expecting: bool) -> Span | None:
    """The span of a street address; when the address was asked, a loose "<number> <words>" too."""
    m = _ADDRESS.search(text)
    if m is None and expecting:
        m = _ADDRESS_LOOSE.search(text)
    return m.span() if m else None


def lead_type(text: str, expecting: bool) -> str | None:
    """ "buy", "sell", "both" or "rent" from what the lead says they want to do."""
    if not union(_A, ("buy", "sell", "rent", "rent_to_own")).search(text) and not expecting:
        return None
    own = bool(phrases(_A, "rent_to_own").search(text))  # "tired of renting", "want to own"
    for m in phrases(_A, "lead_type_not").finditer(text):
        text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]

    buy, sell, rent = own or _said("buy", text), _said("sell", text), _said("rent", text)
    if (buy and sell) or (expecting and re.search(r"\bboth\b", text)):
        return "both"
    if sell:
        return "sell"
    if rent and buy:
        return None  # "maybe buy maybe rent": undecided, so the script asks again
    if rent:
        return "rent"
    return "buy" if buy else None


def _said(key: str, text: str) -> bool:
    return any(not negated(text, m.start()) for m in phrases(_A, key).finditer(text))


def preapproval(text: str, expecting: bool, yes_no: str | None) -> str | None:
    """ "cash", "in_progress", "no" or "yes": where the lead's financing stands."""
    if not expecting and not union(_A, _PREAPPROVAL_KEYS).search(text):
        return None
    finance = expecting or bool(phrases(_A, "finance_words").search(text))
    if _said("cash", text):
        return "cash"
    if _said("in_progress", text) or (finance and _said("in_progress_weak", text)):
        return "in_progress"
    if phrases(_A, "not_preapproved").search(text):
        return "no"
    if expecting and phrases(_A, "not_preapproved_weak").search(text):
        return "no"
    if any(negated(text, m.start()) for m in phrases(_A, "preapproved").finditer(text)):
        return "no"
    if _said("preapproved", text):
        return "yes"
    if expecting and yes_no in ("yes", "no"):
        return yes_no
    return None


def has_agent(text: str, expecting: bool, yes_no: str | None) -> bool | None:
    """Whether the lead already works with an agent (True / False), or None when not said."""
    if not expecting and not union(_A, _AGENT_KEYS).search(text):
        return None
    if phrases(_A, "no_agent").search(text):
        return False
    if expecting and phrases(_A, "no_agent_weak").search(text):
        return False
    if phrases(_A, "has_agent").search(text):
        return True
    if re.search(r"\b(?:from|with|w)\b", text) and phrases(_A, "brokerages").search(text):
        return True
    if expecting and phrases(_A, "has_agent_weak").search(text):
        return True
    if expecting and yes_no in ("yes", "no"):
        return yes_no == "yes"
    return None
