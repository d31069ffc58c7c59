"""Rules files on disk: every ``*.yaml`` in a folder (``rules/`` by default) but
``routing.yaml``, read here and parsed, validated and combined by the core
(``isa_engine.policy.rules``)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from isa_engine.errors import ScriptError, ScriptErrors
from isa_engine.policy.rules import Rules, parse_rules
from isa_engine.routing import Routing, parse_routing

ROUTING_STEM = "routing"
"""``routing.yaml`` beside the rules holds routing rules (``isa_engine.routing``), not windows
and caps: the quiet-hours loader leaves it out."""


def default_root() -> Path:
    """``./rules`` when there is one, else the rules folder beside the packages."""
    here = Path.cwd() / "rules"
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "rules"


def load_rules(root: Path | None = None) -> Rules:
    """Every rules file in ``root`` (default: ``default_root()``), validated and combined.

    Raises ScriptErrors listing every problem in every file as ``file:line:col: what``.
    """
    folder = root or default_root()
    paths = sorted(p for p in folder.glob("*.y*ml") if p.stem != ROUTING_STEM)
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


def load_routing(path: Path, agents: Collection[str] | None = None) -> Routing:
    """The routing rules at ``path`` (``rules/routing.yaml``), validated; with ``agents``
    (active agents' e-mails), every agent named must be one.

    Raises ScriptErrors listing every problem as ``file:line:col: what``.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ScriptError(str(path), 1, 1, f"not UTF-8 text: {e.reason}") from None
    except OSError as e:
        raise ScriptError(str(path), 1, 1, f"cannot read the routing file: {e.strerror}") from None
    return parse_routing(text, str(path), agents)
