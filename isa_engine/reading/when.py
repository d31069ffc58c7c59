"""Read times from a lead's text: a firm time to talk, and how soon they mean to move.

Everything resolves against the ``now`` passed in (lead-local, aware); the clock is never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from isa_engine.reading.alternation import dispatch
from isa_engine.reading.prefilter import Guarded


@dataclass(frozen=True, slots=True)
class TimeMatch:
    """A time to talk: ``value`` "YYYY-MM-DDTHH:MM" when firm, else ``day_only`` "YYYY-MM-DD".

    ``day_given`` is False when the text named a clock time but no day ("2pm instead"):
    the date in ``value`` is then the reader's guess (today, or tomorrow once it is past).
    """

    value: str | None
    day_only: str | None
    span: tuple[int, int]
    day_given: bool = True


@dataclass(frozen=True, slots=True)
class TimeframeMatch:
    """How soon the lead means to move: "0-3", "3-6", "6-12" or "12+" months."""

    value: str
    span: tuple[int, int]


# Month names are looked up by their first three letters.
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
           "sep": 9, "oct": 10, "nov": 11, "dec": 12}  # fmt: skip
_MON = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?" + (
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WD = r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
_WD += r"|sat(?:urday)?|sun(?:day)?)"
_WEEKDAYS = {w: i for i, w in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
_ORD = r"(?:st|nd|rd|th)?"
_NUMWORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "couple": 2, "couple of": 2, "few": 3.5, "several": 5,
}  # fmt: skip

# ------------------------------------------------------------------ appointment

_TOMORROW = r"(?:tomorrow|tomorow|tommorow|tommorrow|tmrw|tmrow|tmr|tmw|2morrow|2moro|tomm)"
_DAY = Guarded(
    re.compile(
        rf"\b(?:(?P<dat>day after {_TOMORROW})|(?P<tom>{_TOMORROW})|(?P<tod>today|tonight|tonite"
        r"|this (?:morning|afternoon|evening|arvo))"
        rf"|(?:(?P<wmod>next week(?: on)?|next|this|coming|on)\s+)?(?P<wd>{_WD})\b"
        r"(?:\s+(?P<wnext>next week))?"
        rf"|(?P<mon1>{_MON})\s*(?P<d1>\d{{1,2}}){_ORD}\b(?![:/]|\s*(?:am|pm)\b)"
        rf"|(?:the\s+)?(?P<d2>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<mon2>{_MON})(?![a-z])"
        r"|the\s+(?P<d3>\d{1,2})(?:st|nd|rd|th)\b"
        r"|(?:\bon\s+(?P<m4>\d{1,2})/(?P<d4>\d{1,2})"
        r"|(?<![\d/])(?P<m5>\d{1,2})/(?P<d5>\d{1,2})(?=\s+(?:at|@)\s*\d))(?![/\d]))"
    )
)
# A clock time: noon; "3pm", "3:30", "3 o'clock", "3ish"; or a bare hour after a cue ("at 3").
_TIME = re.compile(
    r"(?P<noon>\b(?:12\s*)?(?:noon|midday)(?:ish)?\b)"
    r"|(?<![\d/.$-])(?P<h>\d{1,2})(?::(?P<m>\d{2})"
    # a lone "a"/"p" is am/pm glued ("4p") or closing the clause ("at 4 p"), not "looking 4 a 3 bed"
    r"|(?=\s*(?:[ap]\.?m\b|o'?clock|ish\b)|[ap]\b|\s+[ap]\b(?!\s*[a-z\d])))"
    r"(?:\s*(?P<ap>[ap])(?=\.?m\b|\b(?!\s*[a-z\d])|\b(?<=\d[ap])))?(?:\.?m\b\.?)?"
    r"(?:\s*o'?clock|ish)?(?![\d/])"
    r"|(?:\b(?:at|around|about|say|by|after|before|past|until|till|til)\s+|@\s*)"
    r"(?P<bh>\d{1,2})\b(?![:/.,]?\d|\s*[-+%]|\s*(?:to|bd|br|bed|beds|ba|bath|baths|k|mil|sq"
    r"|acres?|years?|yrs?|months?|mos?|weeks?|wks?|days?|mins?|minutes?|hours?|hrs?|people|kids"
    r"|of|houses?|homes?|places?|properties|listings?|units?|condos?|townhomes?|open\s+houses"
    r"|showings?|rooms?|bedrooms?|bathrooms?|stor(?:y|ies)|cars?|dogs?|cats?|pets?|children)\b)"
)
_OPEN = re.compile(
    r"(?:\b(?:after|before|past|until|till|til|by|from|between|earliest|latest|no later than"
    r"|not before|not after|any ?time|anytime after|whenever after|or)\s*$"
    r"|\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?\s*(?:-|to|and|or)\s*$)"
)
_OPEN_AFTER = re.compile(r"^\s*(?:or (?:later|after|before|so)|-\s*\d|to \d|or \d|and \d)")
_PART = re.compile(
    r"\b(?:(?<!good )(?P<am>morning)|(?P<pm>afternoon|evening|tonight|tonite|night))"
)
_NEGATED = re.compile(
    r"\b(?:can'?t|cannot|can not|not|won'?t|wont|busy|doesn'?t work|does not work|no good)\b"
)
_SUN_TIME = re.compile(r"\s*(?:at\b|@|\d|morning|afternoon|evening)")
_SENTENCE = re.compile(r"[.!?;\n]")
_CLAUSE_BREAK = re.compile(r"[.!?;]|,\s*(?:but|or)\b|\bbut\b|\binstead\b")
_RELATIVE = Guarded(
    re.compile(r"\bin\s+(?P<n>an?|one|half an?|\d{1,3})\s*(?P<u>hours?|hrs?|minutes?|mins?)\b")
)
_BARE_FILLER = re.compile(
    r"\b(?:works?|ok(?:ay)?|is|good|fine|great|perfect|sounds|how|about|what|maybe|let'?s"
    r"|do|say|can|i|for|me|please|pls|sure|yes|yeah|yep|yea|ya|then|that|would|be|better|best"
    r"|call|at|around|time|should|could|cool|thanks|lol|free|available|we|us|it|the|a)\b"
    r"|[^\w:]"
)
# Words without which a text names no time to talk; gathered by first letter (only whether one
# is found matters), so most texts are ruled out in one quick search.
_APPT_HINT = re.compile(
    dispatch(
        [
            *("noon", "midday", "hour", "hr", "min", "today", "toni"),
            *("morning", "afternoon", "evening", _TOMORROW, _WD, _MON, r"\d"),
        ]
    )
)


def _lower(text: str) -> str:
    """Lower-cased with straight quotes, the same length as ``text`` so spans carry over."""
    low = text.lower()
    if len(low) != len(text):  # "İ" grows when lower-cased
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.replace("’", "'")


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    day: date | None = None
    hour: int = -1
    minute: int = 0
    firm: bool = False
    this_weekday: bool = False  # a weekday named on that very day: today, or a week on


def find_appointment(text: str, now: datetime, *, expecting: bool) -> TimeMatch | None:
    """The time the lead offers to talk, resolved against ``now`` (lead-local).

    Only a clock time or noon is firm; a day alone gives ``day_only``.
    """
    low = _lower(text)
    if not _APPT_HINT.search(low):
        return None
    today = now.date()
    days = [h for m in _DAY.finditer(low) if (h := _day_hit(m, today, low)) is not None]
    times = [h for m in _TIME.finditer(low) if (h := _time_hit(m, low)) is not None]
    rel = _RELATIVE.search(low)
    if rel and not times:
        n = rel.group("n")
        qty = 1.0 if n in ("a", "an", "one") else 0.5 if n.startswith("half") else float(n)
        mins = qty * (60 if rel.group("u").startswith("h") else 1)
        at = now + timedelta(minutes=mins)
        return TimeMatch(at.strftime("%Y-%m-%dT%H:%M"), None, rel.span())
    if not times and expecting:
        times = _bare_time(low, days)
    for t in times:
        if not t.firm or _negated(low, t.start):
            continue
        day = _nearest_day(low, t, days)
        part = _PART.search(low, *_clause(low, t))
        hour = _hour(t, part, day is not None and low[day.start : day.end].startswith("toni"))
        when = now.replace(hour=hour, minute=t.minute, second=0, microsecond=0)
        if day is not None and day.day is not None:
            when = when.replace(year=day.day.year, month=day.day.month, day=day.day.day)
            if when <= now and t.hour < 0 and hour < 12 and not day.this_weekday:
                when += timedelta(hours=12)  # "today at 9" said at 10am means 9pm
            if when <= now and day.this_weekday:
                when += timedelta(days=7)  # "thursday at 9" said Thursday at 10: next week's
        elif when <= now:
            when += timedelta(days=1)  # "at 3" said at 4pm means tomorrow
        start = min(t.start, day.start) if day else t.start
        end = max(t.end, day.end) if day else t.end
        return TimeMatch(when.strftime("%Y-%m-%dT%H:%M"), None, (start, end), day is not None)
    for d in days:
        if d.day is not None and not _negated(low, d.start):
            return TimeMatch(None, d.day.isoformat(), (d.start, d.end))
    return None


def _day_hit(m: re.Match[str], today: date, low: str) -> _Hit | None:
    g = m.groupdict()
    day: date | None
    if g["tod"]:
        day = today
    elif g["tom"]:
        day = today + timedelta(days=1)
    elif g["dat"]:
        day = today + timedelta(days=2)
    elif g["wd"]:
        if g["wd"] == "sun" and not g["wmod"] and not _SUN_TIME.match(low, m.end()):
            return None  # "sun" is more often the sun than Sunday, unless a time follows
        wd = _WEEKDAYS[g["wd"][:3]]
        day = today + timedelta(days=(wd - today.weekday()) % 7)  # today's name: today
        if (g["wmod"] or "").startswith("next week") or g["wnext"]:
            day = today + timedelta(days=7 - today.weekday() + wd)  # that day of next week
        elif g["wmod"] == "next" and day.isocalendar()[:2] == today.isocalendar()[:2]:
            day += timedelta(days=7)  # said on a Monday, "next friday" is next week's
        return _Hit(m.start(), m.end(), day, this_weekday=day == today)
    elif g["d3"]:
        day = _month_day(today, today.month, int(g["d3"]), roll_month=True)
    else:
        mon = g["mon1"] or g["mon2"]
        month = _MONTHS[mon[:3]] if mon else int(g["m4"] or g["m5"])
        day = _month_day(today, month, int(g["d1"] or g["d2"] or g["d4"] or g["d5"]))
    if day is None:
        return None
    return _Hit(m.start(), m.end(), day)


def _month_day(today: date, month: int, dom: int, *, roll_month: bool = False) -> date | None:
    """The next date with this month and day: "jan 5" said in December is next year's."""
    try:
        if roll_month:
            day = date(today.year, month, dom)
            if day < today:
                nxt = today.replace(day=1) + timedelta(days=32)
                day = date(nxt.year, nxt.month, dom)
            return day
        day = date(today.year, month, dom)
        return day if day >= today else date(today.year + 1, month, dom)
    except ValueError:
        return None


