"""The approval policy: which suggested texts go at once (``auto``) and which wait for an ISA.

``ISA_AUTO_APPROVE`` takes ``none`` (the default: every suggestion waits in the
ISA queue), ``opening`` (the first text to a new lead goes at once, the rest
wait), ``all`` (nothing waits: for trying the product alone), or the path of a
YAML file naming what may go without a person::

    # auto-approve.yaml
    auto:
      - opening            # the first text to a new lead
      - beds               # a step, by the slot it asks
      - help               # a handler, by its intent
      - identity_question

A suggestion's key is ``opening`` for the first text, the slot it asks for a
step, the intent for a handler's reply, and ``closing`` for the rest; a text made
of several parts (a handler's reply, then the next question) goes at once only
when every part's key is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from isa_engine.model import SuggestText

OPENING = "opening"
CLOSING = "closing"
_HANDLER = "handler for "  # the core's ``why`` of a handler's reply


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    """The set of suggestion keys sent without an ISA (``everything`` sends them all)."""

    auto: frozenset[str] = frozenset()
    everything: bool = False

    @classmethod
    def parse(cls, value: str) -> ApprovalPolicy:
        """``none``, ``opening``, ``all``, or a YAML file path; ValueError says what is wrong."""
        word = value.strip().lower()
        if word in ("", "none"):
            return cls()
        if word == "all":
            return cls(everything=True)
        if word == OPENING:
            return cls(auto=frozenset({OPENING}))
        path = Path(value).expanduser()
        if not path.is_file():
            raise ValueError(
                f"ISA_AUTO_APPROVE={value!r}: expected none, opening, all, or a YAML policy file"
            )
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        keys = data.get("auto") if isinstance(data, dict) else None
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ValueError(f"{path}: expected a mapping with 'auto:' and a list of names")
        return cls(auto=frozenset(k.strip() for k in keys))

    def approves(self, suggestion: SuggestText, *, opening: bool) -> bool:
        """True when ``suggestion`` may go without an ISA: every part of it is named (a text
        that answers a question and asks the next step needs both). A request to write a
        reply (an empty suggestion) always waits for a person."""
        if not suggestion.text:
            return False
        return self.everything or keys_of(suggestion, opening=opening) <= self.auto


def keys_of(suggestion: SuggestText, *, opening: bool) -> frozenset[str]:
    """The names a policy uses for the parts of ``suggestion`` (see the module docstring)."""
    if opening:
        return frozenset({OPENING})
    parts = suggestion.why.split("; ")
    keys = {p.removeprefix(_HANDLER) for p in parts if p.startswith(_HANDLER)}
    if suggestion.asks:
        keys.add(suggestion.asks)
    elif len(keys) < len(parts):
        keys.add(CLOSING)
    return frozenset(keys)
