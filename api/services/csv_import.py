"""CSV lead import: map columns, check every row, insert in batches, report every rejected row.

Nothing is dropped silently: each row read is imported (its phone is a new
contact), merged (its phone already had a contact, from the database or an
earlier row: one more inquiry for that contact), already imported (that
contact has an inquiry with the same fields: nothing is added, but the
contact still gains a name or e-mail it lacked, "updated"), or rejected with
its line number and the reason. So importing a file twice adds nothing the
second time, and a changed row still adds what changed. Each batch is its own
transaction so an import of 100,000 rows never holds SQLite's single write
lock for more than a moment: the SMS webhook keeps answering inside Twilio's
15 s while a list loads.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from adapters.storage import audit
from adapters.storage.leads import (
    OPEN_ASSIGNMENT,
    ConsentKey,
    InquiryKey,
    consent_keys,
    fill_contacts,
    get_or_create_contacts,
    inquiry_key,
    inquiry_keys,
    insert_inquiries,
)
from adapters.storage.orm import Assignment, ConsentRecord, Inquiry
from adapters.storage.repositories import to_e164
from adapters.storage.vocab import LeadStatus, Priority
from api.container import Container
from api.services import outbox, routing
from api.services.csv_columns import (
    CONSENT_FIELDS,
    CONTACT_FIELDS,
    INQUIRY_FIELDS,
    MAX_LENGTH,
    MappingError,
)
from api.services.leads import default_script, start_for

BATCH = 5_000
_PLAIN_US = re.compile(r"^ *(\+?1[ .-]?)?\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4} *$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PRIORITIES = {p.value for p in Priority}
_STATUSES = {s.value for s in LeadStatus}


@dataclass(frozen=True)
class Rejected:
    """One row not imported: its line in the file (the header is line 1) and why."""

    line: int
    reason: str
    phone: str = ""
    row: tuple[str, ...] = ()  # the original cells, so the row can be fixed and re-imported


@dataclass
class ImportReport:
    """What an import did; ``read == imported + merged + already_imported + rejected``."""

    read: int = 0
    imported: int = 0  # rows whose phone became a new contact
    merged: int = 0  # rows added as one more inquiry of an existing contact
    already_imported: int = 0  # rows whose inquiry the contact has: nothing added
    updated: int = 0  # of those, rows that gave the contact a field it lacked
    rejected: list[Rejected] = field(default_factory=list)
    started: int = 0
    not_started: dict[str, int] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    # rows of known leads another agent owns (or is offered): the owner asked for not applied
    owner_kept: list[int] = field(default_factory=list)
    routing: bool = False  # whether the routing rules saw the new leads (ISA_ROUTING_FILE)
    routed: int = 0  # new leads the routing rules offered to an agent
    pond: int = 0  # new leads the routing rules left to the coordinators

    def summary(self) -> dict[str, Any]:
        """The counts, as the CLI and the API print them."""
        routing = {"routed": self.routed, "pond": self.pond} if self.routing else {}
        return {
            "read": self.read,
            "imported": self.imported,
            "merged": self.merged,
            "rejected": len(self.rejected),
            "started": self.started,
            "not_started": self.not_started,
            "already_imported": self.already_imported,
            "updated": self.updated,
            "owner_not_changed": len(self.owner_kept),
            **routing,
            "text": self.sentence(),
        }

    def notes(self) -> list[str]:
        """What the counts alone do not say (the owner asked for, not applied), one line each."""
        if not self.owner_kept:
            return []
        lines = ", ".join(map(str, self.owner_kept[:20])) + (
            " …" if len(self.owner_kept) > 20 else ""
        )
        return [
            f"{len(self.owner_kept)} row(s) added to a known lead another agent owns or is "
            f"offered (lines {lines}): the owner asked for was not applied; the owner of an "
            "existing lead changes only by assignment"
        ]

    def sentence(self) -> str:
        """The counts in words: "0 new, 193 already imported (nothing added)"."""
        parts = [f"{self.imported} new"]
        if self.merged:
            parts.append(f"{self.merged} merged into known contacts")
        if self.already_imported:
            nothing = "" if self.updated else " (nothing added)"
            parts.append(f"{self.already_imported} already imported{nothing}")
        if self.updated:
            parts.append(f"{self.updated} of them updated the contact's details")
        if self.rejected:
            parts.append(f"{len(self.rejected)} rejected")
        if self.routing:
            parts.append(f"{self.routed} offered by the routing rules, {self.pond} to the pond")
        return ", ".join(parts)


Records = Iterator[tuple[int, list[str] | str]]
"""(line, values), or (line, why the csv module could not read it)."""


def read_csv(stream: TextIO) -> tuple[list[str], Records]:
    """The header and the records, each with the line it starts on (the header is line 1)."""
    reader = csv.reader(stream)
    try:
        headers = next(reader, None)
    except csv.Error as e:
        raise MappingError(f"line 1: the header is not CSV: {e}") from None
    if not headers:
        raise MappingError("the file is empty: the first line must be the column headers")

    def records() -> Records:
        line = reader.line_num + 1
        while True:
            try:
                record: list[str] | str = next(reader)
            except StopIteration:
                return
            except csv.Error as e:  # a NUL byte, a field over the size limit: that row only
                record = f"unreadable CSV: {e}"
            yield line, record
            line = reader.line_num + 1

    return [h.strip() for h in headers], records()


def fast_e164(raw: str, region: str) -> str | None:
    """A plainly written US number as E.164 without phonenumbers' parser, else None.

    ``to_e164`` costs ~30 µs a number, a third of an import; lists are mostly
    "(615) 555-0142" or "+1 615-555-0142", for which the answer is certain:
    ten digits with an area code 2–9, after an optional country code 1.
    """
    if region != "US" or not _PLAIN_US.match(raw):
        return None
    digits = re.sub(r"[^0-9]", "", raw)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    elif raw.lstrip().startswith("+") or len(digits) != 10:
        return None
    return "+1" + digits if digits[0] in "23456789" else None


def check_row(values: dict[str, str], region: str, now: datetime) -> dict[str, Any]:
    """The row's fields, cleaned; ValueError with the reason when the row cannot be imported."""
    if any("\x00" in v for v in values.values()):
        raise ValueError("a NUL character in the row (PostgreSQL cannot store it)")
    raw_phone = values.get("phone", "")
    if not raw_phone:
        raise ValueError("missing phone")
    try:
        out: dict[str, Any] = {"phone": fast_e164(raw_phone, region) or to_e164(raw_phone, region)}
    except ValueError as e:
        raise ValueError(f"broken phone: {e}") from None
    for name, limit in MAX_LENGTH.items():
        if len(values.get(name, "")) > limit:
            raise ValueError(f"{name} longer than {limit} characters")
    for name in (*CONTACT_FIELDS, *INQUIRY_FIELDS, *CONSENT_FIELDS):
        out[name] = values.get(name) or None
    if "full_name" in values and not (out["first_name"] or out["last_name"]):
        first, _, last = values["full_name"].partition(" ")
        out["first_name"], out["last_name"] = first[:100] or None, last.strip()[:100] or None
    if out["email"]:
        if not _EMAIL.match(out["email"]):
            raise ValueError(f"bad e-mail {out['email']!r}")
        out["email"] = out["email"].lower()
    for name in ("state", "property_state"):
        if out[name]:
            out[name] = out[name].upper()
    _check_vocab(out)
    out["received_given"] = out["received_at"] is not None  # else "now": any time matches
    out["received_at"] = _when(out["received_at"]) if out["received_at"] else now
    if out["consent_wording"] is None and (out["consent_source"] or out["consent_reference"]):
        raise ValueError("consent without its wording: map the consent text to consent_wording")
    return out


