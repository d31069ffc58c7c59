"""The Leads search on a million contacts, and a 100,000-row CSV import into them.

Fill: a new database (a temporary SQLite file, or an empty, disposable
PostgreSQL database whose public schema is dropped and recreated), migrated,
then loaded as fast as the database takes it: 50 agents and a coordinator, a
million contacts (names weighted as common names are, valid US numbers whose
area code fits the ZIP, ZIP, state, time zone, some e-mails, some opted out),
one to six inquiries each over two years (source, type, statuses, stars,
priority, time frame, owner), a conversation for a third of them, a few
assignments and shares. SQLite gets Core ``insert()`` executemany in chunks,
PostgreSQL ``COPY``; secondary indexes are dropped first and rebuilt from their
own DDL afterwards. PostgreSQL is then ``VACUUM ANALYZE``d, as autovacuum would
soon do; SQLite is left without statistics, as the app leaves it.

Search: each query shape of the console's Leads tab, through the console's own
path (``lead_filter`` → ``visible_contacts`` → ``lead_views.search_page`` in a
read-only unit of work, pages of 25, newest first unless the shape sorts
otherwise), ``--runs`` times with varying values after one warm-up call:
wall-clock ms per call (the count and the page), p50/p95/max per shape and the
p95 of every call. Baseline: 25 leads fetched by id, the floor any page pays.
State and ZIP are not Leads-tab filters (``LeadFilter`` has none), so no shape
filters on them.

Import: ``isa leads import`` (``python -m api leads import``) in a child process
on a 100,000-row CSV (one row in ten an already known phone, a few bad rows):
seconds by the command's own clock; peak memory is the child's ``ru_maxrss``
(``os.wait4``), the whole process's high-water mark.

    python -m bench.leads                                        # SQLite, 1,000,000 contacts
    python -m bench.leads --database postgresql://postgres@127.0.0.1/bench_leads
    python -m bench.leads --database URL --no-fill               # measure a filled database again
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

import phonenumbers
import typer
import zipcodes
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import JSON, Connection, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from adapters.storage.engine import make_engine
from adapters.storage.migrate import upgrade
from adapters.storage.orm import (
    Assignment,
    Base,
    Contact,
    ConversationRow,
    Inquiry,
    Share,
    User,
)
from api.access import visible_contacts
from api.app import create_app
from api.container import Container
from api.routes.leads import lead_filter
from api.services.lead_views import search_page
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
SPAN = timedelta(days=730)
PAGE = 25  # the console's page (api.web.leads.PAGE)
AIM_MS = 100.0
CHUNK = 20_000
IMPORT_ROWS = 100_000
console = Console(stderr=True)
T = TypeVar("T")


def _words(text: str) -> list[str]:
    """'Ann Bob_Ray' → ['Ann', 'Bob Ray']: long word lists kept short on the page."""
    return [w.replace("_", " ") for w in text.split()]


FIRST = _words(
    "James Mary Michael Patricia Robert Jennifer John Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Karen Christopher Sarah Charles Lisa Daniel Nancy "
    "Matthew Sandra Anthony Betty Mark Ashley Donald Emily Steven Kimberly Andrew Margaret Paul "
    "Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa Timothy Deborah Ronald "
    "Stephanie George Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy Jacob Kathleen "
    "Gary Angela Nicholas Dorothy Eric Shirley Jonathan Emma Stephen Brenda Larry Nicole Justin "
    "Pamela Scott Samantha Brandon Anna Benjamin Katherine Samuel Christine Gregory Debra "
    "Alexander Rachel Patrick Olivia Frank Carolyn Raymond Maria Jose Juan Luis Carlos Sofia "
    "Camila Valentina Diego Mateo Ximena Guadalupe Wei Mei Hiroshi Yuki Minh Thanh Priya Arjun "
    "Aisha Fatima Omar Mohammed Kwame Amara Dmitri Olga Ana Cora Dana Ivy Eli Zoe Liam Noah"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook "
    "Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward "
    "Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez "
    "Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan "
    "Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson "
    "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera "
    "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison "
    "Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker "
    "Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason "
    "Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox "
    "Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan "
    "Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos "
    "Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews "
    "Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis "
    "Carpenter Lawrence Sandoval Okafor Yamamoto Kowalski Novak Schultz Dubois Rossi Haddad"
)
DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "aol.com")


class Vocab(Generic[T]):
    """Values drawn as often as their weights say, cheaply: one random() a draw."""

    def __init__(self, values: Sequence[T], weights: Sequence[float], size: int = 10_000) -> None:
        total = sum(weights)
        self.table = [
            v for v, w in zip(values, weights, strict=True) for _ in range(round(w / total * size))
        ]

    def draw(self, rng: random.Random) -> T:
        """One value."""
        return self.table[int(rng.random() * len(self.table))]


def _zipf(values: Sequence[T], s: float) -> Vocab[T]:
    """The first values the most common, as names and busy agents are."""
    return Vocab(values, [1 / (i + 1) ** s for i in range(len(values))])


def _weighted(pairs: str) -> Vocab[str | None]:
    """'Zillow:22,Broker:8,-:5' → its vocabulary; '-' is no value."""
    items = [p.rsplit(":", 1) for p in pairs.split(",")]
    return Vocab([None if v == "-" else v for v, _ in items], [float(w) for _, w in items])


class Names:
    """Names about as common as in the US: a listed one for ``share`` of people, by rank
    (Smith about 1% of people, James about 2%), else one of thousands made of two parts."""

    def __init__(self, common: Sequence[str], share: float, starts: str, ends: str) -> None:
        self.common, self.share = _zipf(common, 0.5), share
        self.starts, self.ends = starts.split(), ends.split()

    def draw(self, rng: random.Random) -> str:
        """One name."""
        if rng.random() < self.share:
            return self.common.draw(rng)
        return rng.choice(self.starts) + rng.choice(self.ends)


FIRST_V = Names(
    FIRST,
    0.5,
    "Ja Ka Ma La Bri Da Ty Ky Jo Ra Ca A Ni Se Ze Ro Li Sa Ta Ve E Ha Ri Lu Mi Ad Em Ar Ol Is",
    "den son lyn ra na ley ron ton vin lie rah lan cy ri dyn liah mon bel nor ette isa ro",
)
LAST_V = Names(
    LAST,
    0.3,
    "Ab Al Ash Bar Bel Ben Black Bram Brook Cal Car Chal Clay Cor Crow Dal Dun El Ev Fair Far "
    "Gar Glen Gold Hal Har Hart Hay Hol Kel Ken Kings Lang Lin Mar Mer Mor Nor Oak Pem Ral "
    "Red Ros Sal Sher Stan Stra Thorn Tre Wal War Wes Whit Win Wood Yar Ost Pell Quin",
    "ley ton ford wood well man son field worth berg stein ridge wick more by den ham land er "
    "ett ard ing hurst wright lock bury gate mont dale ville rick ow",
)
INQUIRIES_PER_CONTACT = Vocab((1, 2, 3, 4, 5, 6), (65, 22, 9, 2, 1, 1))


SOURCES = _weighted(
    "Zillow:22,Realtor.com:18,Website:12,Facebook:10,Broker:8,Agent:7,Referral:6,"
    "Open House:5,Homes.com:4,Trulia:3,Google:3,Redfin:2"
)
INQUIRY_TYPES = _weighted(
    "Schedule Showing:30,Ask a Question:25,Contact:20,Home Valuation:10,Property Inquiry:10,"
    "Open House RSVP:5"
)
CONTACT_STATUSES = _weighted("-:30,New:20,Attempted:15,Contacted:12,Assigned:10,Nurture:8,Closed:5")
CONTACT_TYPES = _weighted("Buyer:50,Seller:20,Buyer-Seller:10,Rental:8,Sphere:4,Other:3,-:5")
BUSINESS = _weighted(
    "Advertisement:40,Referral:15,Open House:10,Direct Mail:8,Sign Call:7,Past Client:5,-:15"
)
PRIORITIES = _weighted("hot:10,warm:30,cold:40,dead:5,-:15")
TIME_FRAMES = _weighted("0-3 months:25,3-6 months:25,6-12 months:20,12+ months:15,-:15")
STATUSES = _weighted("active:30,cold:35,appointment:8,engaged:10,agent:7,dead:10")
MESSAGES = (
    "Is this home still available?",
    "I'd like to schedule a showing this weekend.",
    "What are the HOA fees?",
    "Can you send me similar listings?",
    "How much is my home worth?",
)


@dataclass(frozen=True)
class Place:
    """A ZIP with its state, time zone and the area codes dialled there."""

    zip: str
    state: str
    timezone: str
    area_codes: tuple[str, ...]


def places() -> list[Place]:
    """Standard ZIPs whose area codes make valid US numbers (libphonenumber's metadata)."""
    valid: dict[str, bool] = {}

    def ok(code: str) -> bool:
        if code not in valid:
            valid[code] = phonenumbers.is_valid_number(phonenumbers.parse(f"+1{code}2345678"))
        return valid[code]

    found = []
    for z in zipcodes.list_all():  # type: ignore[no-untyped-call]
        codes = tuple(c for c in z.get("area_codes") or () if ok(c))
        if z["zip_code_type"] == "STANDARD" and z["active"] and codes and z["timezone"]:
            found.append(Place(z["zip_code"], z["state"], z["timezone"], codes))
    return found


@dataclass
class Generator:
    """Rows for contacts and everything hanging off them, reproducible from a seed."""

    contacts: int
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    places: list[Place] = field(default_factory=places)
    phones: set[str] = field(default_factory=set)
    agents: list[int] = field(default_factory=lambda: list(range(2, 52)))
    inquiry_id: int = 0
    exchanges: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.owners = _zipf(self.agents, 0.5)  # some agents get more leads

    def pick(self, vocab: Vocab[str | None]) -> str | None:
        """One value of a weighted vocabulary."""
        return vocab.draw(self.rng)

    def phone(self, place: Place) -> str:
        """A new number valid by libphonenumber's metadata, with an area code of ``place``."""
        while True:
            prefix = f"+1{self.rng.choice(place.area_codes)}{self.rng.randint(200, 999)}"
            if prefix not in self.exchanges:  # validity goes by area code and exchange
                parsed = phonenumbers.parse(f"{prefix}4567")
                self.exchanges[prefix] = phonenumbers.is_valid_number(parsed)
            number = f"{prefix}{self.rng.randint(0, 9999):04d}"
            if self.exchanges[prefix] and number not in self.phones:
                self.phones.add(number)
                return number

    def chunk(self, start: int, size: int) -> dict[str, list[tuple[Any, ...]]]:
        """Rows of every table for contacts ``start+1 … start+size`` (ids in time order)."""
        rng = self.rng
        out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in FILLED}
        for cid in range(start + 1, start + size + 1):
            place = rng.choice(self.places)
            first, last = FIRST_V.draw(rng), LAST_V.draw(rng)
            created = NOW - SPAN + SPAN * ((cid - 1 + rng.random()) / self.contacts)
            email = None
            if rng.random() < 0.6:
                email = f"{first}.{last}{rng.randint(1, 999)}@{rng.choice(DOMAINS)}".lower()
            owner = self.owners.draw(rng) if rng.random() < 0.85 else None
            status = self.pick(STATUSES) if rng.random() < 0.35 else None
            dead = status == "dead"
            out["contacts"].append(
                (cid, self.phone(place), first, last, email, place.zip, place.state,
                 place.timezone, dead, "opted out" if dead else None,
                 created + timedelta(hours=2) if dead else None, created)
            )  # fmt: skip
            for n in range(INQUIRIES_PER_CONTACT.draw(rng)):
                self.inquiry_id += 1
                when = created if n == 0 else created + (NOW - created) * rng.random()
                out["inquiries"].append(self.inquiry(self.inquiry_id, cid, place, owner, when))
            if status is not None:
                agent = owner or rng.choice(self.agents)
                out["conversations"].append(
                    (cid, cid, agent, rng.choice(("buyer", "seller", "open_house")), 1, first,
                     FIRST[agent % len(FIRST)], None, status, None, {}, {}, {}, [], [],
                     rng.randint(1, 8), rng.randint(1, 12), None, False,
                     created + timedelta(minutes=5), created + timedelta(minutes=1), 1,
                     created, created + timedelta(minutes=5))
                )  # fmt: skip
            if rng.random() < 0.04:
                state = rng.choice(("offered", "accepted", "rejected"))
                out["assignments"].append(
                    (cid, cid, None, rng.choice(self.agents), 1, state,
                     "not my area" if state == "rejected" else None, created,
                     None if state == "offered" else created + timedelta(hours=3))
                )  # fmt: skip
            if rng.random() < 0.01:
                other = rng.choice(self.agents)
                out["shares"].append((cid, cid, other, owner, created + timedelta(days=1)))
        return out

    def inquiry(
        self, ident: int, cid: int, place: Place, owner: int | None, when: datetime
    ) -> tuple[Any, ...]:
        """One inquiry row of contact ``cid``."""
        rng = self.rng
        stars = rng.randint(0, 5) if rng.random() < 0.8 else None
        here = rng.random() < 0.6
        address = f"{rng.randint(100, 9999)} {rng.choice(LAST)} St" if here else None
        message = rng.choice(MESSAGES) if rng.random() < 0.3 else None
        return (
            ident, cid, self.pick(SOURCES), self.pick(INQUIRY_TYPES), address,
            place.state if here else None, place.zip if here else None, message,
            "active" if rng.random() < 0.75 else "inactive", self.pick(CONTACT_STATUSES),
            self.pick(CONTACT_TYPES), self.pick(BUSINESS), stars, self.pick(PRIORITIES),
            self.pick(TIME_FRAMES), owner, when, None,
        )  # fmt: skip


