"""The closed vocabularies stored in string-enum columns (seed 001/002, DESIGN.md).

Open vocabularies that product people extend (contact type, business source,
time frame, inquiry type) are plain strings instead, so adding a value needs
no migration.
"""

from __future__ import annotations

from enum import StrEnum


class LeadStatus(StrEnum):
    """Seed 001: whether the owner is prompted for updates; set by the concierge."""

    ACTIVE = "active"
    INACTIVE = "inactive"


class Priority(StrEnum):
    """Seed 001: a contact's priority."""

    HOT = "hot"
    WARM = "warm"
    COLD = "cold"
    DEAD = "dead"


class Role(StrEnum):
    """What a user may do (issue 3, "Access")."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ISA = "isa"
    AGENT = "agent"
    AUTHOR = "author"


class AssignmentState(StrEnum):
    """Seed 002: a lead assigned to an agent waits for them to accept or reject it."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Direction(StrEnum):
    """Which way a text went."""

    IN = "in"
    OUT = "out"


class DeliveryStatus(StrEnum):
    """Twilio's message statuses; ``RANK`` orders them so status only moves forward."""

    RECEIVED = "received"  # inbound
    QUEUED = "queued"
    ACCEPTED = "accepted"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = (
        "cancelled"  # withdrawn before it left: the lead texted again, or an agent took over
    )


DELIVERY_RANK: dict[DeliveryStatus, int] = {
    DeliveryStatus.RECEIVED: 0,
    DeliveryStatus.QUEUED: 1,
    DeliveryStatus.ACCEPTED: 1,
    DeliveryStatus.SENDING: 2,
    DeliveryStatus.SENT: 3,
    DeliveryStatus.DELIVERED: 4,
    DeliveryStatus.UNDELIVERED: 4,
    DeliveryStatus.FAILED: 4,
    DeliveryStatus.CANCELLED: 4,
}
"""COMPLIANCE.md #12: queued/accepted < sending < sent < delivered/undelivered/failed."""


class SuggestionState(StrEnum):
    """Where a suggested reply is in the ISA queue."""

    PENDING = "pending"
    APPROVED = "approved"
    EDITED = "edited"
    REJECTED = "rejected"
    ESCALATED = "escalated"
    EXPIRED = "expired"


class EnrollmentState(StrEnum):
    """A contact's membership of a drip campaign."""

    ACTIVE = "active"
    STOPPED = "stopped"
    FINISHED = "finished"
