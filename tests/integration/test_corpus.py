"""The reader and the replay scored on the development corpus, through the real CLI.

The figures are the issue's bar (slot F1 ≥ 0.95, intent F1 ≥ 0.90, opt-out
recall 1.0 at precision ≥ 0.98; all_ok ≥ 0.9 with no re-ask, no text after an
opt-out and no persona fault). The corpus is a sample: these guard against
regressions, they do not define the reader.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO


def isa(args: list[str], stdin: Path, out: Path) -> None:
    with stdin.open("rb") as src, out.open("wb") as dst:
        subprocess.run(
            [sys.executable, "-m", "api", *args], stdin=src, stdout=dst, check=True, cwd=REPO
        )


def score(corpus_dir: Path, gold: str, answers: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            str(corpus_dir / "score.py"),
            *extra,
            "--json",
            str(corpus_dir / gold),
            str(answers),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[0])
    return result


def test_nlu_parse_meets_the_bar_on_the_message_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "nlu.jsonl"
    isa(["nlu", "parse"], corpus_dir / "messages.jsonl", out)
    result = score(corpus_dir, "messages.jsonl", out)
    assert result["answered"] == result["records"]
    assert result["slot_f1"] >= 0.95, result
    assert result["intent_f1"] >= 0.90, result
    assert result["opt_out_r"] == 1.0 and result["opt_out_p"] >= 0.98, result


def test_replay_meets_the_bar_on_the_conversation_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "replay.jsonl"
    isa(["replay"], corpus_dir / "conversations.jsonl", out)
    result = score(corpus_dir, "conversations.jsonl", out, "--conversations")
    assert result["missing"] == 0
    assert result["re_asks"] == 0 and result["texts_after_opt_out"] == 0, result
    assert result["persona_faults"] == 0, result
    assert result["all_ok"] >= 0.9, result


def test_replay_runs_the_spanish_conversations_safely(corpus_dir: Path, tmp_path: Path) -> None:
    """Every Spanish record is answered, switched to buyer-es, with nothing after an opt-out
    and no persona fault. Its slot and status figures are the Spanish reader's to raise."""
    out = tmp_path / "replay-es.jsonl"
    isa(["replay"], corpus_dir / "conversations-es.jsonl", out)
    result = score(corpus_dir, "conversations-es.jsonl", out, "--conversations")
    assert result["missing"] == 0, result
    assert result["texts_after_opt_out"] == 0 and result["persona_faults"] == 0, result
    answers = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(a.get("script") == "buyer-es@1" for a in answers), answers
