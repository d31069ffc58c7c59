"""Shared test set-up: where the shipped scripts and the shared corpus are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The development corpus beside the checkout (../shared/corpus), or skip."""
    path = SHARED / "corpus"
    if not (path / "score.py").is_file():
        pytest.skip("the shared corpus is not beside this checkout (../shared/corpus)")
    return path
