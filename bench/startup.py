"""How fast ``isa`` starts and how much memory ``isa serve`` holds, beside bare baselines.

    python -m bench.startup [--runs 3] [--texts 1000] [--json FILE]

Each figure is measured on processes started afresh, as an operator or a script author
starts them, in the same run as its baseline:

- ``isa serve`` on a fresh SQLite file (migrations included) and on a migrated one: wall
  time from the start to the first ``GET /healthz`` 200, the process's CPU time by then, and
  its RSS once ready (a second later); beside a bare FastAPI app with one ``/healthz`` route
  started by uvicorn the same way (``bench.bare_app``).
- RSS after ``--texts`` signed texts through ``POST /sms/inbound`` (leads imported first and
  sent their openings, three texts a lead, replies through a local fake of Twilio's API);
  beside ``bench.baseline_app`` (it stores the form in the same database) after as many.
- ``isa scripts validate scripts/``, ``isa scripts show buyer``, ``isa nlu parse`` of one
  line and ``isa chat`` quitting at once: wall and CPU time; beside a Typer program that
  prints one line.

Best of ``--runs`` for times (the machine's other work only ever adds), largest RSS.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from bench.cluster import ROOT
from bench.webhook import (
    ALWAYS_OPEN,
    TO,
    _serve_twilio,
    free_port,
    phones,
    signed_requests,
    wait_for_openings,
    write_leads,
)
from tests.fakes.twilio_api import ACCOUNT, TOKEN

console = Console(stderr=True)
TICKS = os.sysconf("SC_CLK_TCK")
BARE_CLI = "import typer\ntyper.run(lambda: print('ok'))\n"
NLU_LINE = '{"id": 1, "text": "3 bd 2 ba in hutto under 400k", "now": "2026-11-23T10:00:00-06:00"}'


@dataclass(frozen=True)
class Start:
    """One process started until ready."""

    seconds: float  # wall time to the first /healthz 200
    cpu: float  # the process's CPU seconds by then
    rss_mib: float  # RSS a second after ready


@dataclass(frozen=True)
class Figure:
    """One row of the report."""

    what: str
    isa: float
    baseline: float
    unit: str
    cpu: tuple[float, float] | None = None  # CPU seconds, isa and baseline


def rss_mib(pid: int) -> float:
    """RSS of ``pid`` and its children (uvicorn's with several workers), in MiB."""
    kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    total = 0
    for q in [pid, *map(int, kids.split())]:
        try:
            with open(f"/proc/{q}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of ``pid`` so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def start(command: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def until_ready(process: subprocess.Popen[bytes], port: int, began: float) -> Start:
    """Poll /healthz every 10 ms; the start's figures once it answers 200."""
    url = f"http://127.0.0.1:{port}/healthz"
    while time.perf_counter() - began < 120:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                seconds, cpu = time.perf_counter() - began, cpu_seconds(process.pid)
                time.sleep(1.0)
                return Start(seconds, cpu, rss_mib(process.pid))
        except httpx.HTTPError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{process.args!r} never answered {url}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve_once(command: Sequence[str], env: dict[str, str]) -> Start:
    port = free_port()
    began = time.perf_counter()
    process = start([*command, "--port", str(port)], env)
    try:
        return until_ready(process, port, began)
    finally:
        stop(process)


def isa_serve() -> list[str]:
    return [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1"]


def bare_serve() -> list[str]:
    return [sys.executable, "-m", "uvicorn", "bench.bare_app:create_app", "--factory"]


def best(starts: list[Start]) -> Start:
    fastest = min(starts, key=lambda s: s.seconds)
    return Start(fastest.seconds, min(s.cpu for s in starts), max(s.rss_mib for s in starts))


def serve_figures(tmp: Path, runs: int) -> list[Figure]:
    base_env = {**os.environ, "ISA_DEV_PHONE": "true"}
    fresh = []
    for n in range(runs):
        fresh.append(serve_once(isa_serve(), {**base_env, "ISA_DATABASE_URL": _db(tmp, n)}))
    migrated_env = {**base_env, "ISA_DATABASE_URL": _db(tmp, 0)}  # the first fresh run's
    migrated = [serve_once(isa_serve(), migrated_env) for _ in range(runs)]
    bare = best([serve_once(bare_serve(), dict(os.environ)) for _ in range(runs)])
    f, m = best(fresh), best(migrated)
    return [
        Figure("isa serve start-up, fresh SQLite", f.seconds, bare.seconds, "s", (f.cpu, bare.cpu)),
        Figure(
            "isa serve start-up, migrated SQLite", m.seconds, bare.seconds, "s", (m.cpu, bare.cpu)
        ),
        Figure("RSS once ready, fresh SQLite", f.rss_mib, bare.rss_mib, "MiB"),
        Figure("RSS once ready, migrated SQLite", m.rss_mib, bare.rss_mib, "MiB"),
    ]


def _db(tmp: Path, n: int) -> str:
    return f"sqlite:///{tmp / f'start-{n}.db'}"


def after_texts(tmp: Path, texts: int) -> Figure:
    """RSS of isa serve and of the baseline app after ``texts`` signed texts each."""
    leads = max(texts // 3, 1)
    (tmp / "rules").mkdir(exist_ok=True)
    (tmp / "rules" / "any-hour.yaml").write_text(ALWAYS_OPEN, encoding="utf-8")
    parent, child = multiprocessing.Pipe()
    twilio = multiprocessing.Process(target=_serve_twilio, args=(child,), daemon=True)
    twilio.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ISA_DATABASE_URL": f"sqlite:///{tmp / 'texts.db'}",
        "ISA_PUBLIC_URL": base,
        "ISA_TWILIO_ACCOUNT_SID": ACCOUNT,
        "ISA_TWILIO_AUTH_TOKEN": TOKEN,
        "ISA_TWILIO_FROM": TO,
        "ISA_TWILIO_API_BASE": parent.recv(),
        "ISA_RULES_DIR": str(tmp / "rules"),
        "ISA_AUTO_APPROVE": "all",
    }
    try:
        numbers = phones(0, leads)
        write_leads(tmp / "leads.csv", numbers)
        importing = [sys.executable, "-m", "api", "leads", "import", str(tmp / "leads.csv")]
        subprocess.run(
            [*importing, "--start", "--script", "buyer"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        plays = signed_requests(base, numbers, 0)
        isa = _texted([*isa_serve(), "--port", str(port)], env, port, plays, env)
        baseline_env = {**env, "ISA_DATABASE_URL": f"sqlite:///{tmp / 'baseline.db'}"}
        baseline_cmd = [sys.executable, "-m", "uvicorn", "bench.baseline_app:create_app"]
        baseline_cmd += ["--factory", "--host", "127.0.0.1", "--port", str(port)]
        baseline = _texted(baseline_cmd, baseline_env, port, plays, None)
    finally:
        parent.send("done")
        twilio.join(5)
    return Figure(f"RSS after {leads * 3:,} texts", isa, baseline, "MiB")


def _texted(
    command: list[str],
    env: dict[str, str],
    port: int,
    plays: list[list[tuple[dict[str, str], str]]],
    openings: dict[str, str] | None,
) -> float:
    began = time.perf_counter()
    process = start(command, env)
    try:
        until_ready(process, port, began)
        if openings is not None:
            wait_for_openings(openings["ISA_DATABASE_URL"], len(plays))
        failed = asyncio.run(_post_all(f"http://127.0.0.1:{port}", plays))
        if failed:
            raise RuntimeError(f"{failed} texts were not answered 200")
        time.sleep(1.0)
        return rss_mib(process.pid)
    finally:
        stop(process)


async def _post_all(base: str, plays: list[list[tuple[dict[str, str], str]]]) -> int:
    """Four leads at a time, each lead's texts in order; how many were not answered 200."""
    failed = 0
    todo = iter(plays)
    async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:

        async def lead_after_lead() -> None:
            nonlocal failed
            for play in todo:
                for form, signature in play:
                    answer = await client.post(
                        "/sms/inbound", data=form, headers={"X-Twilio-Signature": signature}
                    )
                    failed += answer.status_code != 200

        await asyncio.gather(*(lead_after_lead() for _ in range(4)))
    return failed


def timed(command: Sequence[str], stdin: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command`` (which must succeed)."""
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    process.stdin.write(stdin.encode())  # type: ignore[union-attr]
    process.stdin.close()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode(errors="replace")  # type: ignore[union-attr]
        raise RuntimeError(f"{command!r} failed: {error[-2000:]}")
    process.stderr.close()  # type: ignore[union-attr]
    return wall, usage.ru_utime + usage.ru_stime


def cli_figures(tmp: Path, runs: int) -> list[Figure]:
    env = {**os.environ, "ISA_DATABASE_URL": f"sqlite:///{tmp / 'cli.db'}"}
    isa = [sys.executable, "-m", "api"]
    commands = {
        "isa scripts validate scripts/": ([*isa, "scripts", "validate", "scripts/"], ""),
        "isa scripts show buyer": ([*isa, "scripts", "show", "buyer"], ""),
        "isa nlu parse (one line)": ([*isa, "nlu", "parse"], NLU_LINE + "\n"),
        "isa chat (quit at once)": ([*isa, "chat", "buyer"], "/quit\n"),
    }
    bare = _best_of(runs, [sys.executable, "-c", BARE_CLI], "", env)
    out = []
    for what, (command, stdin) in commands.items():
        wall, cpu = _best_of(runs, command, stdin, env)
        out.append(Figure(what, wall, bare[0], "s", (cpu, bare[1])))
    return out


def _best_of(
    runs: int, command: Sequence[str], stdin: str, env: dict[str, str]
) -> tuple[float, float]:
    times = [timed(command, stdin, env) for _ in range(runs)]
    return min(w for w, _ in times), min(c for _, c in times)


def report(figures: list[Figure]) -> None:
    table = Table(title="isa start-up and memory, beside bare baselines")
    for column in ("what", "isa", "baseline", "ratio", "CPU s isa / baseline"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for f in figures:
        cpu = f"{f.cpu[0]:.2f} / {f.cpu[1]:.2f}" if f.cpu else ""
        table.add_row(f.what, f"{f.isa:.2f} {f.unit}", f"{f.baseline:.2f} {f.unit}", _ratio(f), cpu)
    Console().print(table)


def _ratio(f: Figure) -> str:
    return f"{f.isa / f.baseline:.1f}×" if f.baseline else ""


def main(
    runs: Annotated[int, typer.Option(help="Starts of each kind; the best is kept.")] = 3,
    texts: Annotated[int, typer.Option(help="Signed texts before the last RSS (0: skip).")] = 1000,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the figures here, a line each.")
    ] = None,
) -> None:
    """Start-up time and RSS of isa serve, and the CLI's wall times, beside baselines."""
    if runs < 1:
        raise typer.BadParameter("at least one run")
    tmp = Path(tempfile.mkdtemp(prefix="isa-startup-"))
    console.print("starting isa serve and the bare app …")
    figures = serve_figures(tmp, runs)
    if texts:
        console.print(f"{texts:,} signed texts through isa serve and the baseline app …")
        figures.append(after_texts(tmp, texts))
    console.print("timing the CLI …")
    figures += cli_figures(tmp, runs)
    report(figures)
    if json_out is not None:
        with json_out.open("w", encoding="utf-8") as out:
            for f in figures:
                row = {"what": f.what, "unit": f.unit, "isa": round(f.isa, 3)}
                row["baseline"] = round(f.baseline, 3)
                if f.cpu:
                    row["cpu_isa"], row["cpu_baseline"] = round(f.cpu[0], 3), round(f.cpu[1], 3)
                out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    typer.run(main)
