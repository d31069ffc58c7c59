"""Rules files on disk: every ``*.yaml`` in a folder (``rules/`` by default), read here
and parsed, validated and combined by the core (``isa_engine.policy.rules``)."""

from __future__ import annotations

from pathlib import Path

from isa_engine.errors import ScriptError, ScriptErrors
from isa_engine.policy.rules import Rules, parse_rules


def default_root() -> Path:
    """``./rules`` when there is one, else the rules folder beside the packages."""
    here = Path.cwd() / "rules"
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "rules"


def load_rules(root: Path | None = None) -> Rules:
    """Every rules file in ``root`` (default: ``default_root()``), validated and combined.

    Raises ScriptErrors listing every problem in every file as ``file:line:col: what``.
    """
    folder = root or default_root()
    paths = sorted(folder.glob("*.y*ml"))
    if not paths:
        raise ScriptError(str(folder), 1, 1, "no rules files (*.yaml) in this folder")
    files: list[tuple[str, str]] = []
    errors: list[ScriptError] = []
    for path in paths:
        try:
            files.append((path.read_text(encoding="utf-8"), str(path)))
        except UnicodeDecodeError as e:
            errors.append(ScriptError(str(path), 1, 1, f"not UTF-8 text: {e.reason}"))
    if errors:
        raise ScriptErrors(errors)
    return parse_rules(files)
