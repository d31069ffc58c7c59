"""PostgreSQL restarted in the middle of a run: the processes recover by themselves.

Leads text while the server restarts (``pg_ctlcluster … restart``). Texts that
arrive during the outage may be answered 5xx: not acknowledged, so Twilio sends
them again afterwards. Neither ``web`` nor the workers are restarted: their
connection pools test each connection before use (``pool_pre_ping``). After
recovery every acknowledged text is stored once and every due reply went out
once.

It restarts the whole server, so it runs only on a local one this user may
restart (root, ``pg_ctlcluster``, the test URL on 127.0.0.1), and only when
nobody but this test run is connected to it (this suite's processes, and this
pytest process's own pools, which test a connection before use); otherwise it
skips and says why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.webhook import phones
from tests.faults.claims import (
    assert_nothing_stuck,
    check_inbound_stored_once,
    check_outbound_sent_once,
)
from tests.faults.conftest import CONCURRENCY, LEADS, ROUND, SETTLE
from tests.faults.harness import APPLICATION, Run, utc_now
from tests.faults.phones import Phones

pytestmark = pytest.mark.slow


def local_cluster(url: str) -> tuple[str, str]:
    """(version, name) of the local cluster serving ``url``; skips when it cannot be restarted."""
    parsed = make_url(url)
    if parsed.host not in ("127.0.0.1", "localhost"):
        pytest.skip(f"the test server is {parsed.host}, not this machine's: not restarting it")
    if os.geteuid() != 0:
        pytest.skip("restarting PostgreSQL needs root (pg_ctlcluster)")
    if not (shutil.which("pg_ctlcluster") and shutil.which("pg_lsclusters")):
        pytest.skip("pg_ctlcluster is not installed: cannot restart PostgreSQL")
    port = parsed.port or 5432
    listed = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout
    for line in listed.splitlines():
        version, name, cluster_port, *_ = line.split()
        if int(cluster_port) == port:
            return version, name
    pytest.skip(f"no local PostgreSQL cluster listens on port {port}")


def own_ports() -> set[int]:
    """The local ports of this process's TCP connections (its own pools' sessions)."""
    inodes: set[str] = set()
    fds = Path("/proc/self/fd")
    for fd in fds.iterdir() if fds.is_dir() else ():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def others_connected(run: Run) -> list[str]:
    """Sessions on the server that are neither this suite's processes' nor this process's:
    someone else's work, which a restart would break."""
    mine = own_ports()
    with run.container.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT datname, application_name, client_port FROM pg_stat_activity "
                "WHERE backend_type = 'client backend' AND application_name <> :ours"
            ),
            {"ours": APPLICATION},
        ).all()
    return [f"{db or '?'} ({app or 'no name'})" for db, app, port in rows if port not in mine]


def restart(version: str, name: str) -> float:
    """Restart the cluster; how long it took."""
    began = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return time.monotonic() - began


@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_postgres_restarted_mid_run_the_processes_recover_without_a_restart(
    run: Run, database_url: str
) -> None:
    version, name = local_cluster(database_url)
    numbers = phones(4, LEADS)
    run.start()
    run.queue_openings(numbers)
    run.settle(SETTLE)
    others = others_connected(run)
    if others:
        pytest.skip(f"others are connected to the server, a restart would break them: {others}")
    before = {name: run.pids(name) for name in ("web", "worker")}
    leads = Phones.of(run.base, numbers, level=4, concurrency=CONCURRENCY, pause=0.2)

    join = leads.play_in_background()
    run.wait_for(
        lambda: leads.acknowledged_count() >= leads.texts // 3, "a third acknowledged", ROUND
    )
    at_restart = leads.acknowledged_count()
    outage = restart(version, name)
    run.wait_for(run.healthy, "the web processes to reach PostgreSQL again", timeout=60)
    recovered = utc_now()
    join(ROUND)
    rounds = leads.play_until_acknowledged()
    acknowledged = sorted(leads.acknowledged)
    leads.resend(acknowledged[::4])
    # leases taken before the restart and left when their transaction broke run out, as the
    # clock would make them (5 minutes); everything claimed since has ended by itself
    abandoned = run.run_out_abandoned_leases(claimed_before=recovered)
    run.settle(SETTLE)

    assert run.all_running(), f"a process died with the database\n{run.logs()}"
    assert {name: run.pids(name) for name in ("web", "worker")} == before
    stored = check_inbound_stored_once(run, leads)
    created = check_outbound_sent_once(run)
    assert_nothing_stuck(run)
    print(
        f"\n[postgres restarted, {run.backend}] restart took {outage:.1f} s with "
        f"{at_restart}/{leads.texts} texts acknowledged; {leads.summary()}; {rounds} rounds after; "
        f"{abandoned} jobs left held by live processes; stored {stored} inbound once each; "
        f"Twilio created {created} texts, each once; {dict(run.figures)}; "
        f"web children replaced by uvicorn {run.child_deaths()}"
    )
