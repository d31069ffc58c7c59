"""Where the recipient of a text may be: candidate time zones and states.

Three hints, each possibly wrong (COMPLIANCE.md "Where the recipient is"): the
phone's area code (people keep numbers when they move), the contact's ZIP, and
the state of the property they asked about. Every hint's zones and states are
kept, so quiet hours are the intersection of all of them; when nothing is
known, the recipient may be anywhere in the US.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from isa_engine.policy.rules import known_states
from isa_engine.policy.zones import phone_zone_names
from isa_engine.us_data import area_code_states, zip_table

# From Eastern to Hawaii: where a US recipient may be when no hint says where.
US_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)
_ZIP = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")
_US_REGIONS = ("US", "PR", "GU", "VI", "AS", "MP")


@dataclass(frozen=True, slots=True)
class Recipient:
    """Every zone and state the recipient may be in; rules must hold in all of them."""

    zones: tuple[ZoneInfo, ...]
    states: frozenset[str]

    def __post_init__(self) -> None:
        if not self.zones:
            raise ValueError("a recipient needs at least one candidate zone")


@lru_cache(maxsize=8192)
def locate(
    phone: str | None, zip_code: str | None = None, property_state: str | None = None
) -> Recipient:
    """The candidate zones and states from the phone, the ZIP and the property's state.

    A hint that says nothing (toll-free number, unknown ZIP) is skipped; with
    no zone at all the recipient may be in any US zone, and with no state in
    any state, so every state's rule applies.
    """
    zones: list[str] = []
    states: list[str] = []
    if phone:
        zones += phone_zone_names(phone)
        states += _phone_states(phone)
    if zip_code:
        zone, state = _zip(zip_code)
        zones += [zone] if zone else []
        states += [state] if state else []
    if property_state:
        zone_names, state = _state(property_state)
        zones += zone_names
        states += [state] if state else []
    found = _zones(zones) or _zones(US_ZONES)
    return Recipient(found, frozenset(states) or known_states())


def _zones(names: list[str] | tuple[str, ...]) -> tuple[ZoneInfo, ...]:
    out: dict[str, ZoneInfo] = {}
    for name in names:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue  # the ZIP data has a few bad names ("Napakiak")
        out.setdefault(zone.key, zone)
    return tuple(out.values())


def _phone_states(phone: str) -> tuple[str, ...]:
    """The state of the number's area code (the prebuilt table), none for toll-free or junk."""
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        return ()
    if phonenumbers.region_code_for_number(number) not in _US_REGIONS:
        return ()
    state = area_code_states().get(str(number.national_number)[:3])
    return (state,) if state else ()


def _zip(zip_code: str) -> tuple[str | None, str | None]:
    m = _ZIP.match(zip_code)
    return zip_table().get(m.group(1), (None, None)) if m else (None, None)


def _state(name: str) -> tuple[tuple[str, ...], str | None]:
    """A state's zones and code, from its code or name; nothing when it is not a state."""
    import us

    state = us.states.lookup(name.strip()) if name.strip() else None
    if state is None:
        return (), None
    return tuple(state.time_zones), state.abbr
