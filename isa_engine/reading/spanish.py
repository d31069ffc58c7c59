"""Spanish as US leads text it, read by the English rules: number words as digits, and the
phrases of ``data/reading_es.yaml`` rewritten into the words the finders know.

Applied by ``normalize`` with the span map kept, so every finder's spans still point into the
lead's own words. Words English also uses ("ya", "si", "a las") are rewritten only in a text that
has a Spanish marker word; the rest in every text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import TypeVar

from isa_engine.reading.lexicon import load

_ES = "reading_es.yaml"
_TOKENS = re.compile(r"[a-z]+")

_UNITS = {
    "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13,
    "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18,
    "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintidos": 22, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27,
    "veintiocho": 28, "veintinueve": 29,
}  # fmt: skip
_TENS = {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
         "ochenta": 80, "noventa": 90}  # fmt: skip
_HUNDREDS = {
    "cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300, "cuatrocientos": 400,
    "quinientos": 500, "seiscientos": 600, "setecientos": 700, "ochocientos": 800,
    "novecientos": 900, "doscientas": 200, "trescientas": 300, "cuatrocientas": 400,
    "quinientas": 500,
}  # fmt: skip
# "un" / "una" are numbers only before "mil", a unit or a room word; elsewhere articles.
_ALL = {k: v for k, v in {**_UNITS, **_TENS, **_HUNDREDS}.items() if k not in ("un", "una")}
_WORD = "|".join(sorted(_ALL, key=len, reverse=True))
_NUMBER = re.compile(rf"\b(?:{_WORD})(?:\s+(?:y\s+)?(?:{_WORD}))*\b")
_ONE = re.compile(r"\b(?:un|una|uno)\b(?=\s+(?:mil\b|millon|bano|recamara|cuarto|habitacion))")

Rewrite = Callable[[re.Match[str]], str | None]
T = TypeVar("T")


def _value(words: list[str]) -> int | None:
    total, last = 0, 1000
    for w in words:
        if w == "y":
            continue
        v = _ALL[w]
        size = 100 if v >= 100 else 10 if v >= 30 else 1
        if size >= last:
            return None  # "dos tres": two numbers, not one
        total, last = total + v, size
    return total


def _number(m: re.Match[str]) -> str | None:
    value = _value(m.group(0).split())
    return None if value is None else str(value)


def is_spanish(text: str) -> bool:
    """True when the normalised ``text`` has a word only Spanish uses."""
    return not _markers().isdisjoint(_words(text))


def has_spanish_words(text: str) -> bool:
    """True when ``text`` has a word only Spanish uses or one the rewrite tables translate
    ("a fin de mes", "este mes"): then its times are read from the rewritten text."""
    toks = _words(text)
    return not (_markers().isdisjoint(toks) and _triggers().isdisjoint(toks))


@lru_cache(maxsize=2)
def _words(text: str) -> frozenset[str]:
    """The words of ``text``. Kept for the last texts: ``normalize`` and ``read`` ask for the
    words of the same lower-cased text one after the other."""
    return frozenset(_TOKENS.findall(text))


@cache
def _markers() -> frozenset[str]:
    return frozenset(str(w) for w in load(_ES)["markers"])


@cache
def _triggers() -> frozenset[str]:
    return frozenset(str(w) for w in load(_ES)["triggers"])


@cache
def _table(key: str) -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str], ...]]:
    entries = [(str(p), str(r)) for p, r in load(_ES)[key]]
    any_of = re.compile("|".join(f"(?:{p})" for p, _ in entries))
    return any_of, tuple((re.compile(rf"(?<![a-z0-9])(?:{p})"), r) for p, r in entries)


def apply(
    norm: T, text_of: Callable[[T], str], rewrite: Callable[[T, re.Pattern[str], Rewrite], T]
) -> T:
    """Run the passes that turn the Spanish in a text into English words, each only when its
    table matches the text as the passes before left it."""
    text = text_of(norm)
    toks = _words(text)
    spanish = not _markers().isdisjoint(toks)
    if not spanish and _triggers().isdisjoint(toks):
        return norm  # most texts: no Spanish word at all
    if spanish and (_NUMBER.search(text) or _ONE.search(text)):
        norm = rewrite(norm, _ONE, lambda m: "1")
        norm = rewrite(norm, _NUMBER, _number)
    for key in ("always", "when_spanish") if spanish else ("always",):
        any_of, table = _table(key)
        if not any_of.search(text_of(norm)):
            continue
        for pattern, repl in table:
            norm = rewrite(norm, pattern, _expand(repl))
    return norm


def _expand(repl: str) -> Rewrite:
    return lambda m: m.expand(repl)
