"""Lead intake: one web form or ad lead in, the contact deduplicated, the conversation started.

The contact is found by phone, else by e-mail (the same person texting from a
new number); every inquiry is kept (seed 001: five forms, five leads). A new
lead's first text goes out at once: speed to lead is what converts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, NamedTuple

from fastapi import HTTPException
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    EmailStr,
    Field,
    field_validator,
)
from sqlalchemy import func, select

from adapters.storage import audit
from adapters.storage.columns import MAX_ID
from adapters.storage.jobs import NEW_LEAD
from adapters.storage.leads import OPEN_ASSIGNMENT
from adapters.storage.orm import (
    Assignment,
    ConsentRecord,
    Contact,
    ConversationRow,
    Inquiry,
    User,
)
from adapters.storage.repositories import to_e164
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from adapters.storage.vocab import LeadStatus, Priority, Role
from api.container import Container
from api.services import outbox, routing
from api.services import scripts as script_versions
from api.services.turns import start_conversation
from isa_engine.errors import NotAllowed


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def no_nul(value: object) -> object:
    # PostgreSQL text cannot hold NUL: refuse it here as a 422, not later as a 500.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


def _plausible(value: datetime) -> datetime:
    if not 1900 <= value.year <= 2200:
        raise ValueError("a date between 1900 and 2200")
    return value


Lower = BeforeValidator(_lower)
Short = Annotated[str, Field(max_length=100)]
When = Annotated[AwareDatetime, AfterValidator(_plausible)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class TextInput(BaseModel):
    """A request body whose text fields refuse NUL (PostgreSQL cannot store it)."""

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        if isinstance(value, list):
            return [no_nul(v) for v in value]
        return no_nul(value)


class ConsentIn(TextInput):
    """Prior express written consent as the form captured it (COMPLIANCE.md #9)."""

    source: str = Field(min_length=1, max_length=100, examples=["realtor.com form"])
    wording: str = Field(min_length=1, max_length=5000)
    reference: str | None = Field(default=None, max_length=300)
    given_at: When | None = None


class LeadIn(TextInput):
    """One web form or ad lead (seed 001's fields); only the phone is required."""

    phone: str = Field(min_length=1, max_length=40, examples=["(615) 555-0142"])
    first_name: Short | None = None
    last_name: Short | None = None
    email: EmailStr | None = None
    zip: str | None = Field(default=None, max_length=10)
    state: str | None = Field(default=None, min_length=2, max_length=2)
    source: str = Field(default="Website", min_length=1, max_length=60)
    inquiry_type: str = Field(default="Contact", min_length=1, max_length=40)
    property_address: str | None = Field(default=None, max_length=300)
    property_state: str | None = Field(default=None, min_length=2, max_length=2)
    property_zip: str | None = Field(default=None, max_length=10)
    city: Short | None = None  # the property's or the search's city (routing rules match it)
    price: int | None = Field(default=None, ge=0, le=1_000_000_000)  # list price or budget
    language: Literal["en", "es"] | None = None  # the lead's language, when the form knows it
    message: str | None = Field(default=None, max_length=5000)
    lead_status: Annotated[LeadStatus, Lower] = LeadStatus.ACTIVE
    contact_status: str | None = Field(default=None, max_length=40)
    contact_type: str | None = Field(default=None, max_length=40)
    business_source: str | None = Field(default=None, max_length=60)
    interest_level: int | None = Field(default=None, ge=0, le=5)
    priority: Annotated[Priority | None, Lower] = None
    time_frame: str | None = Field(default=None, max_length=40)
    owner_id: Id | None = None
    consent: ConsentIn | None = None
    script: str | None = Field(default=None, max_length=60, examples=["buyer"])
    received_at: When | None = None
    start: bool = True


class IntakeOut(BaseModel):
    """What intake did: which contact, whether it was new and how it was matched."""

    contact_id: int
    inquiry_id: int
    created: bool
    matched_by: str | None  # "phone", "email", or None for a new contact
    conversation: str  # "started", "exists", or why it was not started
    conversation_id: int | None = None
    opening: str | None = None  # "sent", or "waiting for an ISA" (ISA_AUTO_APPROVE=none)
    owner: str | None = None  # why a named owner_id was not applied (an existing lead's owner)
    routed: str | None = None  # what the routing rules did with a lead nobody held


class IntakeReceipt(BaseModel):
    """What a web-form (intake) token is told: the same for a new lead and a known one."""

    status: str = Field(default="received", examples=["received"])


class Started(NamedTuple):
    """Whether a conversation was started ("started", "exists", or why not) and its texts."""

    said: str
    conversation_id: int | None = None
    outbound_ids: tuple[int, ...] = ()


def phone_or_422(raw: str, region: str, field: str = "phone") -> str:
    """``raw`` as E.164, or a 422 that names the field and says why."""
    try:
        return to_e164(raw, region)
    except ValueError as e:
        detail = [{"loc": ["body", field], "msg": str(e), "type": "phone_number"}]
        raise HTTPException(422, detail) from None


def default_script(
    inquiry_type: str | None, contact_type: str | None, business_source: str | None
) -> str:
    """buyer, seller or open_house, from what the lead did and who they are."""
    said = " ".join(s for s in (inquiry_type, business_source) if s).lower()
    kind = (contact_type or "").strip().lower()
    if "open house" in said or "open_house" in said:
        return "open_house"
    if kind in ("seller", "landlord") or any(
        w in said for w in ("sell", "valuation", "home value", "cma")
    ):
        return "seller"
    return "buyer"


def check_agent(uow: SqlAlchemyUnitOfWork, agent_id: int, field: str = "owner_id") -> User:
    """The active agent with this id, or a 422 naming the field."""
    agent = uow.session.get(User, agent_id)
    if agent is None or not agent.active or agent.role != Role.AGENT:
        detail = [{"loc": ["body", field], "msg": f"no active agent {agent_id}", "type": "agent"}]
        raise HTTPException(422, detail)
    return agent


def _find_contact(
    uow: SqlAlchemyUnitOfWork, phone: str, email: str | None, fields: dict[str, Any], now: datetime
) -> tuple[Contact, bool, str | None]:
    found = uow.session.scalar(select(Contact).where(Contact.phone == phone))
    if found is not None:
        return found, False, "phone"
    if email:
        found = uow.session.scalar(
            select(Contact).where(func.lower(Contact.email) == email).order_by(Contact.id).limit(1)
        )
        if found is not None:
            return found, False, "email"
    contact, created = uow.contacts.get_or_create(phone, at=now, **fields)
    return contact, created, None if created else "phone"  # lost a race: same phone


def current_owner(uow: SqlAlchemyUnitOfWork, contact_id: int) -> tuple[int | None, int | None]:
    """The contact's owner (an agent owning one of its inquiries) and the agent it is offered
    to, if any: who holds the lead now."""
    owner = uow.session.scalar(
        select(Inquiry.owner_id)
        .where(Inquiry.contact_id == contact_id, Inquiry.owner_id.is_not(None))
        .order_by(Inquiry.id)
        .limit(1)
    )
    offered = uow.session.scalar(
        select(Assignment.agent_id)
        .where(Assignment.contact_id == contact_id, Assignment.state.in_(OPEN_ASSIGNMENT))
        .limit(1)
    )
    return owner, offered


def owner_of_new_inquiry(
    uow: SqlAlchemyUnitOfWork, contact_id: int, wanted: int | None, *, intake_token: bool
) -> tuple[int | None, str | None]:
    """Who owns an existing contact's new inquiry, and why ``wanted`` was not applied.

    The owner of an existing contact changes only by assignment (POST /leads/{id}/assign,
    then the agent accepts): a named owner_id is applied to a contact nobody holds; for a
    contact an agent owns the inquiry goes to that owner, named or not (seed 001: the owner
    receives every lead from their contacts, alerted as it comes in). An intake token
    never sets an existing contact's owner: whoever holds the lead keeps it, nobody else
    starts seeing it.
    """
    owner, offered = current_owner(uow, contact_id)
    if intake_token or wanted is None:  # the owner gets every inquiry of their contact
        return owner, None
    if wanted == owner:
        return wanted, None
    if owner is not None:
        return owner, (
            f"owner_id {wanted} not applied: lead {contact_id} is owned by agent {owner}; "
            "the owner of an existing lead changes only by assignment (the owner can share it)"
        )
    if offered is not None and offered != wanted:
        return None, (
            f"owner_id {wanted} not applied: lead {contact_id} is offered to agent {offered}; "
            "the owner of an existing lead changes only by assignment"
        )
    return wanted, None


def intake(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    lead: LeadIn,
    *,
    actor_id: int,
    intake_token: bool = False,
) -> IntakeOut:
    """POST /leads: store one lead, start its conversation if it has none, commit.

    ``intake_token``: posted with a web-form token, which may add an inquiry but never
    changes who owns or sees an existing contact (its caller answers with a receipt only).
    """
    now = container.clock()
    phone = phone_or_422(lead.phone, container.settings.default_region)
    if lead.owner_id is not None:
        check_agent(uow, lead.owner_id)
    script = lead.script or default_script(
        lead.inquiry_type, lead.contact_type, lead.business_source
    )
    if lead.start:  # an unknown script is a 404 for a new lead and a known one alike
        resolve_script(container, script)
    email = str(lead.email).lower() if lead.email else None
    fields = {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": email,
        "zip": lead.zip,
        "state": lead.state.upper() if lead.state else None,
    }
    contact, created, matched_by = _find_contact(uow, phone, email, fields, now)
    owner_id, owner_note = lead.owner_id, None
    if not created:
        owner_id, owner_note = owner_of_new_inquiry(
            uow, contact.id, lead.owner_id, intake_token=intake_token
        )
    # an older contact gains what it lacked, never loses; not from a web-form token, whose
    # holder could otherwise name a stranger's lead in our texts (the inquiry keeps it all)
    for name, value in fields.items() if created or not intake_token else ():
        if value is not None and getattr(contact, name) is None:
            setattr(contact, name, value)
    raw = lead.model_dump(mode="json", exclude_none=True, exclude={"consent", "start"})
    raw["phone_e164"] = phone
    inquiry = Inquiry(
        contact_id=contact.id,
        source=lead.source,
        inquiry_type=lead.inquiry_type,
        property_address=lead.property_address,
        property_state=lead.property_state,
        property_zip=lead.property_zip,
        message=lead.message,
        lead_status=lead.lead_status,
        contact_status=lead.contact_status,
        contact_type=lead.contact_type,
        business_source=lead.business_source,
        interest_level=lead.interest_level,
        priority=lead.priority,
        time_frame=lead.time_frame,
        owner_id=owner_id,
        received_at=lead.received_at or now,
        raw=raw,
    )
    uow.session.add(inquiry)
    if lead.consent is not None:
        uow.session.add(
            ConsentRecord(
                contact_id=contact.id,
                source=lead.consent.source,
                wording=lead.consent.wording,
                reference=lead.consent.reference,
                given_at=lead.consent.given_at or now,
            )
        )
    uow.session.flush()
    routed = None
    if owner_id is not None:  # the agent hears of the new lead (seed 000)
        uow.jobs.add(NEW_LEAD, now, {"inquiry_id": inquiry.id}, at=now)
    else:  # nobody holds it: the routing rules offer it, or leave it in the pond
        routed = routing.route_intake(container, uow, contact, inquiry)
    audit.record(
        uow.session,
        actor_id=actor_id,
        action="lead.intake",
        subject=("contact", contact.id),
        at=now,
        inquiry_id=inquiry.id,
        created=created,
        matched_by=matched_by,
        consent=lead.consent is not None,
        owner_id=owner_id,
        owner_refused=lead.owner_id if owner_note else None,
        intake_token=intake_token,
    )
    started = Started("not started: start was false")
    if lead.start:
        started = start_for(container, uow, contact, script, owner_id=owner_id, actor_id=actor_id)
    uow.commit()
    outbox.deliver(container, started.outbound_ids)  # after commit: the rows are durable
    return IntakeOut(
        contact_id=contact.id,
        inquiry_id=inquiry.id,
        created=created,
        matched_by=matched_by,
        conversation=started.said,
        conversation_id=started.conversation_id,
        opening=None
        if started.said != "started"
        else "sent"
        if started.outbound_ids
        else "waiting for an ISA",
        owner=owner_note,
        routed=routed,
    )


def resolve_script(container: Container, script: str) -> str:
    """``name`` or ``name@version`` as a reference to a stored version; 404 when unknown."""
    name, _, version = script.partition("@")
    ref = f"{name}@{version}" if version else script_versions.published_ref(container, name)
    script_versions.store(container).get(ref)  # unknown script or version: 404 before anything
    return ref


def start_for(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    contact: Contact,
    script: str,
    *,
    owner_id: int | None,
    actor_id: int | None,
) -> Started:
    """Start the contact's conversation on the script's published version, unless it has one.

    The caller commits, then hands ``outbound_ids`` to ``outbox.deliver``.
    """
    existing = uow.session.scalar(
        select(ConversationRow.id).where(ConversationRow.contact_id == contact.id).limit(1)
    )
    if existing is not None:
        return Started("exists", existing)
    if contact.dead:
        return Started(f"not started: the contact is dead ({contact.dead_reason})")
    ref = resolve_script(container, script)
    try:
        result = start_conversation(
            container, uow, contact.id, script_ref=ref, agent_id=owner_id, actor_id=actor_id
        )
    except NotAllowed as e:  # dead meanwhile, or the script refuses to open
        return Started(f"not started: {e}")
    if not result.started:
        return Started("exists", result.conversation_id)
    return Started("started", result.conversation_id, result.outbound_ids)


def parse_when(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime with an offset, for query parameters; 422 when naive."""
    if not value:
        return None
    if len(value) == 10:  # a bare date: midnight UTC
        value += "T00:00:00+00:00"
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{value!r} is not an ISO 8601 date or time") from None
    if when.tzinfo is None:
        raise HTTPException(422, f"{value!r} needs a UTC offset, e.g. {value}T00:00+00:00")
    if not 1900 <= when.year <= 2200:
        raise HTTPException(422, f"{value!r}: a date between 1900 and 2200")
    return when