def _time_hit(m: re.Match[str], low: str) -> _Hit | None:
    if m.group("noon"):
        is_open = bool(_OPEN.search(low[max(0, m.start() - 24) : m.start()]))
        return _Hit(m.start(), m.end(), hour=12, firm=not is_open)
    raw = m.group("h") or m.group("bh")
    hour = int(raw)
    minute = int(m.group("m") or 0)
    ap = m.group("ap") or ""
    if minute > 59 or hour > 23 or (ap and not 1 <= hour <= 12) or (not m.group("m") and hour > 12):
        return None
    if ap == "p" and hour < 12:
        hour += 12
    elif ap == "a" and hour == 12:
        hour = 0
    num_start = m.start("h") if m.group("h") else m.start("bh")
    before = low[max(0, num_start - 24) : num_start]
    after = low[m.end() : m.end() + 12]
    is_open = bool(_OPEN.search(before) or _OPEN_AFTER.match(after))
    # A bare 1-7 without am/pm is afternoon: nobody books a call at 3 in the morning.
    fixed = bool(ap) or hour >= 13 or hour == 0
    return _Hit(m.start(), m.end(), hour=hour if fixed else -hour, minute=minute, firm=not is_open)


def _hour(t: _Hit, part: re.Match[str] | None, tonight: bool) -> int:
    if t.hour >= 0:
        return t.hour
    hour = -t.hour
    if part is not None and part.group("am"):
        return hour % 12
    if tonight or (part is not None and part.group("pm")) or 1 <= hour <= 7:
        return hour % 12 + 12
    return hour