def _check_vocab(out: dict[str, Any]) -> None:
    level = out["interest_level"]
    if level is not None:
        if not level.isdigit() or int(level) > 5:
            raise ValueError(f"bad interest level {level!r}: a whole number 0–5")
        out["interest_level"] = int(level)
    for name, allowed in (("priority", _PRIORITIES), ("lead_status", _STATUSES)):
        if out[name] is not None:
            value = out[name].lower()
            if value not in allowed:
                raise ValueError(
                    f"bad {name.replace('_', ' ')} {out[name]!r}: one of "
                    f"{', '.join(sorted(allowed))}"
                )
            out[name] = value
    out["lead_status"] = out["lead_status"] or LeadStatus.ACTIVE.value
    out["source"] = out["source"] or "CSV import"
    out["inquiry_type"] = out["inquiry_type"] or "Import"


def _when(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"bad received date {text!r}: use ISO 8601, e.g. 2026-11-23") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # a bare date is read as UTC


@dataclass
class Importer:
    """One import run: rows in, batches written, the report kept up to date."""

    container: Container
    mapping: dict[str, str]
    actor_id: int | None = None
    owner_id: int | None = None
    source_name: str = "upload"
    on_progress: Callable[[int], None] = lambda _n: None
    report: ImportReport = field(default_factory=ImportReport)
    created: list[tuple[int, str]] = field(default_factory=list)  # new contacts, default script
    _ids: dict[str, int] = field(default_factory=dict)  # contact ids of phones met so far
    _inquiries: dict[int, set[InquiryKey]] = field(default_factory=dict)  # of contacts met
    _consents: dict[int, set[ConsentKey]] = field(default_factory=dict)
    _made: set[int] = field(default_factory=set)  # contacts this run created

    def run(
        self, records: Iterable[tuple[int, list[str] | str]], headers: list[str]
    ) -> ImportReport:
        """Import every record; commit batch by batch; audit the whole run once."""
        self.report.mapping = dict(self.mapping)
        columns = [(i, self.mapping.get(h)) for i, h in enumerate(headers)]
        now = self.container.clock()
        batch: list[tuple[int, dict[str, Any]]] = []
        region = self.container.settings.default_region
        for line, record in records:
            self.report.read += 1
            if isinstance(record, str):
                self._reject(line, record)
                continue
            if len(record) != len(headers) and any(v.strip() for v in record):
                self._reject(
                    line, f"{len(record)} columns where the header has {len(headers)}", row=record
                )
                continue
            values = {f: record[i].strip() for i, f in columns if f is not None}
            if not any(v.strip() for v in record):
                self._reject(line, "empty row")
                continue
            try:
                batch.append((line, check_row(values, region, now)))
            except ValueError as e:
                self._reject(line, str(e), values.get("phone", ""), row=record)
            if len(batch) >= BATCH:
                self._write(batch, now)
                batch = []
        self._write(batch, now)
        if self.owner_id is None:
            self._route()
        with self.container.uow() as uow:
            audit.record(
                uow.session,
                actor_id=self.actor_id,
                action="leads.import",
                subject=("import", self.source_name),
                at=now,
                **self.report.summary(),
            )
            uow.commit()
        return self.report

    def _route(self) -> None:
        """Offer each new lead by the routing rules (when configured), one transaction each."""
        if routing.routing_of(self.container) is None:
            return
        self.report.routing = True
        for contact_id, _script in self.created:
            with self.container.uow() as uow:
                contact = uow.contacts.get(contact_id)
                inquiry = uow.session.scalar(
                    select(Inquiry)
                    .where(Inquiry.contact_id == contact_id)
                    .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
                    .limit(1)
                )
                if contact is None or inquiry is None:  # pragma: no cover - never deleted
                    continue
                said = routing.route_intake(self.container, uow, contact, inquiry)
                uow.commit()
            if said is not None and said.startswith(routing.POND):
                self.report.pond += 1
            elif said is not None:
                self.report.routed += 1

    def _reject(self, line: int, reason: str, phone: str = "", *, row: Iterable[str] = ()) -> None:
        self.report.rejected.append(Rejected(line, reason, phone, tuple(row)))
        self.on_progress(1)

    def _write(self, batch: list[tuple[int, dict[str, Any]]], now: datetime) -> None:
        if not batch:
            return
        with self.container.uow() as uow:
            new: dict[str, dict[str, Any]] = {}
            for _, row in batch:
                phone = row["phone"]
                if phone not in self._ids and phone not in new:
                    new[phone] = {
                        "phone": phone,
                        "created_at": now,
                        "dead": False,
                        **{k: row[k] for k in CONTACT_FIELDS},
                    }
            ids, created = get_or_create_contacts(uow.session, list(new.values()))
            ids.update(self._ids)
            gained = self._known(uow.session, batch, ids, created)
            self._made.update(ids[p] for p in created)
            held = self._held(uow.session, {ids[r["phone"]] for _, r in batch} - self._made)
            inquiries, consents, outcome = [], [], []
            for line, row in batch:
                contact_id = ids[row["phone"]]
                seen = self._inquiries[contact_id]
                key = inquiry_key(row, row["received_at"] if row["received_given"] else None)
                if key in seen:
                    outcome.append("updated" if contact_id in gained else "already")
                    gained.pop(contact_id, None)  # one row of the contact counts the update
                else:
                    seen.add(key)
                    seen.add(inquiry_key(row, None))
                    seen.add(inquiry_key(row, row["received_at"]))
                    outcome.append("new")
                    owner_id = self.owner_id
                    if contact_id in held:  # a known lead another agent holds keeps its owner
                        owner_id = held[contact_id]
                        if self.owner_id is not None:  # asked for another: say it was not
                            self.report.owner_kept.append(line)
                    inquiries.append(
                        {
                            "contact_id": contact_id,
                            "owner_id": owner_id,
                            "raw": {"import": self.source_name, "line": line},
                            **{k: row[k] for k in INQUIRY_FIELDS},
                        }
                    )
                consent = self._consent(contact_id, row)
                if consent is not None:
                    consents.append(consent)
            insert_inquiries(uow.session, inquiries)
            if consents:
                uow.session.execute(cast(Table, ConsentRecord.__table__).insert(), consents)
            uow.commit()
        for (_, row), done in zip(batch, outcome, strict=True):
            phone = row["phone"]
            if phone in created and phone not in self._ids:
                self.report.imported += 1
                script = default_script(
                    row["inquiry_type"], row["contact_type"], row["business_source"]
                )
                self.created.append((ids[phone], script))
            elif done == "new":
                self.report.merged += 1
            else:
                self.report.already_imported += 1
                self.report.updated += done == "updated"
            self._ids[phone] = ids[phone]
        self.on_progress(len(batch))

    def _known(
        self,
        session: Session,
        batch: list[tuple[int, dict[str, Any]]],
        ids: dict[str, int],
        created: set[str],
    ) -> dict[int, set[str]]:
        """Load the inquiries and consents of the batch's contacts not met yet, and give the
        contacts that existed before this file the fields they lack; returns what they gained."""
        fresh = {ids[p] for p in created}
        met = {ids[row["phone"]] for _, row in batch} - self._inquiries.keys()
        older = met - fresh
        self._inquiries.update(inquiry_keys(session, older))
        self._consents.update(consent_keys(session, older))
        for contact_id in met & fresh:
            self._inquiries[contact_id], self._consents[contact_id] = set(), set()
        rows: dict[int, list[dict[str, Any]]] = {}
        for _, row in batch:
            if row["phone"] not in created:
                rows.setdefault(ids[row["phone"]], []).append(row)
        return fill_contacts(session, CONTACT_FIELDS, rows)

    def _consent(self, contact_id: int, row: dict[str, Any]) -> dict[str, Any] | None:
        """The consent record of ``row`` unless the contact has it already."""
        if not row["consent_wording"]:
            return None
        source = row["consent_source"] or self.source_name
        key = (source, row["consent_wording"], row["consent_reference"])
        if key in self._consents[contact_id]:
            return None
        self._consents[contact_id].add(key)
        return {
            "contact_id": contact_id,
            "given_at": row["received_at"],
            "source": source,
            "wording": row["consent_wording"],
            "reference": row["consent_reference"],
        }

    def _held(self, session: Any, known: set[int]) -> dict[int, int | None]:
        """Of the known contacts, those another agent than ``owner_id`` owns or is offered:
        contact id → its owner (None while only offered). Without ``owner_id``, every one an
        agent owns or is offered: the owner gets every inquiry of their contact (seed 001)."""
        if not known:
            return {}
        owners = dict(
            session.execute(
                select(Inquiry.contact_id, func.min(Inquiry.owner_id))
                .where(Inquiry.contact_id.in_(known), Inquiry.owner_id.is_not(None))
                .group_by(Inquiry.contact_id)
            ).all()
        )
        offered = dict(
            session.execute(
                select(Assignment.contact_id, func.min(Assignment.agent_id))
                .where(Assignment.contact_id.in_(known), Assignment.state.in_(OPEN_ASSIGNMENT))
                .group_by(Assignment.contact_id)
            ).all()
        )
        held: dict[int, int | None] = {}
        for contact_id in known:
            owner = owners.get(contact_id)
            if owner is not None and owner != self.owner_id:
                held[contact_id] = owner
            elif owner is None and offered.get(contact_id) not in (None, self.owner_id):
                held[contact_id] = None
        return held

    def start_conversations(self, script: str | None) -> None:
        """Start a conversation for each new contact (``--start``), each in its own transaction."""
        for contact_id, default in self.created:
            name = script or default
            with self.container.uow() as uow:
                contact = uow.contacts.get(contact_id)
                if contact is None:  # pragma: no cover - imported rows are never deleted
                    continue
                started = start_for(
                    self.container,
                    uow,
                    contact,
                    name,
                    owner_id=self.owner_id,
                    actor_id=self.actor_id,
                )
                uow.commit()
            outbox.deliver(self.container, started.outbound_ids)
            said = started.said
            if said == "started":
                self.report.started += 1
            else:
                self.report.not_started[said] = self.report.not_started.get(said, 0) + 1


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralised(cell: str) -> str:
    """``cell`` safe to open in a spreadsheet: one that would start a formula (``=``, ``+``,
    ``-``, ``@``, tab, CR) gets a leading apostrophe, which spreadsheets show as text."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def write_rejects(out: TextIO, headers: list[str], rejected: Iterable[Rejected]) -> None:
    """The rejected rows as CSV: line and reason, then the original columns (formula-safe)."""
    writer = csv.writer(out)
    writer.writerow(["line", "reason", *headers])
    for r in rejected:
        writer.writerow([r.line, neutralised(r.reason), *(neutralised(c) for c in r.row)])
