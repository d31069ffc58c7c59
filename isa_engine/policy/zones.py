"""Where the lead is in time: their zone from the phone number, or a known hint.

A text is read against the lead's own clock ("tomorrow at 3" is their
tomorrow), so every turn's ``now`` is shown in this zone.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_zones

# When nothing better is known: the zone of most US leads' agents is unknowable,
# so fall back to the continental middle rather than UTC (which is nobody's clock).
FALLBACK = "America/Chicago"


@lru_cache(maxsize=4096)
def lead_zone(phone: str, hint: str | None = None) -> ZoneInfo:
    """The lead's zone: ``hint`` (an IANA name) when valid, else the phone number's first zone."""
    for name in (hint, *_phone_zones(phone), FALLBACK):
        if not name:
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo(FALLBACK)


def lead_now(now: datetime, phone: str, hint: str | None = None) -> datetime:
    """``now`` (aware) as the lead's wall clock shows it."""
    return now.astimezone(lead_zone(phone, hint))


def _phone_zones(phone: str) -> tuple[str, ...]:
    return phone_zone_names(phone)[:1]


def phone_zone_names(phone: str) -> tuple[str, ...]:
    """Every zone of the number's area code (one, at most two); none for toll-free or junk."""
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        return ()
    zones = tuple(z for z in phone_zones.time_zones_for_number(number) if z != "Etc/Unknown")
    # an area code spans one zone, at most two; a toll-free number gives every US zone
    return zones if len(zones) <= 2 else ()
