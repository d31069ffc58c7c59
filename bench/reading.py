"""Throughput of ``isa_engine.reading.read`` over the corpus texts, beside a trivial baseline.

    python -m bench.reading [messages.jsonl] [--seconds N]

The baseline loop does ``text.lower().split()`` and one compiled ``findall`` per text, so the
ratio says how many times slower than "barely touching the text" the reader is.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from isa_engine.reading import read

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "messages.jsonl"
_DIGITS = re.compile(r"\d+")

Record = tuple[str, str | None, datetime]


def load(path: Path) -> list[Record]:
    """The (text, expecting, now) of each message record in ``path``."""
    out: list[Record] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out.append((r["text"], r.get("expecting"), datetime.fromisoformat(r["now"])))
    return out


def rate(records: list[Record], fn: Callable[[Record], object], seconds: float) -> float:
    """Texts per CPU-second of ``fn`` over ``records``, repeated for about ``seconds``.

    CPU time of this process, not wall time: the figure is per core, and other work
    on the machine does not lower it.
    """
    done, start = 0, time.process_time()
    while True:
        for rec in records:
            fn(rec)
        done += len(records)
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return done / elapsed


def _baseline(rec: Record) -> object:
    return (rec[0].lower().split(), _DIGITS.findall(rec[0]))


def _reader(rec: Record) -> object:
    return read(rec[0], rec[1], rec[2])


def main() -> None:
    """Run both loops and print texts/s and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    records = load(args.corpus)
    for rec in records:  # warm up: lazy word lists and gazetteers load outside the timing
        _reader(rec)
    base = rate(records, _baseline, args.seconds / 3)
    reader = rate(records, _reader, args.seconds)
    print(f"baseline: {base:,.0f} texts/s")
    print(f"read():   {reader:,.0f} texts/s")
    print(f"ratio:    {base / reader:,.1f}x slower than the baseline")


if __name__ == "__main__":
    main()
