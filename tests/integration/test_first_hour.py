"""The first hour of a new user, followed as the README has it: `make serve` where they say,
the README's users and ids, the files `make serve` leaves, a draft script to diff."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import REPO
from tests.integration.test_cli import isa

README = (REPO / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ISA_DATABASE_URL": f"sqlite:///{tmp_path / 'isa.db'}",
        "COLUMNS": "200",
        "NO_COLOR": "1",
        **extra,
    }


def test_make_serve_listens_on_the_port_and_host_given(tmp_path: Path) -> None:
    port = str(_free_port())
    env = _env(tmp_path, PORT=port, HOST="127.0.0.1", VENV=str(BIN.parent))
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("make serve never answered on the port given")
        assert server.poll() is None, server.stdout.read() if server.stdout else ""
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert f"isa-engine on http://127.0.0.1:{port}" in output
    assert "drafts (no lead gets them until published" in output and "seller@2" in output


def test_the_database_make_serve_creates_is_ignored_by_git() -> None:
    names = ["isa.db", "isa.db-wal", "isa.db-shm", "isa.db-journal"]
    done = subprocess.run(
        ["git", "check-ignore", *names], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert sorted(done.stdout.split()) == sorted(names), done.stderr


def _shell_lines(section: str) -> list[str]:
    """The README's shell lines that create users and keep their tokens and ids, in order."""
    lines = []
    for line in section.splitlines():
        line = line.strip()
        if re.match(r"^(\.venv/bin/)?isa users create|^[A-Z]=\$\(", line):
            lines.append(line.replace("`", "").removeprefix(".venv/bin/"))
    return lines


def test_the_readme_walkthrough_gives_the_lead_to_the_agent_in_any_order(
    tmp_path: Path,
) -> None:
    quickstart = "isa users create you@example.com --name You --role admin"  # README's first user
    assert quickstart.replace("isa", ".venv/bin/isa", 1) + " --password" in README
    running = README.split("### On the embedded default", 1)[1].split("Roles:", 1)[0]
    script = "\n".join([quickstart, *_shell_lines(running), 'echo "A=$A"'])
    assert "A=$(isa users list" in script
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    agent_id = done.stdout.strip().splitlines()[-1].removeprefix("A=")
    users = isa("users", "list", env=_env(tmp_path)).stdout.splitlines()
    roles = {line.split("\t")[0]: line.split("\t")[2] for line in users}
    assert roles[agent_id] == "agent"
    assert not re.search(r'"owner_id": \d', README)  # every example uses $A, never a number


def test_a_shipped_script_has_a_draft_version_to_diff() -> None:
    listed = isa("scripts", "list").stdout
    assert re.search(r"^seller@1\s+live", listed, re.MULTILINE)
    assert re.search(r"^seller@2\s+draft.*isa scripts publish seller@2", listed, re.MULTILINE)
    diff = isa("scripts", "diff", "seller@1", "seller@2")
    assert diff.returncode == 0, diff.stderr
    assert "location → address → timeframe" in " ".join(diff.stdout.split())
    assert "isa scripts diff seller@1 seller@2" in README