def _bare_time(low: str, days: list[_Hit]) -> list[_Hit]:
    """A reply that is only a clock number ("3", "4:30 works") to a question about a time."""
    rest = list(low)
    for d in days:
        rest[d.start : d.end] = " " * (d.end - d.start)
    left = _BARE_FILLER.sub(" ", "".join(rest)).split()
    if len(left) != 1:
        return []
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", left[0])
    if not m or not 1 <= int(m.group(1)) <= 12 or int(m.group(2) or 0) > 59:
        return []
    start = low.find(left[0])
    return [_Hit(start, start + len(left[0]), hour=-int(m.group(1)), minute=int(m.group(2) or 0),
                 firm=True)]  # fmt: skip


def _nearest_day(low: str, t: _Hit, days: list[_Hit]) -> _Hit | None:
    """The day a time belongs to: the nearest in its clause, else the nearest one not refused
    ("Thursday. 3pm works"; but "Busy tomorrow. How about 3?" is today)."""
    best: _Hit | None = None
    best_gap, best_loose = 40, 40
    loose: _Hit | None = None
    for d in days:
        lo, hi = (d.end, t.start) if d.end <= t.start else (t.end, d.start)
        gap = hi - lo
        if gap < best_gap and not _CLAUSE_BREAK.search(low[lo:hi]):
            best, best_gap = d, gap
        elif gap < best_loose and not _negated(low, d.start) and not _negated(low, d.end):
            loose, best_loose = d, gap
    return best or loose


