"""Compliance keywords (COMPLIANCE.md #4, #6, #8): opt-out, HELP / INFO and START / UNSTOP.

Checked before anything else. An opt-out errs toward honouring the wish: a keyword that is a
whole sentence, or a plain-language wish anywhere, is enough; only phrases that plainly mean
something else ("stop by the open house", "can't stop thinking about it") are let through.
"""

from __future__ import annotations

import re
from functools import cache

from isa_engine.reading.lexicon import load, phrases, words

_OPT_OUT = "opt_out.yaml"

_SENTENCES = re.compile(r"[.!?;\n]+|,\s*(?=[a-z])")
_TOKENS = re.compile(r"[a-z]+")
_SHORT = 40
_CAPS = re.compile(r"\b([A-Z]{3,})\b")
# Spacing, ASCII punctuation and emoji modifiers around a stop-sign emoji.
_NOT_EMOJI = re.compile(r"[\s!-/:-@\[-`{-~\ufe0f\u200d]+")


def _phrase_set(sentence: str, key: str, fillers_key: str) -> bool:
    """True when the sentence is ``key`` entries and filler words, with one entry at least."""
    toks = _TOKENS.findall(sentence)
    keys, fillers = words(_OPT_OUT, key), words(_OPT_OUT, fillers_key)
    i, found = 0, False
    while i < len(toks):
        for n in (3, 2, 1):
            if " ".join(toks[i : i + n]) in keys:
                i, found = i + n, True
                break
        else:
            if toks[i] not in fillers:
                return False
            i += 1
    return found


def is_opt_out(norm: str, original: str) -> bool:
    """True when the text asks, in any reasonable way, to stop being texted."""
    if not original.isascii():
        bare = _NOT_EMOJI.sub("", original)
        if bare and all(c in _emoji() for c in bare):
            return True
    toks = set(_TOKENS.findall(norm))
    if toks & _first_words("keywords") and any(
        _phrase_set(s, "keywords", "fillers") for s in _SENTENCES.split(norm)
    ):
        return True
    if _command(norm, original):
        return True
    wish = phrases(_OPT_OUT, "phrases")
    if not wish.search(norm):
        return False
    return bool(wish.search(phrases(_OPT_OUT, "not_phrases").sub(" ", norm)))


def _command(norm: str, original: str) -> bool:
    """A command word opening the text before a new clause, or shouted inside a quieter text."""
    toks = _TOKENS.findall(norm, 0, 40)
    opener = len(toks) > 1 and toks[0] in words(_OPT_OUT, "command_openers")
    if opener and toks[1] in words(_OPT_OUT, "command_followers"):
        return True
    if original.isupper():
        return False
    shouted = _shouted()
    for m in _CAPS.finditer(original):
        nxt = _TOKENS.match(original[m.end() :].lstrip().lower())
        if m.group(1) in shouted and not (nxt and nxt.group(0) in words(_OPT_OUT, "not_after")):
            return True
    return False


@cache
def _shouted() -> frozenset[str]:
    return frozenset(str(w) for w in load(_OPT_OUT).get("shouted", []))


def is_help(norm: str) -> bool:
    """True for the HELP / INFO keyword: the whole text, give or take politeness."""
    return _whole(norm, "help", "help_fillers")


def is_start(norm: str) -> bool:
    """True for a recorded re-opt-in keyword (START, UNSTOP): the whole text."""
    return _whole(norm, "start", "help_fillers")


def _whole(norm: str, key: str, fillers_key: str) -> bool:
    if len(norm) > _SHORT:  # a keyword message is a word or two; skip the parse on longer ones
        return False
    if not set(_TOKENS.findall(norm)) & _first_words(key):
        return False
    return _phrase_set(norm, key, fillers_key)


@cache
def _emoji() -> str:
    return "".join(words(_OPT_OUT, "emoji"))


@cache
def _first_words(key: str) -> frozenset[str]:
    """The first word of every ``key`` entry: a cheap test before parsing sentences."""
    return frozenset(k.split()[0] for k in words(_OPT_OUT, key) if k.split())
