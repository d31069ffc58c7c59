"""Intents: opt-out first (see ``opt_out``), then the corpus intents and the engine-only ones.

Every function takes the normalised text. Word lists live in ``data/reading_intents.yaml``.
"""

from __future__ import annotations

import re

from isa_engine import us_data
from isa_engine.model import Intent
from isa_engine.reading.answers import polarity
from isa_engine.reading.lexicon import phrases, union, words
from isa_engine.reading.opt_out import is_help, is_opt_out, is_start

_INTENTS = "reading_intents.yaml"

_TOKENS = re.compile(r"[a-z]+")
# Every list that can add an intent without a question mark ("is this karen?" needs one).
_ALL = (
    "wrong_number",
    "not_interested",
    "identity_question",
    "question_strong",
    "question_words",
    "decline_call",
    "call_request",
    "reschedule",
)
_IS_THIS_NAME = re.compile(r"\bis (?:this|that|it) ([a-z]+(?: [a-z]+)?)\s*\?")
# "this isn't Tanya", "I'm not Derek": the lead is not the person we think, when the word is a
# name rather than a state ("I'm not interested", "this isn't working").
_NOT_NAME = re.compile(
    r"\b(?:(?:this|it|that)\s+(?:isnt|is not|aint|s not)|(?:im|i am)\s+not)\s+"
    r"([a-z]+)\s*(?:[.!?,;]|$)"
)
_NOT_A_NAME_END = ("ing", "ed", "ly", "ful", "ble")


def keyword_intents(norm: str, original: str) -> frozenset[Intent]:
    """The compliance intents that pre-empt reading: opt-out (with wrong number), HELP, START."""
    if is_opt_out(norm, original):
        if phrases(_INTENTS, "wrong_number").search(norm):
            return frozenset({Intent.OPT_OUT, Intent.WRONG_NUMBER})
        return frozenset({Intent.OPT_OUT})
    if is_help(norm):
        return frozenset({Intent.HELP})
    if is_start(norm):
        return frozenset({Intent.START})
    return frozenset()


def _is_question_form(norm: str) -> bool:
    if "?" in norm:
        return True
    toks = _TOKENS.findall(norm)
    return bool(toks) and toks[0] in words(_INTENTS, "question_words")


def _not_who_we_think(norm: str) -> bool:
    m = _NOT_NAME.search(norm)
    if m is None:
        return False
    w = m.group(1)
    if w in words(_INTENTS, "not_names") or w in words(_INTENTS, "not_name_states"):
        return False
    return not w.endswith(_NOT_A_NAME_END) and us_data.zipf(w) < 5.0


def _identity(norm: str) -> bool:
    return _identity_match(norm) is not None


def _identity_match(norm: str) -> re.Match[str] | None:
    m = phrases(_INTENTS, "identity_question").search(norm)
    if m is not None:
        return m
    m = _IS_THIS_NAME.search(norm)
    ok = m is not None and m.group(1).split()[0] not in words(_INTENTS, "not_names")
    return m if ok else None


def _question(norm: str) -> bool:
    if phrases(_INTENTS, "question_strong").search(norm):
        return True
    return _is_question_form(norm) and bool(phrases(_INTENTS, "question_topics").search(norm))


def _after_identity(norm: str) -> str:
    """The text past its identity question ("who is this? and how much is the house on cedar"):
    asking who we are is no question for the agent, and a question after it still is."""
    m = _identity_match(norm)
    if m is None:
        return norm
    end = norm.find("?", m.end())
    return norm[end + 1 :] if end >= 0 else ""


def _call_request(norm: str) -> bool:
    cleaned = phrases(_INTENTS, "call_request_not").sub(" ", norm)
    return bool(phrases(_INTENTS, "call_request").search(cleaned))


def intents(norm: str, yes_no: str | None) -> set[Intent]:
    """The non-keyword intents of a text; ``yes_no`` is ``answers.polarity`` of it."""
    found: set[Intent] = set()
    if yes_no in ("yes", "soft_yes"):
        found.add(Intent.AFFIRM)
    elif yes_no == "no":
        found.add(Intent.DENY)
    if "?" not in norm and " not " not in norm and not union(_INTENTS, _ALL).search(norm):
        return found  # most slot answers carry no intent: one search instead of a dozen
    if phrases(_INTENTS, "wrong_number").search(norm) or _not_who_we_think(norm):
        found.add(Intent.WRONG_NUMBER)
    if Intent.WRONG_NUMBER not in found and phrases(_INTENTS, "not_interested").search(norm):
        found.add(Intent.NOT_INTERESTED)
        found.discard(Intent.DENY)  # "no thanks, we're all set" declines the whole thing
    if _identity(norm):
        found.add(Intent.IDENTITY_QUESTION)
    if _question(_after_identity(norm)):
        found.add(Intent.QUESTION)
    if phrases(_INTENTS, "decline_call").search(norm):
        found.add(Intent.DECLINE_CALL)
    elif _call_request(norm):
        found.add(Intent.CALL_REQUEST)
    if phrases(_INTENTS, "reschedule").search(norm):
        found.add(Intent.RESCHEDULE)
    return found


__all__ = ["intents", "keyword_intents", "polarity"]