def _clause(low: str, t: _Hit) -> tuple[int, int]:
    """The bounds of the sentence around a hit, so "good morning! ... at 3" stays pm."""
    start = max((m.end() for m in _SENTENCE.finditer(low, 0, t.start)), default=0)
    end = _SENTENCE.search(low, t.end)
    return start, end.start() if end else len(low)


def _negated(low: str, at: int) -> bool:
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(low, 0, at)), default=0)
    clause_start = max(clause_start, low.rfind(",", 0, at) + 1)
    return bool(_NEGATED.search(low, clause_start, at))


# ------------------------------------------------------------------ timeframe

_NUM = r"(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_NUM += r"|couple(?: of)?|few|several)"
_SOON = Guarded(
    re.compile(
        r"\b(?:asap|a\.s\.a\.p|as soon as (?:possible|we can|i can)|soon as possible|immediately"
        r"|right away|(?:this|next) month|end of (?:the |this |next )?month"
        r"|(?:like|needed|need it|needed it|wanted it) yesterday"
        r"|within (?:a|the|this) (?:week|month)|(?:pretty|very|real) soon"
        r"|(?:ready|move|moving|buy|buying|sell|selling|need|needs|want|asap|go)"
        r"(?: to \w+)?(?: it)? (?:right )?now|(?:couple|few) (?:of )?weeks|a week or two)\b"
    )
)
_FAR = Guarded(
    re.compile(
        r"\b(?:a year or (?:two|2)|(?:1|one)\s*(?:-|to|or)\s*(?:2|two) years|(?:couple|few|several)"
        r"(?: of)? years|(?:some ?day|eventually|down the road|long[- ]term)"
        r"|not (?:any ?time|for a while|for a bit) soon|not soon"
        r"|(?:just )?brows(?:ing|e)|just looking(?! (?:for|in|at|to|around))|window shopping"
        r"|(?<!early )(?<!beginning of )(?<!start of )(?<!mid )(?<!the )next year)\b"
    )
)
_NEXT_YEAR_WITHIN = Guarded(
    re.compile(r"\b(?:(?:in|within|over|during) the (?:next |coming )?year|this time next year)\b")
)
_YEAR = Guarded(
    re.compile(
        r"\b(?P<mod>in|by|until|till|around|early|late|mid|end of|beginning of|start of)\s+"
        r"(?P<yr>20\d\d)\b"
    )
)
_RELAXED = Guarded(
    re.compile(
        r"\b(?:no (?:rush|hurry)|not in (?:a|any) (?:big |huge )?(?:rush|hurry)|no timeline)\b"
    )
)
_SPAN = Guarded(
    re.compile(
        r"\b(?:(?P<pre>within|in|next|not for(?: another)?|at least|more than|over|less than|under"
        rf"|for|up to)\s+)?(?:the\s+)?(?:next\s+)?(?P<a>{_NUM})\s*\+?\s*"
        rf"(?:(?:-|to|or)\s*(?P<b>{_NUM})\s*)?(?P<u>days?|weeks?|wks?|months?|mos?|years?|yrs?)\b"
        # "12 years old", "a 30 year loan", "2 yrs of returns": an age or a thing, no plan
        r"(?!\s*(?:old|ago|loans?|mortgages?|fixed|arms?|leases?|warrant\w*|terms?"
        r"|of (?:tax|w2|pay|bank|employment|returns|history)))"
    )
)
_HOW_LONG = re.compile(
    r"\b(?:for|lived|here|there|been|owned|had|have|has|last|past|first|every|per|each|only"
    r"|old|ago|once|twice|de)(?:\s+(?:about|around|like|almost|over|nearly|roughly))?\s*$"
)
# Past-tense verbs: a month or season in the same clause after one of these is history.
_PAST = re.compile(
    r"\b(?:bought|sold|closed|passed|died|stopped|parted|quit|signed|started|ended|fired|left"
    r"|lost|went|happened|listed|purchased|retired|divorced)\b"
)
_CLAUSE_OPEN = re.compile(r"[,.;!?\n]|\bbut\b|\band\b")


