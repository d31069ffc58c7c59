"""Budget: price_min / price_max ("350-400k", "under half a mil", "around 450"), or home_value.

Works on the normalised text with rooms, times, places, phones and addresses blanked out. A number
counts as money only with a money cue (a multiplier, "$", a budget word, the question asked) and
without a distractor (HOA, monthly payment, credit score, square feet, kids, years...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from isa_engine.reading.lexicon import phrases, words

Span = tuple[int, int]
_N = "reading_numbers.yaml"

_AMT = (
    r"(?P<{d}>\$\s*)?(?P<{n}>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?![\d:/]|\.\d|s\b)"
    r"\s*(?P<{m}>k\b|thousand|grand|mil(?:lion|l)?s?\b|mm?\b|hundred(?:\s+(?:thousand|k)\b)?)?"
)
_ONE = _AMT.format(d="d1", n="n1", m="m1")
_TWO = _AMT.format(d="d2", n="n2", m="m2")
_RANGE = re.compile(
    rf"(?<![\w.,$])(?P<between>(?:between|from)\s+)?{_ONE}\s*(?:-|to|and|or)\s*{_TWO}(?:\s*-?ish)?"
)
_SINGLE = re.compile(rf"(?<![\w.,$])(?:{_ONE})(?P<ish>\s*-?ish)?")
_DECADE = re.compile(r"\b(?:(?P<part>low|mid|middle|high|upper)\s*-?\s*)?(?P<n>[1-9]\d{2})s\b")
_CLAUSE_END = re.compile(r"[,.;!?\n]")
_PER_PERIOD = re.compile(r"^\s*(?:/\s*[a-z]+|(?:a|per|each|every)\s+(?:month|mo|year|yr|week))\b")
_STREET_AFTER = re.compile(
    r"^\s*(?:[nsew]\.?\s+)?(?:[a-z]+\s+){1,3}(?:st|street|ave|avenue|rd|road|dr|drive|ln|lane|blvd|way|ct|court|cir|pl|pkwy|trl|hwy)\b"
)
_WORDS = re.compile(r"[a-z$~+]+")
_DIGITS = re.compile(r"\d+")
_MIN_PRICE = 10_000
_MAX_PRICE = 100_000_000


@dataclass(slots=True)
class _Amount:
    value: int
    span: Span
    cued: bool  # carries its own money cue ("k", "$", "mil", commas)


@dataclass(slots=True)
class Prices:
    """Money the text states, and the normalised spans it used."""

    price_min: int | None = None
    price_max: int | None = None
    home_value: int | None = None
    spans: list[Span] = field(default_factory=list)


_STRONG = re.compile(
    r"\$\s*\d[\d,.]*\s*(?:k|mil(?:lion)?|m)?\b|\b\d+(?:\.\d+)?\s*(?:k|mil|mill|million|grand|thousand)\b"
)


def strong_spans(text: str) -> list[Span]:
    """Spans of amounts with "$" or a multiplier ("1 million", "450k"): a time finder must yield."""
    return [m.span() for m in _STRONG.finditer(text)]


def _value(num: str, mult: str | None, dollar: bool, money_context: bool) -> _Amount | None:
    raw = num.replace(",", "")
    try:
        v = float(raw)
    except ValueError:
        return None
    cued = bool(mult) or dollar or "," in num
    if mult:
        if mult.startswith("hundred"):
            v *= 100_000 if mult != "hundred" else 100
        elif mult[0] == "m":
            v *= 1_000_000
        else:
            v *= 1_000
    if v < 10_000 and (mult is None or mult == "hundred"):
        if "." in raw and v < 20 and money_context:
            v *= 1_000_000  # "1.2" when asked the budget: a million and a fifth
        elif v >= 50 and (cued or money_context):
            v *= 1_000  # "around 450" means 450,000 (SCHEMA.md price_max)
        else:
            return None
    if not _MIN_PRICE <= v <= _MAX_PRICE:
        return None
    return _Amount(round(v), (0, 0), cued)


def _before(text: str, start: int, n: int = 4) -> list[str]:
    """The words before ``start`` back to the clause's start or the previous number."""
    clause = text[:start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(clause)), default=0)
    cut = max(cut, max((m.end() for m in _DIGITS.finditer(clause)), default=0))
    return _WORDS.findall(clause[cut:])[-n:]


def _after(text: str, end: int, n: int = 3) -> list[str]:
    m = _CLAUSE_END.search(text, end)
    return _WORDS.findall(text[end : m.start() if m else len(text)])[:n]


def _distracted(text: str, span: Span) -> bool:
    after = text[span[1] :]
    if _PER_PERIOD.match(after) or _STREET_AFTER.match(after):
        return True
    nxt = _after(text, span[1], 3)
    if nxt and nxt[0] in words(_N, "amount_distractors_after"):
        return True
    if phrases(_N, "amount_distractors_near").search(" ".join(nxt)):
        return True
    return any(w in words(_N, "amount_distractors_before") for w in _before(text, span[0]))


