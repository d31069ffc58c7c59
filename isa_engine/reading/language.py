"""Which language a lead writes in: ``detect(text)`` → ``"es"``, ``"en"`` or None.

Small and fast on purpose (it runs on every inbound text): each word only one of the two
languages uses counts for it, one point or two (the lists and the rule are in
``data/reading_language.yaml``), and Spanish spelling (á é í ó ú ñ, ¿ ¡) counts once. A
language needs more points than the other, and two when one of them is a strong word or
Spanish spelling, three otherwise: "ok", "3", "si", "yes", "tomorrow at 2pm" or a place
name decide nothing (None), so a short or borrowed reply never moves a conversation; a
mixed text takes its dominant language. Capitalised articles that start place names ("El Paso",
"Los Angeles", "San Antonio") are names, not Spanish.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from isa_engine.reading.lexicon import load

Language = Literal["es", "en"]
LANGUAGES: tuple[Language, ...] = ("en", "es")

_LISTS = "reading_language.yaml"
# Whole words only: the "k" of "250k" is no Spanish "que".
_WORD = re.compile(r"\b[^\W\d_]+\b")
_APOSTROPHES = re.compile(r"['\u2019\u02bc]")
_SPANISH_LETTERS = re.compile(r"[áéíóúñÁÉÍÓÚÑ]")


@cache
def _table() -> tuple[dict[str, int], frozenset[str]]:
    """Each listed word's weight (Spanish positive, English negative), and the name starts."""
    data = load(_LISTS)

    def listed(key: str) -> list[str]:
        value = data.get(key)
        if not isinstance(value, str) or not value.split():
            raise ValueError(f"{_LISTS}: {key} must be words separated by spaces")
        return value.lower().split()

    weights: dict[str, int] = {}
    for key, weight in (("en_weak", -1), ("en_strong", -2), ("es_weak", 1), ("es_strong", 2)):
        weights.update(dict.fromkeys(listed(key), weight))
    return weights, frozenset(listed("name_starts"))


def detect(text: str) -> Language | None:
    """The language ``text`` is written in, or None when it is too short or mixed to tell."""
    weights, name_starts = _table()
    words = _WORD.findall(_APOSTROPHES.sub("", text))
    es = en = 0
    es_sure = en_sure = False  # a strong word (or Spanish spelling) was seen
    last = len(words) - 1
    for i, word in enumerate(words):
        low = word.lower()
        weight = weights.get(low, 0)
        if weight > 0:
            named = i < last and word[0].isupper() and words[i + 1][0].isupper()
            if named and low in name_starts:
                continue  # "El Paso": a name
            es += weight
            es_sure = es_sure or weight > 1
        elif weight < 0:
            en -= weight
            en_sure = en_sure or weight < -1
    if _SPANISH_LETTERS.search(text) or "¿" in text or "¡" in text:
        es, es_sure = es + 1, True
    if es > en and es >= (2 if es_sure else 3):
        return "es"
    if en > es and en >= (2 if en_sure else 3):
        return "en"
    return None