def _clause_start(low: str, at: int) -> int:
    return max((m.end() for m in _CLAUSE_OPEN.finditer(low, 0, at)), default=0)


_VAGUE_A = re.compile(r"\b(?:maybe|probably|prob|about|around|like|roughly|another|least)\s*$")
_TO_A_YEAR = Guarded(
    re.compile(r"\b(?:\d+|six|few|several|couple(?: of)?) months? to (?:a|one|1) year\b")
)
_M_D = Guarded(
    re.compile(
        r"\b(?:by|until|till|before|after|ends?|ending|up|expires?|closing|close)\s+(?:on\s+)?"
        r"(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/\d{2,4})?\b"
    )
)
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
_MOD = r"(?:(?P<mod>early|beginning of|start of|mid|middle of|late|end of|by|before|after|until"
_MOD += r"|till|around|in|this|next|come|the|this coming|maybe|probably|prob|possibly|sometime"
_MOD += r"|hopefully|like|thinking)\s+(?:the\s+)?)?"
_CAL = Guarded(
    re.compile(
        rf"\b{_MOD}(?:(?P<mon>{_MON})(?![a-z]|\s*\d{{1,2}}\b(?!,? 20\d\d))"
        r"|(?P<season>spring|summer|fall|autumn|winter)(?:\s*time)?\b"
        r"(?!\s+(?:park|haven|garden|hill|valley|river|creek|lake|branch|springs|city|grove"
        r"|street|st|ave|road|rd|dr)\b)"
        r"|(?P<hol>christmas|xmas|thanksgiving|the holidays|holidays|new years?"
        r"|end of (?:the )?year|this year|year end|early next year|mid next year"
        r"|first of the year))"
        r"(?:\s+(?:of\s+)?(?P<yr>20\d\d))?"
    )
)
_TF_HINT = re.compile(
    dispatch(
        [
            *("asap", "now", "soon", "month", "week", "year", "day", "brows", "looking"),
            *("spring", "summer", "fall", "autumn", "winter", "christ", "xmas", "holiday"),
            *("thanksgiving", "right away", "immediately", "rush", "hurry", _MON, r"\d"),
        ]
    )
)


