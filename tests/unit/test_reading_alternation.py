"""The word lists' patterns, gathered by first character, match exactly what their plain union
matches: the same spans, in the same order, from every starting point."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isa_engine.reading.alternation import dispatch
from isa_engine.reading.lexicon import _compile, _list, load, plain
from isa_engine.reading.normalize import normalize

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILES = (
    "reading_intents.yaml",
    "opt_out.yaml",
    "reading_answers.yaml",
    "reading_numbers.yaml",
    "reading_corrections.yaml",
)


def _lists() -> list[tuple[str, str]]:
    return [
        (name, key)
        for name in FILES
        for key, value in load(name).items()
        if isinstance(value, list) and all(isinstance(v, str) for v in value)
    ]


def _texts() -> list[str]:
    texts = [
        json.loads(line)["text"]
        for path in sorted(CORPUS.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [normalize(t).text for t in texts]


TEXTS = _texts()


def _same(a: re.Pattern[str], b: re.Pattern[str], text: str) -> None:
    for pos in range(0, len(text) + 1, 3):
        assert [m.span() for m in a.finditer(text, pos)] == [
            m.span() for m in b.finditer(text, pos)
        ], text
        ma, mb = a.match(text, pos), b.match(text, pos)
        assert (ma and ma.span()) == (mb and mb.span()), text


@pytest.mark.parametrize(("name", "key"), _lists())
def test_a_gathered_list_matches_as_its_plain_union_does(name: str, key: str) -> None:
    items = [str(v) for v in _list(name, key)]
    fast, slow = _compile(items), plain(items)
    for text in TEXTS:
        _same(fast, slow, text)


@pytest.mark.parametrize("name", FILES)
def test_a_whole_file_gathered_matches_as_its_plain_union_does(name: str) -> None:
    items = [str(v) for _name, key in _lists() if _name == name for v in _list(name, key)]
    fast, slow = _compile(items), plain(items)
    for text in TEXTS[::3]:
        _same(fast, slow, text)


def test_groups_spread_in_the_order_a_backtracking_matcher_tries_them() -> None:
    assert (
        dispatch(["(?:dont|do not) text", "(?:the )?x"])
        == "d(?:ont text|o not text)|t(?:he x)|x(?:)"
    )
    assert dispatch([r"\d+ beds?", "(?:a|b)*c"]) == r"\d+ beds?|(?:a|b)*c"
    assert dispatch(["(?P<n>a)b", "ab"]) == "(?:(?P<n>a)b)|a(?:b)"
    assert dispatch([r"(?:^|\bso )not"]) == r"n(?:(?<=^.)ot)|s(?:(?<=\b.)o not)"


WORDS = (
    "do",
    "dont",
    "not",
    "text",
    "me",
    "the",
    "stop",
    "no",
    "a",
    "3",
    "x",
    "ab",
    "c",
    " ",
    "_no",
    "éthe",
    "_so",
)
ENTRIES = (
    "(?:dont|do not) text",
    "(?:the )?x",
    "(?:a|ab)(?:c|)",
    "no(?:t)? me",
    r"\d+ x",
    "(?:stop|st)op?",
    "(?:me|the)? ?(?:x|ab)",
    "[a-c]+ text",
    "(?:do )??not",
    r"(?:^|\bno |\bthe )(?:\w+ )?x",
    r"^not me\b",
    r"\bab|\b3 x",
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=5),
    st.lists(st.sampled_from(WORDS), max_size=12),
)
def test_any_entries_gathered_match_as_their_plain_union(
    entries: list[str], words: list[str]
) -> None:
    _same(_compile(entries), plain(entries), " ".join(words))
