"""Values as people say them, for the console's templates (registered as Jinja filters in
``api.web.render``): "2 baths" not ``baths 2.0``, "Fri Dec 4, 10:00 AM CST" not
``2026-12-04T10:00``, "3–6 months" not ``3-6``, and times on the lead's own clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers

from isa_engine.policy.zones import lead_zone

LABELS = {
    "lead_type": "Wants to",
    "beds": "Bedrooms",
    "baths": "Bathrooms",
    "location": "Where",
    "price_min": "Price from",
    "price_max": "Price up to",
    "preapproval": "Pre-approved",
    "has_agent": "Has an agent",
    "timeframe": "Moving in",
    "appointment": "Time to talk",
    "email": "E-mail",
}
WORDS = {
    "lead_type": {"buy": "buy", "sell": "sell", "both": "buy and sell", "rent": "rent"},
    "preapproval": {
        "yes": "yes",
        "no": "no",
        "in_progress": "in progress (talking to a lender)",
        "cash": "paying cash",
    },
}


def when(value: datetime | str | None, zone: tzinfo | None = None) -> str:
    """A stored (UTC) time as "Fri Dec 4, 10:00 AM CST" on ``zone``'s clock (UTC if none)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return _clock(value.astimezone(zone or UTC))


def _clock(at: datetime) -> str:
    hour = at.hour % 12 or 12
    ampm = "AM" if at.hour < 12 else "PM"
    return f"{at:%a %b} {at.day}, {hour}:{at:%M} {ampm} {at.tzname() or ''}".rstrip()


def zone(who: Any) -> ZoneInfo:
    """The lead's zone: from a contact (its ``timezone`` hint, else its phone) or a phone."""
    if isinstance(who, str):
        return lead_zone(who)
    if isinstance(who, Mapping):
        return lead_zone(str(who.get("phone") or ""), who.get("timezone"))
    return lead_zone(str(getattr(who, "phone", "") or ""), getattr(who, "timezone", None))


def phone(value: str | None) -> str:
    """A stored E.164 number as people write it: "(512) 555-0177" (foreign ones with +)."""
    if not value:
        return "—"
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 1:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def slot_label(name: str) -> str:
    """A slot's name as a heading: "Bathrooms" for ``baths``."""
    return LABELS.get(name, name.replace("_", " ").capitalize())


def slot_value(value: Any, name: str = "", where: tzinfo | None = None) -> str:
    """A slot's value for people: "2 baths", "$450,000", "3–6 months", "Fri Nov 27, 10:00 AM
    CST" (an appointment is the lead's own wall-clock time, marked with ``where``)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return " or ".join(slot_value(v, name, where) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in ("beds", "baths") and isinstance(value, int | float):
        return _rooms(value, "bed" if name == "beds" else "bath")
    if name in ("price_min", "price_max") or (isinstance(value, int) and value >= 1000):
        return f"${value:,}" if isinstance(value, int | float) else str(value)
    if name == "timeframe":
        return _months(str(value))
    if name == "appointment":
        return _appointment(str(value), where)
    return WORDS.get(name, {}).get(str(value), str(value))


def _rooms(n: float, noun: str) -> str:
    if noun == "bed" and n == 0:
        return "studio"
    count = f"{int(n)}" if float(n).is_integer() else f"{n:g}"
    return f"{count} {noun}{'' if n == 1 else 's'}"


def _months(frame: str) -> str:
    if frame.endswith("+"):
        return f"{frame} months"
    low, dash, high = frame.partition("-")
    if dash and low.isdigit() and high.isdigit():
        return f"{low}–{high} months"
    return frame


def _appointment(value: str, where: tzinfo | None) -> str:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    if at.tzinfo is None and where is not None:  # the lead's wall clock, as the reader read it
        at = at.replace(tzinfo=where)
    return _clock(at)