def find_timeframe(text: str, now: datetime, *, expecting: bool) -> TimeframeMatch | None:
    """How many months until the lead means to move, as a bucket, resolved against ``now``.

    "not sure" and texts that say nothing about timing give None.
    """
    low = _lower(text)
    if not _TF_HINT.search(low):
        return None
    today = now.date()
    found: list[tuple[int, int, str]] = []
    for m in _SOON.finditer(low):
        if not _negated(low, m.start()):
            found.append((m.start(), m.end(), "0-3"))
    for m in _FAR.finditer(low):
        found.append((m.start(), m.end(), "12+"))
    for m in _SPAN.finditer(low):
        bucket = _span_bucket(m, low)
        if bucket:
            found.append((m.start(), m.end(), bucket))
    for m in _TO_A_YEAR.finditer(low):
        found.append((m.start(), m.end(), "6-12"))  # "6 months to a year": before the span below
    for m in _M_D.finditer(low):
        if 1 <= int(m.group("m")) <= 12 and 1 <= int(m.group("d")) <= 31:
            found.append(
                (m.start(), m.end(), _bucket(_month_target(today, int(m.group("m")), "by", None)))
            )
    for m in _NEXT_YEAR_WITHIN.finditer(low):
        found.append((m.start(), m.end(), "6-12"))
    for m in _YEAR.finditer(low):
        if int(m.group("yr")) >= today.year:  # "we bought in 2019" is history, not a plan
            found.append((m.start(), m.end(), _year_bucket(m, today)))
    for m in _CAL.finditer(low):
        if _PAST.search(low, _clause_start(low, m.start()), m.start()):
            continue  # "we bought a house in march", "she passed in june": history, not a plan
        months = _calendar_months(m, today)
        if months is not None:
            found.append((m.start(), m.end(), _bucket(months)))
    if not found and expecting:
        found = _bare_timeframe(low)
    if not found:
        relaxed = _RELAXED.search(low)
        return TimeframeMatch("12+", relaxed.span()) if relaxed else None
    start, end, value = min(found, key=lambda f: (f[0], -f[1]))  # first, then longest
    return TimeframeMatch(value, (start, end))


def _bucket(months: float) -> str:
    if months <= 3:
        return "0-3"
    if months <= 6:
        return "3-6"
    return "6-12" if months <= 12 else "12+"


def _number(word: str | None) -> float | None:
    if word is None:
        return None
    return float(word) if word[0].isdigit() else _NUMWORDS.get(word)


def _year_bucket(m: re.Match[str], today: date) -> str:
    """ "in 2028", "early 2027": months to that part of the year."""
    yr, mod = int(m.group("yr")), m.group("mod")
    month = {"early": 2, "late": 11, "end of": 12, "by": 1, "until": 1, "till": 1}.get(mod, 7)
    month = 1 if mod in ("beginning of", "start of") else month
    if yr == today.year and mod not in ("end of", "late"):
        return "0-3" if today.month >= 10 else _bucket(_months_until(today, date(yr, 12, 1)))
    return _bucket(max(0.0, (date(yr, month, 1) - today).days / 30.44))


def _span_bucket(m: re.Match[str], low: str) -> str | None:
    pre = m.group("pre") or ""
    if not pre and _HOW_LONG.search(low, 0, m.start()):
        return None  # "lived here 10 years", "the last 6 months": a duration, not a plan
    if not pre and m.group("a")[0].isdigit() and re.search(r"\ban?\s*$", low[: m.start()]):
        return None  # "a 2 year lease" describes a thing
    a, b = _number(m.group("a")), _number(m.group("b"))
    vague = m.group("a") in ("a", "an") and not _VAGUE_A.search(low, 0, m.start())
    if a is None or pre == "for" or (pre in ("", "next") and vague):
        return None  # "for 10 years" is how long, "a month" alone is too vague
    unit = m.group("u")
    per = 12.0 if unit[0] == "y" else 1.0 if unit[0] == "m" else 0.25 if unit[0] == "w" else 1 / 30
    months = (a + b) / 2 * per if b is not None else a * per
    if pre.startswith("not for") or pre in ("at least", "more than", "over") or "+" in m.group():
        months += 0.01  # a lower bound: "at least 6 months" is past six
    return _bucket(months)


