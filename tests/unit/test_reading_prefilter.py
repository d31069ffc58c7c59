"""A pattern's hint finds something in every text the pattern matches, so a finder may skip the
pattern whenever its hint finds nothing."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isa_engine.reading.prefilter import hint, required

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MODULES = ("answers", "intents", "opt_out", "price", "rooms", "when", "place", "normalize")


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for name in MODULES:
        module = importlib.import_module(f"isa_engine.reading.{name}")
        out += [
            (f"{name}.{key}", value)
            for key, value in vars(module).items()
            if isinstance(value, re.Pattern) and not key.endswith("_HINT")
        ]
    return out


TEXTS = [
    json.loads(line)["text"].lower()
    for path in sorted(CORPUS.glob("*.jsonl"))
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def test_the_words_a_pattern_requires() -> None:
    assert required(re.compile(r"\b(?:dont|do not) text(?:ing)?")) == {" text"}
    assert required(re.compile(r"(?:in|by) (?:spring|fall)\b")) == {"fall", "spring"}
    assert required(re.compile(r"\d+|soon")) is None  # a digit needs no word
    assert required(re.compile(r"(?:the )?x", re.IGNORECASE)) is None
    assert hint(re.compile(r"\d+")).search("anything")


@pytest.mark.parametrize(("name", "pattern"), _patterns(), ids=lambda v: str(v)[:40])
def test_every_corpus_text_a_pattern_matches_passes_its_hint(
    name: str, pattern: re.Pattern[str]
) -> None:
    quick = hint(pattern)
    for text in TEXTS:
        if pattern.search(text):
            assert quick.search(text), (name, text)


PIECES = ("the", "in", "or", "4", "10", "pm", "3pm", "fall", "next", "year", "tomorrow", "mon")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8), st.sampled_from(_patterns()))
def test_any_text_a_pattern_matches_passes_its_hint(
    words: list[str], named: tuple[str, re.Pattern[str]]
) -> None:
    text = " ".join(words)
    if named[1].search(text):
        assert hint(named[1]).search(text)


def test_a_union_that_skips_parts_matches_as_the_whole_union() -> None:
    from isa_engine.reading import answers

    parts = answers._PROTECTED.parts
    whole = re.compile("|".join(f"(?:{p.pattern})" for p in parts))
    extra = ["mail me at a.b@c.com or 512-555-0101", "see www.zillow.com/x, 12 oak st"]
    for text in [*TEXTS, *extra]:
        got = [m.span() for m in answers._PROTECTED.finditer(text)]
        assert got == [m.span() for m in whole.finditer(text)], text
