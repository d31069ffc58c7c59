"""Text templates: Jinja2 in a sandbox, with only the names a script may use.

A template may use ``{{ contact }}`` and ``{{ agent }}`` (first names) and
filled slots (``{{ beds }}``, ``{{ appointment }}``…, shown in words, in the
script's language: "Thursday, December 3 at 2 PM", "el jueves 3 de diciembre a
las 2 PM"). An empty slot renders as nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from isa_engine.model import SLOTS, SlotValue

PEOPLE = frozenset({"contact", "agent"})
ALLOWED_NAMES = PEOPLE | SLOTS


@cache
def _env() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=False
    )


class Template:
    """A compiled template with the names it uses; built from a YAML string."""

    __slots__ = ("_compiled", "_plain", "names", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        env = _env()
        try:
            ast = env.parse(source)
        except jinja2.TemplateSyntaxError as e:
            raise ValueError(f"template syntax: {e.message}") from None
        self.names = frozenset(meta.find_undeclared_variables(ast))
        self._compiled = env.from_string(source)
        # most texts use no name at all: render once, not per turn
        self._plain = None if self.names else _tidy(self._compiled.render())

    def render(
        self, contact: str, agent: str, slots: Mapping[str, SlotValue], language: str = "en"
    ) -> str:
        """The text with names and slots filled in (in ``language``), whitespace tidied."""
        if self._plain is not None:
            return self._plain
        people = {"contact": contact, "agent": agent}
        values: dict[str, Any] = {
            name: people[name]
            if name in people
            else show(name, slots[name], language)
            if name in slots
            else ""
            for name in self.names
        }
        return _tidy(self._compiled.render(values))

    def __repr__(self) -> str:
        return f"Template({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Template) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validate from a string; serialise back to it."""
        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.str_schema(min_length=1),
            serialization=core_schema.plain_serializer_function_ser_schema(lambda t: t.source),
        )


def _tidy(text: str) -> str:
    return " ".join(text.split())


# Spanish words for dates: no locale or dependency needed for two lists of names.
_DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_MESES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def show(slot: str, value: SlotValue, language: str = "en") -> str:
    """A slot's value in words, as a text would say it (English, or Spanish for ``"es"``)."""
    if language == "es":
        return _show_es(slot, value)
    if slot == "location" and isinstance(value, tuple):
        return " or ".join(value)
    if slot in ("price_min", "price_max", "home_value") and isinstance(value, int):
        return f"${value:,}"
    if slot == "appointment" and isinstance(value, str):
        at = datetime.fromisoformat(value)
        return f"{at:%A}, {at:%B} {at.day} at {_clock(at)}"
    if slot == "baths" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _show_es(slot: str, value: SlotValue) -> str:
    """In Spanish: "el jueves 3 de diciembre a las 2 PM", "Katy o Cypress", "sí"."""
    if slot == "location" and isinstance(value, tuple):
        return " o ".join(value)
    if slot == "appointment" and isinstance(value, str):
        at = datetime.fromisoformat(value)
        day = f"el {_DIAS[at.weekday()]} {at.day} de {_MESES[at.month - 1]}"
        return f"{day} {'a la' if at.hour % 12 == 1 else 'a las'} {_clock(at)}"
    if isinstance(value, bool):
        return "sí" if value else "no"
    return show(slot, value)


def _clock(at: datetime) -> str:
    """ "2 PM", "2:30 PM": what US texts say in both languages."""
    return at.strftime("%I:%M %p").lstrip("0").replace(":00 ", " ")
