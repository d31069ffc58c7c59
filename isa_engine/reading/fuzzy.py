"""Fuzzy keyword tokens: how leads disguise or mistype STOP ("stooop", "S-T-O-P", "st0p", "stpo").

Only the opt-out keyword check uses these canonical tokens; slots are never read from them, so a
leetspeak guess ("450k" is not "asok") can never change a number. The matcher errs toward
honouring a wish to stop: a token close enough to a keyword counts as the keyword.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Leetspeak and masking characters inside a word ("st0p", "$TOP", "st*p", "T3XT1NG").
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s",
                       "@": "a", "!": "i", "|": "l"})  # fmt: skip
_WILD = "*"
# Single letters joined by spaces, dots, dashes or underscores: "s t o p", "S.T.O.P.", "u-n-s-u-b".
_SPACED = re.compile(r"(?<![a-z0-9])(?:[a-z0-9$*@][\s.\-_]+){2,}[a-z0-9$*@](?![a-z0-9])\.?")
_MAYBE_SPACED = re.compile(r"(?<![a-z0-9])[a-z0-9$*@][\s.\-_]+[a-z0-9$*@][\s.\-_]")
_TOKEN = re.compile(r"[a-z0-9$*@!|]*[a-z*][a-z0-9$*@!|]*|[a-z]+")
_REPEATS = re.compile(r"(.)\1+")


def squash(word: str) -> str:
    """``word`` with every run of one letter cut to one ("stoooppp" -> "stop")."""
    if len(set(word)) == len(word):
        return word  # no letter twice, so no run: the common case, without a regex
    return _REPEATS.sub(r"\1", word)


def join_spaced(text: str) -> str:
    """``text`` with runs of single letters joined ("s t o p", "S.T.O.P." -> "stop")."""
    if not _MAYBE_SPACED.search(text):
        return text
    return _SPACED.sub(lambda m: re.sub(r"[\s.\-_]", "", m.group(0)), text)


def tokens(text: str) -> list[str]:
    """Canonical lower-case tokens: spaced letters joined, leetspeak read, repeats squashed."""
    return [canonical(tok) for tok in raw_tokens(text)]


def raw_tokens(text: str, *, joined: bool = False) -> list[str]:
    """The tokens of ``text`` before ``canonical``: lower case, spaced letters joined (``joined``
    says a caller already joined them: joining twice changes nothing)."""
    low = text.lower()
    return _TOKEN.findall(low if joined else join_spaced(low))


def canonical(tok: str) -> str:
    """One raw token with leetspeak read and repeats squashed ("$t00p" -> "stop")."""
    if not tok.isalpha() and any(c.isalpha() for c in tok):
        tok = tok.translate(_LEET)
    return squash(tok.strip("!|")) or tok


def distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps cost one), ``limit + 1`` once past it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca in (cb, _WILD) else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _allowed(keyword: str) -> int:
    """Edits allowed for a keyword: none under 4 letters ("end" is not "and"), then 1, then 2."""
    n = len(keyword)
    return 0 if n < 4 else 1 if n < 9 else 2


@lru_cache(maxsize=8192)
def closest(token: str, keywords: frozenset[str]) -> str | None:
    """The keyword ``token`` stands for, exactly or within the allowed edits, or None.

    A short keyword keeps its first letter and its length give or take one, so "shop" and
    "step" are not "stop" but "stpo", "sotp" and "st*p" are.
    """
    if token in keywords:
        return token
    for kw in keywords:
        limit = _allowed(kw)
        if not limit or (token[:1] != kw[:1] and token[:1] != _WILD):
            continue
        d = distance(token, kw, limit)
        if d > limit:
            continue
        if len(kw) <= 5 and not _near_short(token, kw):
            continue
        return kw
    return None


def _near_short(token: str, kw: str) -> bool:
    """A short keyword is matched by a swap, a wildcard, or one letter too many or too few."""
    if len(token) == len(kw):
        diffs = [i for i, (a, b) in enumerate(zip(token, kw, strict=True)) if a != b]
        swapped = len(diffs) == 2 and diffs[1] == diffs[0] + 1
        return swapped or all(token[i] == _WILD for i in diffs)
    return True
