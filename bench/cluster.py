"""The deployment recipe's processes (``deploy/Procfile``), started on this machine.

The webhook bench and the fault suite run their processes from the same
Procfile an operator deploys, so the recipe is what they test. Each line is
run as ``/bin/sh -c "exec <command>"`` with the given environment (the
virtualenv's ``bin`` first on ``PATH``), as Procfile runners do; a process can
be started several times, killed (SIGKILL) and started again.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PROCFILE = ROOT / "deploy" / "Procfile"
_LINE = re.compile(r"^(?P<name>[A-Za-z0-9_-]+):\s*(?P<command>.+)$")


def read_procfile(path: Path = PROCFILE) -> dict[str, str]:
    """Process name → command, in the file's order; a malformed line is an error saying where."""
    commands: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: not 'name: command': {raw!r}")
        commands[match["name"]] = match["command"]
    return commands


@dataclass
class Cluster:
    """The Procfile's processes under one environment; logs in ``logs``."""

    env: dict[str, str]
    logs: Path
    procfile: Path = PROCFILE
    running: dict[str, list[subprocess.Popen[bytes]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.commands = read_procfile(self.procfile)
        bin_dir = str(Path(sys.executable).parent)
        self.env = {**self.env, "PATH": f"{bin_dir}{os.pathsep}{self.env.get('PATH', '')}"}
        self.logs.mkdir(parents=True, exist_ok=True)

    def release(self) -> None:
        """Run the release step (migrations) to completion; its output in the error if it fails."""
        done = subprocess.run(
            ["/bin/sh", "-c", f"exec {self.commands['release']}"],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"release failed: {done.stderr.decode(errors='replace')}")

    def start(self, name: str, count: int = 1) -> list[subprocess.Popen[bytes]]:
        """Start ``count`` more of process ``name``."""
        started = []
        for _ in range(count):
            n = len(self.running.setdefault(name, []))
            log = (self.logs / f"{name}.{n}.log").open("ab")
            process = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {self.commands[name]}"],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: a kill reaches uvicorn's children too
            )
            log.close()
            self.running[name].append(process)
            started.append(process)
        return started

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Signal every running ``name`` process and its children, and reap them."""
        for process in self.running.pop(name, []):
            if process.poll() is None:
                os.killpg(process.pid, sig)
            process.wait(30)

    def stop(self) -> None:
        """SIGTERM everything (workers finish their job, uvicorn its requests), then reap."""
        for name in list(self.running):
            for process in self.running[name]:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in self.running.pop(name):
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(10)

    def log(self, name: str) -> str:
        """Every log of process ``name`` so far, for a failure message."""
        return "\n".join(
            p.read_text(errors="replace") for p in sorted(self.logs.glob(f"{name}.*.log"))
        )

    def wait_until_serving(self, url: str, timeout: float = 60.0) -> None:
        """Wait until ``url`` answers (any status); a web process that died is an error."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.running.get("web", []):
                if process.poll() is not None:
                    raise RuntimeError(f"the web process exited:\n{self.log('web')[-3000:]}")
            try:
                httpx.get(url, timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"{url} did not answer in {timeout:.0f} s:\n{self.log('web')[-3000:]}")
