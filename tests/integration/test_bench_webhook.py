"""The webhook bench runs end to end from the deployment recipe (``deploy/Procfile``).

A small run: real ``isa serve`` started from the Procfile, leads imported and
texted their openings, each lead's three signed texts answered, then the
baseline app under the same load. Every text must be answered 200, by both.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_webhook_bench_answers_every_text_from_the_recipe(tmp_path: Path) -> None:
    figures, logs_dir = tmp_path / "figures.jsonl", tmp_path / "logs"
    small = ["--leads", "4", "--levels", "1,2", "--json", str(figures), "--logs", str(logs_dir)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.webhook", *small],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in logs_dir.glob("*"))
    assert done.returncode == 0, f"{done.stderr[-3000:]}\n{logs}"
    rows = [json.loads(line) for line in figures.read_text().splitlines()]
    assert {(r["app"], r["concurrency"]) for r in rows} == {
        (app, level) for app in ("isa", "baseline") for level in (1, 2)
    }
    for row in rows:
        assert row["errors"] == 0 and row["texts"] == 12, row
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
