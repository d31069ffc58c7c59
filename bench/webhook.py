"""Leads texting through signed ``POST /sms/inbound`` against a real ``isa serve`` on loopback.

Thousands of distinct leads, imported and sent their opening text first, each
answer a short conversation (three texts, each sent once the previous one was
answered, as a phone would). Each concurrency level has leads of its own.
Every text is signed as Twilio signs it; replies go out through the outbox to
a local fake of Twilio's API, as in production, and quiet hours allow every
hour so the bench's wall clock never defers them.

Beside it, in the same run and on the same database, the baseline: an app
that only stores the form and answers (``bench.baseline_app``), under the
same load. The processes come from ``deploy/Procfile`` (``bench.cluster``).

    python -m bench.webhook                       # SQLite, one process
    python -m bench.webhook --database postgresql://…/bench --web 2 --workers 2

A PostgreSQL URL must name an empty, disposable database: the bench drops
and recreates its schema.
"""

from __future__ import annotations

import asyncio
import csv
import json
import multiprocessing
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import create_engine, func, select, text
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from adapters.storage.engine import normalise_url
from adapters.storage.orm import Message
from adapters.storage.vocab import DeliveryStatus, Direction
from bench.cluster import ROOT, Cluster
from tests.fakes.twilio_api import ACCOUNT, TOKEN, FakeTwilioApi

ALWAYS_OPEN = 'windows:\n  - id: always\n    hours: {daily: "00:00-24:00"}\n'
TEXTS_PER_LEAD = 3
TO = "+15125550100"  # the texting number (ISA_TWILIO_FROM)
FIRST = ["yes still looking", "Yes!", "yep we are", "still looking, thanks", "yes"]
SECOND = [
    "3 bed 2 bath in hutto under 400k",
    "4 beds, 3 baths, round rock, up to 550k",
    "2br 1ba condo downtown austin around 300k",
    "3/2 in pflugerville, max 425k",
    "at least 3 bedrooms in cedar park, 500k tops",
]
THIRD = [
    "pre-approved, no agent yet",
    "paying cash and no realtor",
    "not pre approved yet. no agent",
    "we have a lender letter, not working with anyone",
    "preapproved with chase; no agent",
]
console = Console(stderr=True)


@dataclass(frozen=True)
class Level:
    """One concurrency level's result."""

    app: str
    concurrency: int
    texts: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.texts / self.seconds

    def percentile(self, p: int) -> float:
        """The p-th percentile latency in milliseconds."""
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_twilio(pipe: Connection) -> None:
    with FakeTwilioApi() as fake:
        pipe.send(fake.url)
        pipe.recv()  # until the bench is done


def phones(level: int, count: int) -> list[str]:
    """``count`` distinct Austin mobile numbers for the ``level``-th level (up to 60,000)."""
    if not 0 <= level < 60 or count > 100_000:
        raise ValueError("at most 60 levels of 100,000 leads")
    return [f"+1512{3_000_000 + level * 100_000 + i:07d}" for i in range(count)]


