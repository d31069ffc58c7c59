"""Scripts: the versioned YAML that says what the assistant asks and how it answers.

``validate_shape(text, source)`` checks one file's keys and types; the checks
that need the persona guard and the linters live in ``authoring``, whose
``parse_script`` is what callers use. The format is in the README.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from isa_engine.errors import ScriptError, ScriptErrors
from isa_engine.located_yaml import Located, load_located
from isa_engine.model import Intent
from isa_engine.templates import Template

Language = Literal["en", "es"]
"""The languages a script may be written in (``language:``; English when not given)."""
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Spanish"}

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """ "90s", "15m", "2h" or "3d" as a timedelta; ValueError saying the form otherwise."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"{text!r}: a duration is a number and a unit: 90s, 15m, 2h or 3d")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def _duration(value: Any) -> Any:
    return parse_duration(value) if isinstance(value, str) else value


Duration = Annotated[timedelta, BeforeValidator(_duration)]

# The intents a script must handle: the corpus vocabulary plus HELP (COMPLIANCE.md #8).
HANDLED_INTENTS: tuple[Intent, ...] = (
    Intent.OPT_OUT,
    Intent.WRONG_NUMBER,
    Intent.NOT_INTERESTED,
    Intent.QUESTION,
    Intent.CALL_REQUEST,
    Intent.IDENTITY_QUESTION,
    Intent.RESCHEDULE,
    Intent.AFFIRM,
    Intent.DENY,
    Intent.HELP,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Condition(_Strict):
    """A step's ``when``: ask only if ``slot`` holds one of ``is`` (or none of ``is_not``)."""

    slot: str
    is_: tuple[Any, ...] | None = Field(default=None, alias="is")
    is_not: tuple[Any, ...] | None = None

    def holds(self, slots: dict[str, Any]) -> bool:
        """True when the condition is met by the filled ``slots`` (an empty slot never is)."""
        if self.slot not in slots:
            return False
        value = slots[self.slot]
        if self.is_ is not None and value not in self.is_:
            return False
        return not (self.is_not is not None and value in self.is_not)


class Persona(_Strict):
    """Who the texts come from: always the agent's assistant or coordinator, never the agent."""

    role: Literal["assistant", "coordinator"] = "assistant"
    disclosure: str | None = None  # an optional automated-assistant line (COMPLIANCE.md #14)


class Step(_Strict):
    """One question, bound to one slot."""

    slot: str
    ask: Template
    reask: Template | None = None
    when: Condition | None = None
    required: bool = True

    @property
    def id(self) -> str:
        """Steps are named by their slot: a slot is asked by one step only."""
        return self.slot


class Handler(_Strict):
    """What to do when a text carries an intent: a reply, and whether to alert the agent."""

    reply: Template | None = None
    alert_agent: bool = False


class Outcomes(_Strict):
    """The rule that makes an Appointment versus an Engagement."""

    appointment_needs: tuple[str, ...] = ("appointment",)
    engagement_min_slots: int = Field(default=1, ge=0)
    dead_when: tuple[Condition, ...] = ()


class Closings(_Strict):
    """The texts that end a stretch of conversation."""

    appointment: Template
    engagement: Template
    update: Template
    dead: Template | None = None  # when a ``dead_when`` rule fires (e.g. already has an agent)
    not_interested: Template | None = None
    ask_time: Template  # a day was given without a time: ask for the time


class Timers(_Strict):
    """How long silence lasts before a lead turns cold, and the drip it then joins."""

    cold_after: Duration = timedelta(minutes=15)
    # the campaign (scripts/campaigns/<name>) a lead joins on going cold, or on an
    # Appointment or Engagement; none: no drip
    drip: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_-]*$")


class Script(_Strict):
    """A validated script: ``name@version``."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    version: int = Field(ge=1)
    description: str = ""
    language: Language = "en"
    # the same script in other languages, by name: a lead who writes in one is moved to it
    translations: dict[Language, Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]] = {}
    persona: Persona = Persona()
    opening: Template
    opening_asks: str | None = None  # the slot the opening question asks, if any
    steps: tuple[Step, ...] = Field(min_length=1)
    handlers: dict[Intent, Handler]
    outcomes: Outcomes = Outcomes()
    closings: Closings
    timers: Timers = Timers()
    # the lead's own reminder, an hour before an appointment (quiet hours permitting);
    # none: only the agent is reminded
    reminder: Template | None = None
    source: str = ""

    @property
    def key(self) -> str:
        """``name@version``: how the script is referred to everywhere."""
        return f"{self.name}@{self.version}"

    @cached_property
    def step_by_slot(self) -> dict[str, Step]:
        """Steps keyed by their slot."""
        return {s.slot: s for s in self.steps}

    def handler(self, intent: Intent) -> Handler:
        """The script's handler for ``intent`` (an empty one when not given)."""
        return self.handlers.get(intent, _NO_HANDLER)

    def templates(self) -> list[tuple[tuple[str | int, ...], Template]]:
        """Every template with its path in the file, for checks and segment reports."""
        out: list[tuple[tuple[str | int, ...], Template]] = [(("opening",), self.opening)]
        for i, s in enumerate(self.steps):
            out.append((("steps", i, "ask"), s.ask))
            if s.reask:
                out.append((("steps", i, "reask"), s.reask))
        for intent, h in self.handlers.items():
            if h.reply:
                out.append((("handlers", intent.value, "reply"), h.reply))
        for name in Closings.model_fields:
            t = getattr(self.closings, name)
            if t is not None:
                out.append((("closings", name), t))
        if self.reminder is not None:
            out.append((("reminder",), self.reminder))
        return out


_NO_HANDLER = Handler()


def validate_shape(text: str, source: str) -> tuple[Script, Located]:
    """Parse one file into a Script (keys and types checked) and its located document."""
    try:
        doc = load_located(text, source)
    except ScriptError as e:
        raise ScriptErrors([e]) from None
    if not isinstance(doc.data, dict):
        raise ScriptErrors([doc.error((), "a script is a mapping of keys (name, version, …)")])
    try:
        script = Script.model_validate({**doc.data, "source": source})
    except ValidationError as e:
        raise ScriptErrors([_located(doc, err) for err in e.errors()]) from None
    return script, doc


def _located(doc: Located, err: Any) -> ScriptError:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    path = list(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        return doc.error(path, f"unknown key {path[-1]!r}", key=True)
    if kind == "missing":
        return doc.error(path[:-1], f"missing key {path[-1]!r}")
    if path and path[0] == "handlers" and kind == "enum":
        known = ", ".join(i.value for i in HANDLED_INTENTS)
        return doc.error(path, f"unknown intent {path[1]!r}: handlers are for {known}", key=True)
    where = ".".join(str(p) for p in path) or "the script"
    return doc.error(path, f"{where}: {str(err['msg']).removeprefix('Value error, ')}")