def _cue(text: str, span: Span) -> str | None:
    """ "min", "max" or "any" (a money word without a direction), or None (no money cue)."""
    before = " ".join(_before(text, span[0], 6))
    after = " ".join(_after(text, span[1]))
    # The cue nearest the number wins; at equal ends the longer ("no more than" > "more than").
    best: tuple[int, int, str] | None = None
    for key, kind in (("lower_bound_before", "min"), ("upper_bound_before", "max")):
        for m in phrases(_N, key).finditer(before):
            cand = (m.end(), -m.start(), kind)
            best = cand if best is None or cand[:2] > best[:2] else best
    if best is not None:
        return best[2]
    if phrases(_N, "lower_bound_after").match(after):
        return "min"
    if phrases(_N, "upper_bound_after").search(after):
        return "max"
    if phrases(_N, "money_words").search(before) or phrases(_N, "money_words").search(after):
        return "any"
    return None


def _ranges(text: str, context: bool, p: Prices) -> str:
    for m in _RANGE.finditer(text):
        span = m.span()
        if _distracted(text, span):
            continue
        m1, m2 = m.group("m1"), m.group("m2")
        # "350-400k": a multiplier on the top of a range carries to its bottom.
        inherit = m1 or (m2 if m2 in ("k", "thousand", "grand", "hundred") else None)
        if m1 is None and m2 and m2[0] == "m" and float(m.group("n1")) < 20:
            inherit = m2
        cue = _cue(text, span)
        joiner_ok = " and " not in m.group(0) or bool(m.group("between"))
        ctx = context or cue is not None or bool(m.group("between"))
        n1, n2 = m.group("n1"), m.group("n2")
        if n1.isdigit() and n2.isdigit() and len(n1) < len(n2) and inherit:
            n1 = str(int(n1) * 10 ** (len(n2) - len(n1)))  # "3-400k" is 300k to 400k
        a = _value(n1, inherit, bool(m.group("d1")), True)
        b = _value(m.group("n2"), m2, bool(m.group("d2")), True)
        if not (a and b and joiner_ok) or a.value >= b.value:
            continue
        if not (a.cued or b.cued or ctx) and not _bare_budget(m.group("n1"), m.group("n2")):
            continue
        p.price_min, p.price_max = a.value, b.value
        p.spans.append(span)
        text = text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]
        break
    return text


def _bare_budget(n1: str, n2: str) -> bool:
    """ "300-350" with no cue at all still reads as a budget in thousands; "2019-2021" does not."""
    if not (n1.isdigit() and n2.isdigit()):
        return False
    a, b = int(n1), int(n2)
    years = 1900 <= a <= 2100 and 1900 <= b <= 2100
    return 100 <= a < b <= 9999 and b - a <= a // 2 and not years


def _decades(text: str, p: Prices) -> None:
    """ "in the 400s", "low 300s", "high 500s"."""
    m = _DECADE.search(text)
    if not m or p.price_max is not None:
        return
    base = int(m.group("n")) * 1000
    step = 10 ** (len(m.group("n")) + 2)
    part = m.group("part") or ""
    top = {"low": 0.25, "mid": 0.5, "middle": 0.5, "high": 0.75, "upper": 0.75}.get(part, 1.0)
    p.price_max = base + int(step * top)
    if not part:
        p.price_min = base
    p.spans.append(m.span())


def _singles(text: str, context: bool, p: Prices) -> list[tuple[_Amount, str | None]]:
    found: list[tuple[_Amount, str | None]] = []
    for m in _SINGLE.finditer(text):
        span = m.span()
        if _distracted(text, span):
            continue
        cue = "max" if m.group("ish") else _cue(text, span)
        amt = _value(m.group("n1"), m.group("m1"), bool(m.group("d1")), context or cue is not None)
        if amt is None or not (amt.cued or context or cue):
            continue
        amt.span = span
        found.append((amt, cue))
    return found


def find_prices(text: str, expecting: str | None) -> Prices:
    """Budget or home value stated in normalised, blanked ``text``."""
    p = Prices()
    if not _DIGITS.search(text):
        return p
    context = expecting in ("price_max", "price_min", "home_value")
    text = _ranges(text, context, p)
    singles = _singles(text, context, p)
    lows = [a for a, cue in singles if cue == "min"]
    highs = [a for a, cue in singles if cue == "max"]
    others = [a for a, cue in singles if cue not in ("min", "max")]
    if p.price_max is None:
        top = highs[0] if highs else (others[0] if others and not lows else None)
        if top is not None:
            p.price_max = top.value
            p.spans.append(top.span)
        if lows and p.price_min is None:
            p.price_min = lows[0].value
            p.spans.append(lows[0].span)
        if p.price_max is None and p.price_min is None:
            _decades(text, p)
    stated = p.price_max is not None or p.price_min is not None
    if stated and (expecting == "home_value" or phrases(_N, "home_value_words").search(text)):
        lo, hi = p.price_min or p.price_max or 0, p.price_max or p.price_min or 0
        p.home_value = (lo + hi) // 2  # a stated range of value: its middle
        p.price_min = p.price_max = None
    return p