def write_leads(path: Path, numbers: Sequence[str]) -> None:
    rng = random.Random(7)
    names = ["Ana", "Ben", "Chloe", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivan", "Jo"]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["First Name", "Cell", "Zip", "Source"])
        for number in numbers:
            writer.writerow([rng.choice(names), number, "78701", "bench"])


def outbound_queued(url: str) -> tuple[int, int]:
    """(outbound texts not yet sent, outbound texts in all)."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as c:
            out = (
                select(func.count()).select_from(Message).where(Message.direction == Direction.OUT)
            )
            queued = out.where(Message.delivery_status == DeliveryStatus.QUEUED)
            return int(c.scalar(queued) or 0), int(c.scalar(out) or 0)
    finally:
        engine.dispose()


def reset_database(url: str) -> None:
    """An empty database: SQLite files are fresh; PostgreSQL's public schema is recreated."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(normalise_url(url))
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    engine.dispose()


Signed = list[list[tuple[dict[str, str], str]]]
"""Per lead, its texts as (form, X-Twilio-Signature)."""


def signed_requests(base: str, numbers: Sequence[str], level: int) -> Signed:
    """Three texts a lead, drawn from the pools, signed for ``base``/sms/inbound.

    ``level`` is the level's position: it keeps MessageSids distinct across levels.
    """
    rng = random.Random(level)
    bodies = [[rng.choice(FIRST), rng.choice(SECOND), rng.choice(THIRD)] for _ in numbers]
    return sign(base, list(zip(numbers, bodies, strict=True)), level)


def sign(base: str, plays: Sequence[tuple[str, Sequence[str]]], level: int) -> Signed:
    """Each (number, bodies) as Twilio would post them to ``base``/sms/inbound, signed."""
    validator = RequestValidator(TOKEN)
    url = f"{base}/sms/inbound"
    signed = []
    for n, (number, bodies) in enumerate(plays):
        play = []
        for t, body in enumerate(bodies):
            form = {
                "MessageSid": f"SM{level:04d}{n:08d}{t:02d}{'0' * 18}",
                "AccountSid": ACCOUNT,
                "From": number,
                "To": TO,
                "Body": body,
                "NumMedia": "0",
            }
            play.append((form, validator.compute_signature(url, form)))
        signed.append(play)
    return signed


async def play_level(
    base: str, plays: Signed, concurrency: int, progress: Progress
) -> tuple[float, list[float], int]:
    """Each lead plays its texts in order, ``concurrency`` leads at a time: s, latencies, errors."""
    latencies: list[float] = []
    errors = 0
    todo = iter(plays)
    task = progress.add_task(f"{concurrency:>3} at a time", total=len(plays) * TEXTS_PER_LEAD)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:

        async def lead_after_lead() -> None:
            nonlocal errors
            for play in todo:
                for form, signature in play:
                    began = time.perf_counter()
                    try:
                        answer = await client.post(
                            "/sms/inbound", data=form, headers={"X-Twilio-Signature": signature}
                        )
                    except httpx.TransportError as exc:  # counted, and the lead goes on
                        errors += 1
                        console.print(f"{form['MessageSid']}: {type(exc).__name__} {exc}")
                    else:
                        latencies.append(time.perf_counter() - began)
                        errors += answer.status_code != 200
                    progress.advance(task)

        began = time.perf_counter()
        await asyncio.gather(*(lead_after_lead() for _ in range(concurrency)))
        return time.perf_counter() - began, latencies, errors


def run_app(
    app: str, cluster: Cluster, base: str, levels: Sequence[int], leads: int
) -> list[Level]:
    results = []
    with Progress(
        TextColumn(f"{app:<9}" + " {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        for n, level in enumerate(levels):
            plays = signed_requests(base, phones(n, leads), n)
            seconds, latencies, errors = asyncio.run(play_level(base, plays, level, progress))
            results.append(Level(app, level, len(latencies), seconds, latencies, errors))
    return results


def wait_for_openings(url: str, expected: int, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    with Progress(
        TextColumn("opening texts sent"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=expected)
        while time.monotonic() < deadline:
            queued, total = outbound_queued(url)
            progress.update(task, completed=total - queued)
            if total >= expected and queued == 0:
                return
            time.sleep(0.5)
    raise RuntimeError(f"the openings were not all sent in {timeout:.0f} s")


def report(results: list[Level], where: str) -> None:
    table = Table(title=f"POST /sms/inbound on {where}")
    for column in ("app", "at a time", "texts", "texts/s", "p50 ms", "p95 ms", "p99 ms", "errors"):
        table.add_column(column, justify="left" if column == "app" else "right")
    for r in results:
        table.add_row(
            r.app,
            str(r.concurrency),
            str(r.texts),
            f"{r.rate:,.0f}",
            f"{r.percentile(50):.1f}",
            f"{r.percentile(95):.1f}",
            f"{r.percentile(99):.1f}",
            str(r.errors),
        )
    Console().print(table)
    isa = {r.concurrency: r for r in results if r.app == "isa"}
    base = {r.concurrency: r for r in results if r.app == "baseline"}
    for level in sorted(isa):
        if level in base:
            print(
                f"{where}: at {level} at a time, isa / baseline throughput: "
                f"{isa[level].rate / base[level].rate:.2f}"
            )


def main(
    database: Annotated[str, typer.Option(help="Database URL (default: a new SQLite file).")] = "",
    web: Annotated[int, typer.Option(help="API processes (more than one: PostgreSQL).")] = 1,
    workers: Annotated[int, typer.Option(help="`isa worker` processes (PostgreSQL).")] = 0,
    leads: Annotated[int, typer.Option(help="Leads per level (three texts each).")] = 500,
    levels: Annotated[str, typer.Option(help="Concurrency levels, comma-separated.")] = "1,16,64",
    logs: Annotated[Path | None, typer.Option(help="Where the processes' logs go.")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the figures here, a line a level.")
    ] = None,
) -> None:
    """Texts/s and p50/p95/p99 per concurrency level, for isa-engine and the baseline."""
    tmp = Path(tempfile.mkdtemp(prefix="isa-bench-"))
    url = database or f"sqlite:///{tmp / 'bench.db'}"
    steps = [int(x) for x in levels.split(",")]
    if url.startswith("sqlite") and (web > 1 or workers):
        raise typer.BadParameter("several processes need PostgreSQL: SQLite has one writer")
    reset_database(url)
    (tmp / "rules").mkdir()
    (tmp / "rules" / "any-hour.yaml").write_text(ALWAYS_OPEN, encoding="utf-8")
    parent, child = multiprocessing.Pipe()
    twilio = multiprocessing.Process(target=_serve_twilio, args=(child,), daemon=True)
    twilio.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp),
        "ISA_DATABASE_URL": url,
        "ISA_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(web),
        "ISA_PUBLIC_URL": base,
        "ISA_TWILIO_ACCOUNT_SID": ACCOUNT,
        "ISA_TWILIO_AUTH_TOKEN": TOKEN,
        "ISA_TWILIO_FROM": TO,
        "ISA_TWILIO_API_BASE": parent.recv(),
        "ISA_RULES_DIR": str(tmp / "rules"),
        "ISA_AUTO_APPROVE": "all",
    }
    cluster = Cluster(env, logs or tmp / "logs")
    where = f"{url.split(':')[0]}, {web} API process{'es' if web > 1 else ''}" + (
        f" + {workers} worker{'s' if workers > 1 else ''}" if workers else ""
    )
    try:
        cluster.release()
        numbers = [p for n in range(len(steps)) for p in phones(n, leads)]
        write_leads(tmp / "leads.csv", numbers)
        console.print(f"importing {len(numbers):,} leads and starting their conversations")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "api",
                "leads",
                "import",
                str(tmp / "leads.csv"),
                "--start",
                "--script",
                "buyer",
            ],
            env=cluster.env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cluster.start("web")
        cluster.start("worker", workers)
        cluster.wait_until_serving(f"{base}/healthz")
        wait_for_openings(url, len(numbers))
        results = run_app("isa", cluster, base, steps, leads)
        cluster.stop()
        baseline = Cluster(
            {**env, "PATH": env["PATH"]},
            tmp / "logs-baseline",
            procfile=_baseline_procfile(tmp),
        )
        baseline.start("web")
        try:
            baseline.wait_until_serving(f"{base}/healthz")
            results += run_app("baseline", baseline, base, steps, leads)
        finally:
            baseline.stop()
    finally:
        cluster.stop()
        parent.send("done")
        twilio.join(5)
    results.sort(key=lambda r: (r.concurrency, r.app != "isa"))
    report(results, where)
    if json_out is not None:
        with json_out.open("w", encoding="utf-8") as out:
            for r in results:
                figures = {
                    "app": r.app,
                    "database": url.split(":")[0],
                    "web": web,
                    "workers": workers,
                    "concurrency": r.concurrency,
                    "texts": r.texts,
                    "errors": r.errors,
                    "texts_per_s": round(r.rate, 1),
                    **{f"p{p}_ms": round(r.percentile(p), 1) for p in (50, 95, 99)},
                }
                out.write(json.dumps(figures) + "\n")


def _baseline_procfile(tmp: Path) -> Path:
    """The recipe's web line with the baseline app in place of ``isa serve``."""
    path = tmp / "Procfile.baseline"
    path.write_text(
        'web: python -m uvicorn bench.baseline_app:create_app --factory --host "$ISA_HOST" '
        '--port "$PORT" --workers "$WEB_CONCURRENCY" --log-level warning\n',
        encoding="utf-8",
    )
    return path


if __name__ == "__main__":
    typer.run(main)
