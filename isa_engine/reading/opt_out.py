"""Compliance keywords (COMPLIANCE.md #4, #6, #8): opt-out, HELP / INFO and START / UNSTOP.

Checked before anything else. An opt-out errs toward honouring the wish: a keyword that is a
whole sentence (matched fuzzily: "stooop", "S-T-O-P", "st0p"), or a plain-language wish anywhere,
is enough. Then its scope is read, as a human ISA would: a word aimed at us and our texts opts
out; one aimed at an e-mail list, a search filter, a requirement, a previous statement ("stop,
my bad, 3 baths"), or pleading to stay ("don't remove me") does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from isa_engine.reading import fuzzy
from isa_engine.reading.lexicon import load, phrases, words

_INTENTS = "reading_intents.yaml"

_OPT_OUT = "opt_out.yaml"

_SENTENCES = re.compile(r"[.!?;\n]+|,\s*(?=[a-z])")
_TOKENS = re.compile(r"[a-z]+")
_SHORT = 40
_CAPS = re.compile(r"\b([A-Z]{3,})\b")
# Spacing, ASCII punctuation and emoji modifiers around a stop-sign emoji.
_NOT_EMOJI = re.compile(r"[\s!-/:-@\[-`{-~\ufe0f\u200d]+")
_CLAUSE_END = re.compile(r"[.!?;,\n]|\b(?:but|and|so|then)\b")
_DIGIT = re.compile(r"\d")
_LONGEST_KEYWORD_SENTENCE = 9  # spaces: ten words
_PLEA = re.compile(
    r"\b(?:dont|do not|didnt|did not|not|never)\s+(?:want to\s+|wanna\s+|mean to\s+)?$"
)
_NEGATIVE = ("dont", "do not", "never", "not ")
_OTHER_CHANNEL = re.compile(r"e ?mail")


@dataclass(frozen=True, slots=True)
class OptOut:
    """Why a text opts out: the ``rule`` that fired and the ``words`` it fired on."""

    rule: str
    words: str


def _phrase_set(toks: list[str], keys: frozenset[str], fillers: frozenset[str]) -> bool:
    """True when the tokens are ``keys`` entries and filler words, with one entry at least."""
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


def _keyword_sentence(norm: str, original: str) -> OptOut | None:
    """A sentence made only of opt-out keywords and politeness, read fuzzily."""
    keys, fillers, weak = _squashed("keywords"), _squashed("fillers"), _squashed("weak_keywords")
    for sentence in _SENTENCES.split(fuzzy.join_spaced(norm)):
        if sentence.count(" ") > _LONGEST_KEYWORD_SENTENCE:
            continue  # "stop texting me right now please" is as long as a keyword sentence gets
        toks = _canonical(sentence)
        if not toks or not _phrase_set(toks, keys, fillers):
            continue
        said = {
            g
            for n in (1, 2, 3)
            for i in range(len(toks))
            if (g := " ".join(toks[i : i + n])) in keys
        }
        if said <= weak and _DIGIT.search(norm):
            continue  # "we stop at 450k, no more": a budget, not a wish
        return OptOut("keyword", sentence.strip())
    return None


def _canonical(sentence: str) -> list[str] | None:
    """The sentence's tokens with near-keywords read as the keyword; None at the first word
    that is neither a keyword, a part of one, nor politeness (most sentences stop there)."""
    out = []
    for raw in fuzzy.raw_tokens(sentence, joined=True):  # the whole text was joined
        t = _keyword_token(raw)
        if t is None:
            return None
        out.append(t)
    return out


@lru_cache(maxsize=8192)
def _keyword_token(raw: str) -> str | None:
    """The keyword, keyword part or politeness word a raw token stands for, or None."""
    t = fuzzy.canonical(raw)
    return t if t in _known() else fuzzy.closest(t, _singles())


@cache
def _known() -> frozenset[str]:
    keys = _squashed("keywords")
    return frozenset(w for k in keys for w in k.split()) | _squashed("fillers")


@cache
def _singles() -> frozenset[str]:
    return frozenset(k for k in _squashed("keywords") if " " not in k)


def find_opt_out(norm: str, original: str) -> OptOut | None:
    """Why the text asks, in any reasonable way, to stop being texted; None when it does not."""
    if not original.isascii():
        bare = _NOT_EMOJI.sub("", original)
        if bare and all(c in _emoji() for c in bare):
            return OptOut("emoji", bare)
    hits: list[OptOut] = []
    kw = _keyword_sentence(norm, original)
    if kw is not None:
        hits.append(kw)
    cmd = _command(norm, original)
    if cmd is not None:
        hits.append(cmd)
    wish = phrases(_OPT_OUT, "phrases")
    if wish.search(norm):
        cleaned = phrases(_OPT_OUT, "not_phrases").sub(lambda m: " " * len(m.group(0)), norm)
        hits += [
            OptOut("phrase", m.group(0)) for m in wish.finditer(cleaned) if _aimed_at_us(cleaned, m)
        ]
    if not hits:
        return None
    if phrases(_OPT_OUT, "retracted").search(norm):
        hits = [h for h in hits if h.rule == "phrase" and _names_texts(h.words)]
    if hits and (phrases(_OPT_OUT, "keep").search(norm) or wants_call(norm)):
        hits = [h for h in hits if _names_texts(h.words) and not _pleads(norm, h.words)]
    return hits[0] if hits else None


def wants_call(norm: str) -> bool:
    """True when the text asks for a call: a wish for contact, so a bare keyword is not one."""
    cleaned = phrases(_INTENTS, "call_request_not").sub(" ", norm)
    return bool(phrases(_INTENTS, "call_request").search(cleaned))


def is_opt_out(norm: str, original: str) -> bool:
    """True when the text asks, in any reasonable way, to stop being texted."""
    return find_opt_out(norm, original) is not None


def _names_texts(said: str) -> bool:
    return bool(
        re.search(r"\b(?:texts?|texting|txts?|messag\w*|msgs?|sms|mensajes|textos)\b", said)
    )


def _pleads(norm: str, said: str) -> bool:
    at = norm.find(said)
    return at > 0 and bool(re.search(r"(?:dont|do not|never)\s+(?:\w+\s+)?$", norm[:at]))


def _aimed_at_us(norm: str, m: re.Match[str]) -> bool:
    """False when the words right after the wish name another target before any text of ours,
    or when the wish itself is pleaded against ("don't unsubscribe me")."""
    said = m.group(0)
    if _PLEA.search(norm, max(0, m.start() - 24), m.start()) and not said.startswith(_NEGATIVE):
        return False
    if _names_texts(said):
        return True
    if _OTHER_CHANNEL.search(said):
        return False  # "stop getting emails from realtor.com": not our texts
    end = _CLAUSE_END.search(norm, m.end())
    tail = norm[m.end() : end.start() if end else len(norm)][:60]
    other = phrases(_OPT_OUT, "other_targets").search(tail)
    if other is None:
        return True
    ours = phrases(_OPT_OUT, "text_targets").search(tail)
    return ours is not None and ours.start() < other.start()


def _command(norm: str, original: str) -> OptOut | None:
    """A command word opening the text before a new clause, or shouted inside a quieter text."""
    toks = _TOKENS.findall(norm, 0, 40)
    opener = len(toks) > 1 and toks[0] in words(_OPT_OUT, "command_openers")
    if opener and toks[1] in words(_OPT_OUT, "command_followers"):
        return OptOut("command", " ".join(toks[:2]))
    if original.isupper() or original.islower():
        return None  # all capitals: nothing shouted louder; no capitals: nothing shouted
    shouted = _shouted()
    for m in _CAPS.finditer(original):
        nxt = _TOKENS.match(original[m.end() :].lstrip().lower())
        if m.group(1) in shouted and not (nxt and nxt.group(0) in words(_OPT_OUT, "not_after")):
            return OptOut("shouted", m.group(1))
    return None


@cache
def _shouted() -> frozenset[str]:
    return frozenset(str(w) for w in load(_OPT_OUT).get("shouted", []))


@cache
def _squashed(key: str) -> frozenset[str]:
    return frozenset(" ".join(fuzzy.squash(w) for w in k.split()) for k in words(_OPT_OUT, key))


def is_help(norm: str) -> bool:
    """True for the HELP / INFO keyword: the whole text, give or take politeness."""
    return _whole(norm, "help", "help_fillers")


def is_start(norm: str) -> bool:
    """True for a recorded re-opt-in keyword (START, UNSTOP): the whole text."""
    return _whole(norm, "start", "help_fillers")


def _whole(norm: str, key: str, fillers_key: str) -> bool:
    if len(norm) > _SHORT:  # a keyword message is a word or two; skip the parse on longer ones
        return False
    toks = _TOKENS.findall(norm)
    if not set(toks) & _first_words(key):
        return False
    return _phrase_set(toks, words(_OPT_OUT, key), words(_OPT_OUT, fillers_key))


@cache
def _emoji() -> str:
    return "".join(words(_OPT_OUT, "emoji"))


@cache
def _first_words(key: str) -> frozenset[str]:
    """The first word of every ``key`` entry: a cheap test before parsing sentences."""
    return frozenset(k.split()[0] for k in words(_OPT_OUT, key) if k.split())