def _calendar_months(m: re.Match[str], today: date) -> float | None:
    mod = m.group("mod") or ""
    mon, season, hol, yr = m.group("mon"), m.group("season"), m.group("hol"), m.group("yr")
    if mon:
        name = mon.rstrip(".")
        if name in ("may", "mar", "march") and not (mod or yr):
            return None  # "may" and "march" are also verbs
        return _month_target(today, _MONTHS[name[:3]], mod, yr)
    if season:
        if season == "fall" and not (mod or yr):
            return None  # "prices fall"
        return _season_target(today, _SEASONS[season], mod, yr)
    assert hol is not None
    if hol in ("christmas", "xmas"):
        target = date(today.year, 12, 25 if mod not in ("after",) else 31)
        return _months_until(today, target + timedelta(days=8 if mod == "after" else 0))
    if hol == "thanksgiving":
        return _months_until(today, date(today.year, 11, 25))
    if hol in ("the holidays", "holidays", "new years", "new year", "first of the year"):
        if mod == "after" or not hol.endswith("holidays"):
            return _months_until(today, date(today.year + (today.month > 1), 1, 10))
        return _months_until(today, date(today.year, 12, 20))
    if hol == "early next year":
        return _months_until(today, date(today.year + 1, 2, 1))
    if hol == "mid next year":
        return _months_until(today, date(today.year + 1, 7, 1))
    return _months_until(today, date(today.year, 12, 31))  # this year, end of the year


def _months_until(today: date, target: date) -> float:
    if target < today and (today - target).days > 20:
        target = target.replace(year=target.year + 1)
    return max(0.0, (target - today).days / 30.44)


_MOD_DAY = {"early": 5, "beginning of": 1, "start of": 1, "mid": 15, "middle of": 15,
            "late": 25, "end of": 28, "by": 1, "before": 1, "until": 1, "till": 1}  # fmt: skip


def _month_target(today: date, month: int, mod: str, yr: str | None) -> float:
    """Months from today to the named month (its middle unless "early", "late", "by"...)."""
    year = int(yr) if yr else today.year
    if not yr and (month < today.month or (month == today.month and mod == "next")):
        year += 1
    if month == today.month and year == today.year:
        return 0.0
    if mod == "after":
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return _months_until(today, date(year, month, _MOD_DAY.get(mod, 15)))


def _season_target(today: date, first: int, mod: str, yr: str | None) -> float:
    """Months to a season: its middle, or its start ("by", "early") or end ("late")."""
    year = int(yr) if yr else today.year
    start = date(year, first, 1)
    if not yr:
        start = date(today.year - (first == 12 and today.month <= 2), first, 1)
        in_season = start <= today < _add_months(start, 3)
        # Late in a season, "in the fall" means next year's unless they say "this".
        late_in = in_season and today >= start + timedelta(days=46)
        roll = mod == "next" or (late_in and mod not in ("this", "late", "end of"))
        if in_season and not roll and mod not in ("late", "end of"):
            return 0.0  # "this summer" in July
        if (start <= today and not in_season) or (in_season and roll):
            start = start.replace(year=start.year + 1)
    offset = {"early": 0.3, "beginning of": 0.0, "start of": 0.0, "by": 0.0, "before": 0.0,
              "until": 0.0, "late": 2.3, "end of": 2.8, "after": 3.0}.get(mod, 1.5)  # fmt: skip
    return max(0.0, (start - today).days / 30.44 + offset)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


# Words that pad a bare answer without changing it: "like right now honestly", "yesterday lol".
_PAD = r"(?:\W*\b(?:like|honestly|lol|lmao|haha|tbh|prob|probably|um|uh|hmm|ok|okay|so|well)\b)*"
_BARE_TF = re.compile(
    rf"{_PAD}\W*(?:(now|soon|rn|right now|yesterday)|(\d+)(?:\s*(?:-|to)\s*(\d+))?){_PAD}\W*"
)


def _bare_timeframe(low: str) -> list[tuple[int, int, str]]:
    """A bare answer to "when are you looking to move?": "now", "6", "3-6"."""
    m = _BARE_TF.fullmatch(low)
    if not m:
        return []
    if m.group(1):
        return [(m.start(1), m.end(1), "0-3")]
    a, b = int(m.group(2)), int(m.group(3) or m.group(2))
    return [(m.start(2), m.end(3 if m.group(3) else 2), _bucket((a + b) / 2))]
