"""The columns of a lead CSV: which fields exist, how headers are usually spelt, the mapping.

``column_mapping`` turns a file's headers (plus ``COLUMN=FIELD`` overrides)
into header → field, and refuses a mapping that would lose data: two columns
on one field, an override naming no column, no phone column at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from adapters.storage.leads import INQUIRY_KEY_FIELDS

CONTACT_FIELDS = ("first_name", "last_name", "email", "zip", "state")
# an inquiry's columns: what makes a re-imported row the same lead event, and when it came
INQUIRY_FIELDS = (*INQUIRY_KEY_FIELDS, "received_at")
CONSENT_FIELDS = ("consent_source", "consent_wording", "consent_reference")
FIELDS = ("phone", "full_name", *CONTACT_FIELDS, *INQUIRY_FIELDS, *CONSENT_FIELDS)
"""Every field a column can be mapped to."""

# The column lengths of contacts and inquiries: longer values are rejected, never cut.
MAX_LENGTH = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "zip": 10,
    "state": 2,
    "source": 60,
    "inquiry_type": 40,
    "property_address": 300,
    "property_state": 2,
    "property_zip": 10,
    "contact_status": 40,
    "contact_type": 40,
    "business_source": 60,
    "time_frame": 40,
    "consent_source": 100,
    "consent_reference": 300,
}

ALIASES: dict[str, str] = {
    **{
        h: "phone"
        for h in (
            "phone",
            "mobile",
            "cell",
            "cellphone",
            "mobilephone",
            "phonenumber",
            "telephone",
            "tel",
            "mobilenumber",
            "cellnumber",
            "primaryphone",
        )
    },
    **{h: "first_name" for h in ("firstname", "first", "givenname", "fname")},
    **{h: "last_name" for h in ("lastname", "last", "surname", "familyname", "lname")},
    **{h: "full_name" for h in ("name", "fullname", "contactname", "leadname")},
    **{h: "email" for h in ("email", "emailaddress", "mail")},
    **{h: "zip" for h in ("zip", "zipcode", "postalcode", "postcode")},
    "state": "state",
    **{h: "source" for h in ("source", "leadsource", "contactsource")},
    **{h: "inquiry_type" for h in ("inquirytype", "inquiry", "leadtype", "activity")},
    **{h: "property_address" for h in ("propertyaddress", "address", "property")},
    "propertystate": "property_state",
    **{h: "property_zip" for h in ("propertyzip", "propertyzipcode")},
    **{h: "message" for h in ("message", "comments", "comment", "notes", "note")},
    "leadstatus": "lead_status",
    **{h: "contact_status" for h in ("contactstatus", "status")},
    "contacttype": "contact_type",
    "businesssource": "business_source",
    **{h: "interest_level" for h in ("interestlevel", "interest", "stars")},
    "priority": "priority",
    **{h: "time_frame" for h in ("timeframe", "timeline")},
    **{
        h: "received_at"
        for h in ("receivedat", "received", "date", "created", "createdat", "leaddate")
    },
    "consentsource": "consent_source",
    **{h: "consent_wording" for h in ("consentwording", "consent", "consenttext")},
    "consentreference": "consent_reference",
}
"""Common header spellings (lower-case, letters and digits only) → field."""


class MappingError(ValueError):
    """A --map entry or a header the import cannot use; says which and how to fix."""


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def column_mapping(headers: Iterable[str], overrides: Iterable[str] = ()) -> dict[str, str]:
    """Header → field: the usual spellings, then ``column=field`` overrides (``column=`` skips)."""
    headers = list(headers)
    mapping = {h: ALIASES[_key(h)] for h in headers if _key(h) in ALIASES}
    for entry in overrides:
        column, sep, target = entry.partition("=")
        column, target = column.strip(), target.strip()
        if not sep or column not in headers:
            raise MappingError(
                f"--map {entry!r}: use COLUMN=FIELD with a column of the file "
                f"({', '.join(headers)})"
            )
        if not target:
            mapping.pop(column, None)
        elif target not in FIELDS:
            raise MappingError(f"--map {entry!r}: {target!r} is not a field ({', '.join(FIELDS)})")
        else:
            mapping = {c: f for c, f in mapping.items() if f != target}
            mapping[column] = target
    taken: dict[str, str] = {}
    for column, target in mapping.items():
        if target in taken:
            raise MappingError(
                f"columns {taken[target]!r} and {column!r} both map to {target}: "
                f"--map {column}= ignores one"
            )
        taken[target] = column
    if "phone" not in taken:
        raise MappingError(
            f"no phone column among {', '.join(headers)}: map one, COLUMN=phone "
            "(--map on the command line, a map field in the upload)"
        )
    return mapping
