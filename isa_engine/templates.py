"""Text templates: Jinja2 in a sandbox, with only the names a script may use.

A template may use ``{{ contact }}`` and ``{{ agent }}`` (first names) and
filled slots (``{{ beds }}``, ``{{ appointment }}``…, shown in words, in the
script's language: "Thursday, December 3 at 2 PM", "el jueves 3 de diciembre a
las 2 PM"), the filters in ``FILTERS`` and ``{% if name %}…{% else %}…{% endif %}``.
An empty slot renders as nothing.

Script authors are not trusted with the server: the parsed template is walked
*before* Jinja compiles it (compiling folds constants, so ``{{ 7**5000000 }}``
would run then), and anything but text, names, the declared filters and
``if`` on a name is refused: no globals (``lipsum``, ``range``…), no
attributes or items, no calls, no arithmetic or repetition, no loops, no
assignments. What is left renders in time linear in its length; the output is
capped at ``MAX_RENDERED`` characters all the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from isa_engine.model import SLOTS, SlotValue

PEOPLE = frozenset({"contact", "agent"})
ALLOWED_NAMES = PEOPLE | SLOTS
# the filters a template may use; every other Jinja filter, test and global is removed
FILTERS = frozenset({"upper", "lower", "capitalize", "title", "trim"})
MAX_SOURCE = 2_000  # characters of one template: ten SMS segments and then some
MAX_RENDERED = 1_600  # Twilio's limit for one message body
_LITERAL_MAX = 200


@cache
def _env() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=False
    )
    env.globals.clear()  # lipsum, range, dict, cycler, joiner, namespace
    env.filters = {k: v for k, v in env.filters.items() if k in FILTERS}
    env.tests = {}
    return env


def _refuse(node: nodes.Node, what: str) -> ValueError:
    where = f" (template line {node.lineno})" if getattr(node, "lineno", 1) > 1 else ""
    return ValueError(
        f"template: {what}{where}; a template may use names, the filters "
        f"{', '.join(sorted(FILTERS))} and {{% if name %}}"
    )


def _check_node(node: nodes.Node, names: set[str]) -> None:
    """Refuse every node but the few a text needs; collect the names used."""
    if isinstance(node, nodes.Template | nodes.Output):
        for child in node.iter_child_nodes():
            _check_node(child, names)
    elif isinstance(node, nodes.TemplateData):
        return
    elif isinstance(node, nodes.Name):
        if node.ctx != "load":
            raise _refuse(node, f"cannot assign to {node.name!r}")
        names.add(node.name)
    elif isinstance(node, nodes.Const):
        if not isinstance(node.value, str) or len(node.value) > _LITERAL_MAX:
            raise _refuse(node, f"{node.value!r} is not allowed")
    elif isinstance(node, nodes.Filter):
        if node.name not in FILTERS:
            raise _refuse(node, f"unknown filter {node.name!r}")
        if node.args or node.kwargs or node.dyn_args or node.dyn_kwargs or node.node is None:
            raise _refuse(node, f"the filter {node.name!r} takes no arguments")
        _check_node(node.node, names)
    elif isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        raise _refuse(node, f"{node.node.name}.{node.attr}: attributes are not allowed")
    elif isinstance(node, nodes.If):
        test = node.test.node if isinstance(node.test, nodes.Not) else node.test
        if not isinstance(test, nodes.Name):
            raise _refuse(node, "an if tests one name, e.g. {% if appointment %}")
        _check_node(test, names)
        for child in [*node.body, *node.elif_, *node.else_]:
            _check_node(child, names)
    else:
        raise _refuse(node, _WHAT.get(type(node).__name__, f"{type(node).__name__} is not allowed"))


_WHAT = {
    "Getattr": "attributes (x.y) are not allowed",
    "Getitem": "items (x[y]) are not allowed",
    "Call": "calls are not allowed",
    "For": "loops are not allowed",
    "Assign": "assignments are not allowed",
    "AssignBlock": "assignments are not allowed",
    "Macro": "macros are not allowed",
    "Concat": "the ~ operator is not allowed",
    **{
        op: "arithmetic and repetition are not allowed"
        for op in ("Add", "Sub", "Mul", "Div", "FloorDiv", "Mod", "Pow", "Neg", "Pos")
    },
}


def check_source(source: str) -> tuple[nodes.Template, frozenset[str]]:
    """Parse ``source`` and refuse what a text template may not do; ValueError says what."""
    if len(source) > MAX_SOURCE:
        raise ValueError(f"template: {len(source)} characters; at most {MAX_SOURCE}")
    try:
        ast = _env().parse(source)
    except jinja2.TemplateSyntaxError as e:
        raise ValueError(f"template syntax: {e.message}") from None
    except RecursionError:
        raise ValueError("template: nested too deeply") from None
    names: set[str] = set()
    try:
        _check_node(ast, names)
    except RecursionError:
        raise ValueError("template: nested too deeply") from None
    return ast, frozenset(names)


class Template:
    """A compiled template with the names it uses; built from a YAML string."""

    __slots__ = ("_compiled", "_plain", "names", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: jinja2.Template | None = None
        if "{" not in source and len(source) <= MAX_SOURCE:
            # no tag at all: Jinja would render the text as written; most texts are so,
            # and a start-up then parses and compiles none of them
            self.names: frozenset[str] = frozenset()
            self._plain: str | None = _tidy(source)[:MAX_RENDERED]
            return
        ast, self.names = check_source(source)  # before compiling: compiling folds constants
        self._compiled = _env().from_string(ast)
        # most texts use no name at all: render once, not per turn
        self._plain = None if self.names else _tidy(self._compiled.render())[:MAX_RENDERED]

    def render(
        self, contact: str, agent: str, slots: Mapping[str, SlotValue], language: str = "en"
    ) -> str:
        """The text with names and slots filled in (in ``language``), whitespace tidied."""
        if self._plain is not None:
            return self._plain
        assert self._compiled is not None  # a text without tags is plain
        people = {"contact": plain(contact), "agent": plain(agent)}
        values: dict[str, Any] = {
            name: people[name]
            if name in people
            else plain(show(name, slots[name], language))
            if name in slots
            else ""
            for name in self.names
        }
        return _tidy(self._compiled.render(values))[:MAX_RENDERED]

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


# bidirectional overrides and isolates: a name holding U+202E would reverse the rest of
# our text on the lead's phone
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def plain(value: str) -> str:
    """``value`` without bidirectional control characters (U+202A–E, U+2066–9)."""
    return value.translate(_BIDI)


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