def _columns(model: type[Base], *skip: str) -> list[str]:
    return [c.key for c in model.__table__.columns if c.key not in skip]


FILLED: dict[str, list[str]] = {
    "contacts": _columns(Contact),
    "inquiries": _columns(Inquiry),
    "conversations": _columns(ConversationRow),
    "assignments": _columns(Assignment),
    "shares": _columns(Share),
}
TABLES = {t.name: t for t in Base.metadata.sorted_tables}


@dataclass
class Filled:
    """What the fill wrote and how long it took."""

    rows: dict[str, int]
    seconds: float


def reset(url: str) -> None:
    """An empty database: PostgreSQL's public schema is dropped and recreated."""
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as c:
            c.execute(text("DROP SCHEMA public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def secondary_indexes(conn: Connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX …) of the filled tables' indexes that back no constraint."""
    names = tuple(FILLED)
    if conn.dialect.name == "sqlite":
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN {names}"
            )
        )
    else:
        rows = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                f" AND tablename IN {names}"
                " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            )
        )
    return [(str(name), str(ddl)) for name, ddl in rows]


def write(conn: Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Append ``rows`` (in ``FILLED[table]`` column order): COPY, or Core executemany."""
    if not rows:
        return
    columns = FILLED[table]
    if conn.dialect.name == "sqlite":
        conn.execute(TABLES[table].insert(), [dict(zip(columns, r, strict=True)) for r in rows])
        return
    jsons = [i for i, c in enumerate(columns) if isinstance(TABLES[table].c[c].type, JSON)]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            if jsons:
                row = tuple(json.dumps(v) if i in jsons else v for i, v in enumerate(row))
            copy.write_row(row)


def fill(url: str, contacts: int) -> Filled:
    """Migrate, then load users and ``contacts`` contacts with all that hangs off them."""
    reset(url)
    upgrade(url)
    began = time.perf_counter()
    engine = make_engine(url, foreign_keys=False)  # rows are consistent by construction
    gen = Generator(contacts)
    rows = dict.fromkeys(FILLED, 0)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size = -524288")  # 512 MB for the index builds
        indexes = secondary_indexes(conn)
        for name, _ in indexes:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        users = [{"id": 1, "email": "coordinator@bench.example", "name": "Cora Diaz",
                  "role": "coordinator", "active": True, "created_at": NOW - SPAN}]  # fmt: skip
        for i in gen.agents:
            first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
            users.append({"id": i, "email": f"agent{i}@bench.example", "name": f"{first} {last}",
                          "role": "agent", "active": True, "first_name": first,
                          "last_name": last, "created_at": NOW - SPAN})  # fmt: skip
        conn.execute(TABLES["users"].insert(), users)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("contacts", total=contacts)
        for start in range(0, contacts, CHUNK):
            chunk = gen.chunk(start, min(CHUNK, contacts - start))
            with engine.begin() as conn:
                for table, table_rows in chunk.items():
                    write(conn, table, table_rows)
                    rows[table] += len(table_rows)
            bar.advance(task, len(chunk["contacts"]))
        built = bar.add_task("indexes", total=len(indexes))
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
            for _, ddl in indexes:
                conn.exec_driver_sql(ddl)
                bar.advance(built)
            if conn.dialect.name == "postgresql":
                for table in ("users", *FILLED):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return Filled(rows, time.perf_counter() - began)


@dataclass
class Sample:
    """Values users search for, drawn from the filled database."""

    agents: list[int]
    phones: list[str]
    emails: list[str]
    names: list[str]  # "first last" of real contacts

    def last(self, rng: random.Random) -> str:
        """A last name, as often as people have it."""
        return LAST_V.draw(rng)


Params = Callable[[random.Random, Sample], dict[str, Any]]


@dataclass(frozen=True)
class Shape:
    """One kind of search: its filters (``lead_filter``'s parameters), who asks, sort, page."""

    name: str
    params: Params
    who: str = "coordinator"
    sort: str = "-received_at"
    page: int = 1


def _month(rng: random.Random) -> dict[str, Any]:
    start = (NOW - SPAN + timedelta(days=rng.randint(0, 690))).date().replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return {"received_from": start.isoformat(), "received_to": end.isoformat()}


def _since(days: int) -> str:
    return (NOW - timedelta(days=days)).date().isoformat()


def _typed(phone: str) -> str:
    return f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"


def _fragment(rng: random.Random, s: Sample) -> str:
    name = s.last(rng).lower()
    at = rng.randint(0, max(0, len(name) - 4))
    return name[at : at + 4]


SHAPES = [
    Shape("newest first", lambda r, s: {}),
    Shape("newest first, page 50", lambda r, s: {}, page=50),
    Shape("name: last name", lambda r, s: {"q": s.last(r)}),
    Shape("name: first and last", lambda r, s: {"q": r.choice(s.names)}),
    Shape("name: 4 letters", lambda r, s: {"q": _fragment(r, s)}),
    Shape("phone: last 4 digits", lambda r, s: {"q": r.choice(s.phones)[-4:]}),
    Shape("phone: as typed", lambda r, s: {"q": _typed(r.choice(s.phones))}),
    Shape("e-mail: before the @", lambda r, s: {"q": r.choice(s.emails).split("@")[0]}),
    Shape("owner", lambda r, s: {"owner_id": r.choice(s.agents)}),
    Shape("owner, page 50", lambda r, s: {"owner_id": r.choice(s.agents)}, page=50),
    Shape("lead status", lambda r, s: {"lead_status": [r.choice(("active", "inactive"))]}),
    Shape("source", lambda r, s: {"source": [SOURCES.draw(r)]}),
    Shape(
        "priority and stars",
        lambda r, s: {"priority": [r.choice(("hot", "warm"))], "interest_min": r.randint(3, 5)},
    ),
    Shape("received: last 30 days", lambda r, s: {"received_from": _since(30)}),
    Shape("received: a past month", lambda r, s: _month(r)),
    Shape(
        "owner, active, 90 days",
        lambda r, s: {
            "owner_id": r.choice(s.agents),
            "lead_status": ["active"],
            "received_from": _since(90),
        },
    ),
    Shape(
        "source, active, last name",
        lambda r, s: {
            "source": [SOURCES.draw(r)],
            "lead_status": ["active"],
            "q": s.last(r),
        },
    ),
    Shape(
        "conversation status",
        lambda r, s: {"conversation_status": [STATUSES.draw(r)]},
    ),
    Shape("unassigned", lambda r, s: {"assigned": False}),
    Shape("sorted by priority", lambda r, s: {}, sort="priority"),
    Shape("sorted by last name", lambda r, s: {}, sort="last_name"),
    Shape("agent: own leads", lambda r, s: {}, who="agent"),
    Shape("agent: own leads, name", lambda r, s: {"q": s.last(r)}, who="agent"),
]


@dataclass
class Timing:
    """One shape's calls: ms each and the number of leads each matched."""

    name: str
    ms: list[float]
    matched: list[int]
    cap: float = float("inf")  # ms: a call stopped at this length

    def pct(self, q: float) -> float:
        """The ``q`` quantile (nearest rank) of the calls."""
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]

    def shown(self, ms: float) -> str:
        """``ms`` for the table; a call stopped at the time limit shows as at least that."""
        return f">= {ms:.0f}" if ms >= self.cap else f"{ms:.1f}"


def sample(container: Container) -> tuple[Sample, dict[str, list[User]]]:
    """Search values from the database, and the people who search."""
    rng = random.Random(7)
    with container.uow(read_only=True) as uow:
        session = uow.session
        top = int(session.scalar(select(Contact.id).order_by(Contact.id.desc()).limit(1)) or 0)
        ids = rng.sample(range(1, top + 1), min(top, 500))
        found = session.execute(
            select(Contact.phone, Contact.email, Contact.first_name, Contact.last_name).where(
                Contact.id.in_(ids)
            )
        ).all()
        users = list(session.scalars(select(User).order_by(User.id)))
    people = {
        "coordinator": [u for u in users if u.role == "coordinator"],
        "agent": [u for u in users if u.role == "agent"],
    }
    picked = Sample(
        [u.id for u in people["agent"]],
        [r.phone for r in found],
        [r.email for r in found if r.email],
        [f"{r.first_name} {r.last_name}" for r in found if r.first_name and r.last_name],
    )
    return picked, people


@contextmanager
def deadline(session: Session, seconds: float) -> Iterator[None]:
    """Statements in ``session`` fail once ``seconds`` have passed (a runaway query ends)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(seconds * 1000)}")
        yield
        return
    raw = conn.connection.driver_connection
    end = time.perf_counter() + seconds
    raw.set_progress_handler(lambda: int(time.perf_counter() > end), 100_000)  # type: ignore[union-attr]
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)  # type: ignore[union-attr]


def search_once(
    container: Container, user: User, shape: Shape, params: dict[str, Any], timeout: float
) -> tuple[float, int | None]:
    """One search as the console makes it: (ms, leads matched), None if it ran out of time."""
    began = time.perf_counter()
    filters = lead_filter(container, **params)
    with container.uow(read_only=True) as uow, deadline(uow.session, timeout):
        try:
            found = search_page(
                uow.session,
                visible_contacts(user),
                filters,
                sort=shape.sort,
                limit=PAGE,
                offset=(shape.page - 1) * PAGE,
            )
        except OperationalError:  # interrupted, or PostgreSQL's statement timeout
            return timeout * 1000, None
    return (time.perf_counter() - began) * 1000, found.total


def measure(
    container: Container, shapes: Sequence[Shape], runs: int, budget: float, timeout: float
) -> list[Timing]:
    """Each shape ``runs`` times (fewer past ``budget`` s or a call past ``timeout`` s)."""
    values, people = sample(container)
    results = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("searching", total=len(shapes) * runs)
        for n, shape in enumerate(shapes):
            rng = random.Random(n)
            timing = Timing(shape.name, [], [], timeout * 1000)
            warm = shape.params(rng, values)
            search_once(container, people[shape.who][0], shape, warm, timeout)
            stop = time.perf_counter() + budget
            for _ in range(runs):
                user = rng.choice(people[shape.who])
                ms, matched = search_once(
                    container, user, shape, shape.params(rng, values), timeout
                )
                timing.ms.append(ms)
                bar.advance(task)
                if matched is None:
                    break  # one call over the time limit says enough
                timing.matched.append(matched)
                if time.perf_counter() > stop:
                    break
            bar.advance(task, runs - len(timing.ms))
            results.append(timing)
    return results


def baseline(container: Container, runs: int) -> Timing:
    """25 leads with their contacts fetched by id in a read-only unit of work: the floor."""
    rng = random.Random(1)
    timing = Timing("baseline: 25 leads by id", [], [])
    with container.uow(read_only=True) as uow:
        top = int(uow.session.scalar(select(Inquiry.id).order_by(Inquiry.id.desc()).limit(1)) or 1)
    for _ in range(runs + 1):
        ids = rng.sample(range(1, top + 1), min(top, PAGE))
        began = time.perf_counter()
        with container.uow(read_only=True) as uow:
            rows = uow.session.execute(
                select(Inquiry, Contact)
                .join(Contact, Contact.id == Inquiry.contact_id)
                .where(Inquiry.id.in_(ids))
            ).all()
        timing.ms.append((time.perf_counter() - began) * 1000)
        timing.matched.append(len(rows))
    del timing.ms[0], timing.matched[0]  # the warm-up
    return timing


def explain(container: Container, shape: Shape, timeout: float) -> str:
    """The plans of the statements one search of ``shape`` runs (PostgreSQL's with timings)."""
    values, people = sample(container)
    seen: list[tuple[str, Any]] = []

    def keep(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    engine = container.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        params = shape.params(random.Random(0), values)
        search_once(container, people[shape.who][0], shape, params, timeout)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    out = []
    for statement, parameters in seen:
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            else:
                conn.exec_driver_sql(f"SET statement_timeout = {int(timeout * 1000)}")
                try:
                    plan = conn.exec_driver_sql("EXPLAIN ANALYZE " + statement, parameters).all()
                except OperationalError:
                    conn.rollback()
                    plan = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
                conn.rollback()
        out.append(statement + "\n" + "\n".join(" | ".join(map(str, r)) for r in plan))
    return "\n\n".join(out)


@dataclass
class Imported:
    """An import run: the command's own seconds, wall seconds, peak RSS, and its summary."""

    seconds: float
    wall: float
    peak_mb: float
    summary: str


HEADERS = _words(
    "First_Name Last_Name Mobile Email Zip State Lead_Source Inquiry_Type Lead_Status Priority "
    "Interest_Level Time_Frame Received"
)


def write_csv(path: Path, rows: int, known: Sequence[str]) -> None:
    """A lead list: one row in ten a known phone, phones written four ways, 0.3% bad rows."""
    gen = Generator(rows, rng=random.Random(99))
    rng = gen.rng
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for _ in range(rows):
            place = rng.choice(gen.places)
            phone = rng.choice(known) if known and rng.random() < 0.1 else gen.phone(place)
            digits = phone[2:]
            shown = rng.choice(
                (_typed(phone), f"{digits[:3]}-{digits[3:6]}-{digits[6:]}", phone, digits)
            )
            first, last = FIRST_V.draw(rng), LAST_V.draw(rng)
            email = f"{first}.{last}@{rng.choice(DOMAINS)}".lower() if rng.random() < 0.6 else ""
            bad = rng.random()
            if bad < 0.001:
                shown = "12345"
            elif bad < 0.002:
                email = "bob@"
            when = NOW - timedelta(days=rng.random() * 30)
            writer.writerow(
                [first, last, shown, email, place.zip, place.state, gen.pick(SOURCES),
                 gen.pick(INQUIRY_TYPES), "Active", "lukewarm" if bad < 0.003 and bad >= 0.002
                 else gen.pick(PRIORITIES) or "", rng.choice("012345"),
                 gen.pick(TIME_FRAMES) or "", when.isoformat()]
            )  # fmt: skip


def run_import(url: str, path: Path) -> Imported:
    """``python -m api leads import PATH`` in a child: its timing and its ru_maxrss."""
    env = {**os.environ, "ISA_DATABASE_URL": url}
    argv = [sys.executable, "-m", "api", "leads", "import", str(path)]
    with tempfile.TemporaryFile("w+") as err:
        began = time.perf_counter()
        child = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - began
        err.seek(0)
        said = err.read()
    summary = next((line for line in said.splitlines() if line.startswith("read ")), "")
    if child.returncode not in (0, 1) or not summary:  # 1: some rows were rejected, as meant
        raise RuntimeError(f"isa leads import failed ({child.returncode}):\n{said[-2000:]}")
    seconds = float(re.search(r" in ([0-9.]+) s ", summary).group(1))  # type: ignore[union-attr]
    return Imported(seconds, wall, usage.ru_maxrss / 1024, summary)


def known_phones(container: Container, n: int) -> list[str]:
    """``n`` phones of contacts already in the database."""
    with container.uow(read_only=True) as uow:
        top = int(uow.session.scalar(select(Contact.id).order_by(Contact.id.desc()).limit(1)) or 0)
        ids = random.Random(3).sample(range(1, top + 1), min(top, n))
        return [p for i in range(0, len(ids), 900)
                for p in uow.session.scalars(select(Contact.phone).where(
                    Contact.id.in_(ids[i : i + 900])))]  # fmt: skip


def report(where: str, timings: list[Timing], floor: Timing) -> None:
    """The table of shapes, the baseline and the overall p95."""
    table = Table(title=f"Leads search, {where} (ms per call, pages of {PAGE})", box=box.MARKDOWN)
    for name in ("shape", "runs", "matched (median)", "p50", "p95", "max", f"p95 < {AIM_MS:.0f}"):
        table.add_column(name, justify="left" if name == "shape" else "right")
    for t in [*timings, floor]:
        matched = f"{statistics.median(t.matched):,.0f}" if t.matched else "?"
        table.add_row(
            t.name, str(len(t.ms)), matched, t.shown(t.pct(0.5)), t.shown(t.pct(0.95)),
            t.shown(max(t.ms)), "yes" if t.pct(0.95) < AIM_MS else "NO",
        )  # fmt: skip
    Console(width=140).print(table)
    every = Timing("all", [m for t in timings for m in t.ms], [0])
    missed = [t.name for t in timings if t.pct(0.95) >= AIM_MS]
    print(f"{where}: every search call: p50 {every.pct(0.5):.1f} ms, p95 {every.pct(0.95):.1f} ms")
    print(f"{where}: shapes over {AIM_MS:.0f} ms at p95: {', '.join(missed) or 'none'}")


def main(
    database: Annotated[str, typer.Option(help="Database URL (default: a new SQLite file).")] = "",
    contacts: Annotated[int, typer.Option(help="Contacts to fill in.")] = 1_000_000,
    runs: Annotated[int, typer.Option(help="Calls per search shape.")] = 50,
    budget: Annotated[float, typer.Option(help="Seconds a shape may take at most.")] = 60.0,
    timeout: Annotated[float, typer.Option(help="Seconds one search may take.")] = 10.0,
    fill_db: Annotated[bool, typer.Option("--fill/--no-fill", help="Fill, or reuse.")] = True,
    import_rows: Annotated[int, typer.Option(help="CSV rows to import (0: none).")] = IMPORT_ROWS,
    only: Annotated[str, typer.Option(help="Only shapes whose name has this.")] = "",
    plans: Annotated[bool, typer.Option("--explain", help="Plans of the slow shapes.")] = False,
    analyze: Annotated[
        bool, typer.Option(help="ANALYZE first (SQLite: the app gathers no statistics).")
    ] = False,
) -> None:
    """Fill, search each shape, import a CSV; print the figures."""
    tmp = Path(tempfile.mkdtemp(prefix="isa-bench-leads-"))
    url = database or f"sqlite:///{tmp / 'bench.db'}"
    where = url.split(":")[0].split("+")[0]
    if fill_db:
        filled = fill(url, contacts)
        counts = ", ".join(f"{n:,} {t}" for t, n in filled.rows.items())
        print(f"{where}: filled {counts} in {filled.seconds:.0f} s")
    else:
        upgrade(url)  # a new index migration reaches the filled database
    container: Container = create_app(Settings(database_url=url), migrate=False).state.container
    if analyze:
        with container.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA analysis_limit = 1000")  # samples: milliseconds
            conn.exec_driver_sql("ANALYZE")
        where += " (analyzed)"
    shapes = [s for s in SHAPES if only in s.name]
    if runs:
        timings = measure(container, shapes, runs, budget, timeout)
        report(where, timings, baseline(container, runs))
        if plans:
            for shape, timing in zip(shapes, timings, strict=True):
                if timing.pct(0.95) >= AIM_MS:
                    print(f"\n--- {shape.name} ---\n{explain(container, shape, timeout)}")
    if import_rows:
        imports(url, tmp, import_rows, known_phones(container, import_rows // 10))
    container.engine.dispose()


def imports(url: str, tmp: Path, rows: int, known: list[str]) -> None:
    """Import ``rows`` rows; beside it the same command on a one-row file: start-up alone."""
    where = url.split(":")[0].split("+")[0]
    write_csv(tmp / "leads.csv", rows, known)
    (tmp / "one.csv").write_text(",".join(HEADERS) + "\n" + ",12345" + "," * 11 + "\n")
    alone = run_import(url, tmp / "one.csv")
    done = run_import(url, tmp / "leads.csv")
    print(
        f"{where}: isa leads import of {rows:,} rows: {done.seconds:.1f} s "
        f"({done.wall:.1f} s with start-up), peak RSS {done.peak_mb:.0f} MB (ru_maxrss of the "
        f"import process; a one-row import: {alone.peak_mb:.0f} MB, {alone.wall:.1f} s); "
        f"{done.summary}"
    )


if __name__ == "__main__":
    typer.run(main)
