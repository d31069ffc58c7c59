"""Script authoring: ``parse_script`` validates a file fully, with every error located.

After its shape (script.py), a script passes the checks a careful author would
make by hand: known slots and placeholders, conditions on slots asked earlier,
texts that fit in two SMS segments and pass the persona guard and the Fair
Housing linter, and an opening that names the agent, the assistant's role and
how to opt out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import isa_engine.policy.fair_housing as fair_housing
from isa_engine import persona, sms
from isa_engine.errors import ScriptError, ScriptErrors
from isa_engine.located_yaml import Located, load_located
from isa_engine.model import SLOT_CHOICES, SLOT_TYPES, SLOTS, Intent, SlotValue
from isa_engine.script import HANDLED_INTENTS, Condition, Script, validate_shape
from isa_engine.templates import ALLOWED_NAMES, Template

MAX_SEGMENTS = 2
# Long, plausible values: a template must fit in two segments with them filled in.
SAMPLE_CONTACT = "Christopher"
SAMPLE_AGENT = persona.SAMPLE_FIRST.title()  # the guard's rules are compiled with these
SAMPLE_LAST_NAME = persona.SAMPLE_LAST.title()  # no template can contain it
SAMPLE_SLOTS: dict[str, SlotValue] = {
    "lead_type": "both",
    "beds": 4,
    "baths": 2.5,
    "location": ("East Nashville", "Mount Pleasant"),
    "price_min": 1_250_000,
    "price_max": 1_500_000,
    "preapproval": "in_progress",
    "has_agent": False,
    "timeframe": "12+",
    "appointment": "2026-09-30T12:30",
    "email": "christopher.longname@example.com",
    "address": "12345 Northwest Cedar Hollow Parkway",
    "home_value": 1_250_000,
}
_STOP_WORD = re.compile(r"\bSTOP\b")
# How the first text names the persona's role, by the script's language.
ROLE_WORDS: dict[str, dict[str, str]] = {
    "en": {"assistant": "assistant", "coordinator": "coordinator"},
    "es": {"assistant": "asistente", "coordinator": "coordinador"},
}


def parse_script(text: str, source: str) -> Script:
    """Validate one script file's text; raise ScriptErrors listing every problem found.

    A file whose shape is wrong (an unknown key, a missing one) is not checked further,
    but its texts still go through the Fair Housing linter: an author sees every kind of
    error in one go, not the next kind only after fixing the first.
    """
    try:
        script, doc = validate_shape(text, source)
    except ScriptErrors as e:
        raise ScriptErrors([*e.errors, *_lint_texts(text, source)]) from None
    problems = check_script(script, doc)
    if problems:
        raise ScriptErrors(problems)
    return script


_TEXT_KEYS = frozenset({"opening", "ask", "reask", "reply", "reminder"})
Path = tuple[str | int, ...]


def _lint_texts(text: str, source: str) -> list[ScriptError]:
    """The Fair Housing errors of every text in a file that failed its shape check."""
    try:
        doc = load_located(text, source)
    except ScriptError:
        return []  # not YAML: the syntax error says so
    return [
        doc.error(path, f"Fair Housing: {problem}")
        for path, value in _texts(doc.data, ())
        for problem in fair_housing.lint(value)
    ]


def _texts(
    node: object, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Each text a script would send: the values under ``_TEXT_KEYS`` and ``closings``."""
    if isinstance(node, str):
        if path and (path[-1] in _TEXT_KEYS or path[0] == "closings"):
            yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _texts(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _texts(value, (*path, i))


def check_script(script: Script, doc: Located) -> list[ScriptError]:
    """Every problem in ``script`` (already shape-valid), located in ``doc``."""
    return [
        *_check_steps(script, doc),
        *_check_handlers(script, doc),
        *_check_outcomes(script, doc),
        *_check_templates(script, doc),
        *_check_opening(script, doc),
        *_check_translations(script, doc),
    ]


def _check_steps(script: Script, doc: Located) -> Iterator[ScriptError]:
    seen: set[str] = set()
    for i, step in enumerate(script.steps):
        if step.slot not in SLOTS:
            yield doc.error(("steps", i, "slot"), f"unknown slot {step.slot!r}; {_known_slots()}")
        elif step.slot in seen:
            yield doc.error(("steps", i, "slot"), f"slot {step.slot!r} is asked by two steps")
        if step.when is not None:
            if step.when.slot not in seen:
                yield doc.error(
                    ("steps", i, "when", "slot"),
                    f"condition on {step.when.slot!r}, which no earlier step fills",
                )
            yield from _check_condition(step.when, ("steps", i, "when"), doc)
        seen.add(step.slot)


def _check_condition(
    cond: Condition, path: tuple[str | int, ...], doc: Located
) -> Iterator[ScriptError]:
    if cond.slot not in SLOTS:
        yield doc.error((*path, "slot"), f"unknown slot {cond.slot!r}; {_known_slots()}")
        return
    for key, values in (("is", cond.is_), ("is_not", cond.is_not)):
        for j, value in enumerate(values or ()):
            if not _fits(cond.slot, value):
                yield doc.error((*path, key, j), f"{value!r} is not a possible {cond.slot!r}")


def _fits(slot: str, value: object) -> bool:
    if slot in SLOT_CHOICES:
        return value in SLOT_CHOICES[slot]
    kind = SLOT_TYPES[slot]
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is tuple:
        return isinstance(value, str)
    return isinstance(value, kind)


def _check_handlers(script: Script, doc: Located) -> Iterator[ScriptError]:
    missing = [i.value for i in HANDLED_INTENTS if i not in script.handlers]
    if missing:
        yield doc.error(("handlers",), f"no handler for {', '.join(missing)}", key=True)
    yield from _check_help(script, doc)
    opt_out = script.handlers.get(Intent.OPT_OUT)
    if opt_out and opt_out.reply and "?" in opt_out.reply.source:
        yield doc.error(
            ("handlers", "opt_out", "reply"),
            "the opt-out confirmation must ask nothing (COMPLIANCE.md #5)",
        )


# a way to reach a person: an e-mail address, a web address, or a 10-digit phone number
_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+"
    r"|\bhttps?://\S+|\bwww\.\S+"
    r"|(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b"
)


def _check_help(script: Script, doc: Located) -> Iterator[ScriptError]:
    """HELP's answer names who texts, a contact and how to opt out (COMPLIANCE.md #8)."""
    handler = script.handlers.get(Intent.HELP)
    if handler is None:
        return  # reported with the other missing handlers
    if handler.reply is None:
        yield doc.error(("handlers", "help"), "help needs a reply: who texts, a contact, STOP")
        return
    source = handler.reply.source
    wanted = []
    if "agent" not in handler.reply.names:
        wanted.append("who texts ({{ agent }}'s assistant)")
    if not _CONTACT.search(source):
        wanted.append("a contact (an e-mail, web address or phone number)")
    if not _STOP_WORD.search(source):
        wanted.append("how to opt out (Reply STOP to opt out)")
    if wanted:
        yield doc.error(
            ("handlers", "help", "reply"), "the help text must give " + ", ".join(wanted)
        )


def _check_outcomes(script: Script, doc: Located) -> Iterator[ScriptError]:
    needs = script.outcomes.appointment_needs
    for j, slot in enumerate(needs):
        if slot not in SLOTS:
            yield doc.error(("outcomes", "appointment_needs", j), f"unknown slot {slot!r}")
    if "appointment" not in needs:
        yield doc.error(
            ("outcomes", "appointment_needs"), "an Appointment needs the 'appointment' slot"
        )
    for j, cond in enumerate(script.outcomes.dead_when):
        yield from _check_condition(cond, ("outcomes", "dead_when", j), doc)


def _check_templates(script: Script, doc: Located) -> Iterator[ScriptError]:
    for path, template in script.templates():
        for problem in template_problems(template, language=script.language):
            yield doc.error(path, problem)


def template_problems(
    template: Template, allowed: frozenset[str] = ALLOWED_NAMES, *, language: str = "en"
) -> list[str]:
    """What is wrong with one outbound template, unlocated: an unknown placeholder, over
    two SMS segments with long names filled in, Fair Housing, or the persona guard.

    Scripts and drip campaigns share it, so every text the engine sends is held
    to the same checks. ``allowed`` is the set of placeholders the text may use.
    """
    unknown = sorted(template.names - allowed)
    fair = [f"Fair Housing: {problem}" for problem in fair_housing.lint(template.source)]
    if unknown:  # not rendered (its length is unknown), but its words are still checked
        may = "contact, agent and slot names" if allowed >= SLOTS else " and ".join(sorted(allowed))
        return [f"unknown placeholder {', '.join(unknown)}: templates may use {may}", *fair]
    problems = []
    text = _sample(template, language)
    info = sms.segments(text)
    if info.segments > MAX_SEGMENTS:
        problems.append(
            f"too long: {info.segments} SMS segments ({info.encoding}, {info.units} units "
            f"filled in with long names); at most {MAX_SEGMENTS}"
        )
    problems += fair
    verdict = persona.check(text, SAMPLE_AGENT, SAMPLE_LAST_NAME)
    if not verdict.ok:
        problems.append(f"persona guard: {'; '.join(verdict.reasons)}")
    return problems


def _check_opening(script: Script, doc: Located) -> Iterator[ScriptError]:
    opening = script.opening
    wanted = []
    if "agent" not in opening.names:
        wanted.append("the agent's first name ({{ agent }})")
    role = ROLE_WORDS[script.language][script.persona.role]
    if role not in opening.source.lower():
        wanted.append(f"the {script.persona.role} role ({role!r})")
    if not _STOP_WORD.search(opening.source):
        wanted.append("how to opt out (Reply STOP…)")
    if wanted:
        yield doc.error(("opening",), "the first text must name " + ", ".join(wanted))
    if script.opening_asks is not None and script.opening_asks not in script.step_by_slot:
        yield doc.error(("opening_asks",), f"{script.opening_asks!r} is not the slot of any step")


def _check_translations(script: Script, doc: Located) -> Iterator[ScriptError]:
    for language, name in script.translations.items():
        if language == script.language:
            yield doc.error(
                ("translations", language),
                f"{name!r} cannot be this script's {language!r} version: the script itself is "
                f"in {language!r}; name the script in another language",
                key=True,
            )
        elif name == script.name:
            yield doc.error(("translations", language), "a script cannot translate itself")


def _sample(template: Template, language: str = "en") -> str:
    return template.render(SAMPLE_CONTACT, SAMPLE_AGENT, SAMPLE_SLOTS, language)


def segment_report(script: Script) -> list[tuple[str, sms.SegmentInfo]]:
    """Each template's encoding and segment count, filled in with long sample values."""
    return [
        (".".join(map(str, path)), sms.segments(_sample(t, script.language)))
        for path, t in script.templates()
    ]


def _known_slots() -> str:
    return "known slots: " + ", ".join(SLOT_TYPES)
