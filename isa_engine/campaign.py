"""Drip campaigns: long-term follow-up as versioned YAML, validated like scripts.

``scripts/campaigns/<name>/v<N>.yaml``; "day 1, 3, 7, 14, 30, then monthly" is::

    name: buyer_nurture
    version: 1
    steps:                       # each one an offset from enrolment and a text
      - after: 1d
        text: Hi {{ contact }}, it's {{ agent }}'s assistant… Reply STOP to opt out.
      - after: 3d
        text: …
    repeat:                      # optional: after the last step, every N days or months
      every: 1 month
      texts: [ …, … ]            # taken in turn
      times: 12                  # optional; without it the drip runs until stopped

Texts may name ``{{ contact }}`` and ``{{ agent }}`` (first names) only: a drip
text goes out months later, when a slot may be empty and leave a hole. Each
passes the checks script texts pass (``authoring.template_problems``); the
first text and every repeated one say how to opt out. ``due_at`` is when a
step is due; quiet hours are the sender's business, later.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError

from isa_engine.authoring import template_problems
from isa_engine.errors import ScriptError, ScriptErrors
from isa_engine.located_yaml import Located, load_located, located_error
from isa_engine.script import Duration
from isa_engine.templates import PEOPLE, Template

MIN_GAP = timedelta(days=1)
"""Drip texts are at least this far apart: a drip is a nudge, not a conversation."""

_EVERY = re.compile(r"^\s*(\d+)\s*(d|days?|w|weeks?|months?)\s*$", re.IGNORECASE)
_STOP_WORD = re.compile(r"\bSTOP\b")
Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Every:
    """A repeat period: ``count`` days or calendar months."""

    count: int
    unit: Literal["days", "months"]

    def nth_after(self, anchor: datetime, n: int) -> datetime:
        """``n`` periods after ``anchor``, on ``anchor``'s own clock.

        Months are counted from the anchor each time, so a day past a month's end
        becomes its last day without drifting (Jan 31 → Feb 28 → Mar 31).
        """
        if self.unit == "days":
            return anchor + timedelta(days=self.count * n)
        months = anchor.month - 1 + self.count * n
        year, month = anchor.year + months // 12, months % 12 + 1
        return anchor.replace(
            year=year, month=month, day=min(anchor.day, calendar.monthrange(year, month)[1])
        )

    def __str__(self) -> str:
        unit = self.unit if self.count != 1 else self.unit[:-1]
        return f"{self.count} {unit}"


def _every(value: Any) -> Every:
    m = _EVERY.match(value) if isinstance(value, str) else None
    if not m:
        raise ValueError('repeat every "N days", "N weeks" or "N months" (e.g. "1 month", "30d")')
    count, unit = int(m.group(1)), m.group(2).lower()
    if count < 1:
        raise ValueError("repeat every 1 day or more")
    if unit.startswith("m"):
        return Every(count, "months")
    return Every(count * 7 if unit.startswith("w") else count, "days")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class CampaignStep(_Strict):
    """One timed text: sent ``after`` the enrolment."""

    after: Duration
    text: Template


class Repeat(_Strict):
    """After the last step: ``texts`` in turn, ``every`` period, ``times`` times or forever."""

    every: Annotated[Every, PlainValidator(_every)]
    texts: tuple[Template, ...] = Field(min_length=1)
    times: int | None = Field(default=None, ge=1)


class Campaign(_Strict):
    """A validated drip: ``name@version``."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    version: int = Field(ge=1)
    description: str = ""
    steps: tuple[CampaignStep, ...] = Field(min_length=1)
    repeat: Repeat | None = None
    source: str = ""

    @property
    def key(self) -> str:
        """``name@version``: how the campaign is referred to everywhere."""
        return f"{self.name}@{self.version}"

    def text(self, step: int) -> Template | None:
        """The template of step ``step`` (0-based, repeats included); None past the end."""
        if step < 0:
            raise ValueError(f"a step index is 0 or more, got {step}")
        if step < len(self.steps):
            return self.steps[step].text
        rep = self.repeat
        n = step - len(self.steps)  # 0 for the first repeat
        if rep is None or (rep.times is not None and n >= rep.times):
            return None
        return rep.texts[n % len(rep.texts)]

    def templates(self) -> list[tuple[Path, Template]]:
        """Every template with its path in the file, for checks and segment reports."""
        out: list[tuple[Path, Template]] = [
            (("steps", i, "text"), s.text) for i, s in enumerate(self.steps)
        ]
        if self.repeat is not None:
            out += [(("repeat", "texts", j), t) for j, t in enumerate(self.repeat.texts)]
        return out


def due_at(campaign: Campaign, enrolled_at: datetime, step: int) -> datetime | None:
    """When step ``step`` (0-based: the number already sent) is due, in UTC; None when the
    campaign has no such step.

    Offsets count on ``enrolled_at``'s own clock: give it in the lead's zone to
    keep the time of day across DST changes, or in UTC for exact 24-hour days.
    """
    if enrolled_at.utcoffset() is None:
        raise ValueError(f"enrolled_at must be timezone-aware, got {enrolled_at!r}")
    rep = campaign.repeat
    if campaign.text(step) is None:
        return None
    if step < len(campaign.steps):
        return (enrolled_at + campaign.steps[step].after).astimezone(UTC)
    if rep is None:  # unreachable (text() found the step); narrows the type
        return None
    anchor = enrolled_at + campaign.steps[-1].after
    return rep.every.nth_after(anchor, step - len(campaign.steps) + 1).astimezone(UTC)


def parse_campaign(text: str, source: str) -> Campaign:
    """Validate one campaign file's text; raise ScriptErrors listing every problem found."""
    try:
        doc = load_located(text, source)
    except ScriptError as e:
        raise ScriptErrors([e]) from None
    if not isinstance(doc.data, dict):
        raise ScriptErrors([doc.error((), "a campaign is a mapping (name, version, steps…)")])
    try:
        campaign = Campaign.model_validate({**doc.data, "source": source})
    except ValidationError as e:
        raise ScriptErrors([located_error(doc, err) for err in e.errors()]) from None
    problems = [*_check_timing(campaign, doc), *_check_texts(campaign, doc)]
    if problems:
        raise ScriptErrors(problems)
    return campaign


def _check_timing(campaign: Campaign, doc: Located) -> Iterator[ScriptError]:
    previous: timedelta | None = None
    for i, step in enumerate(campaign.steps):
        if step.after < timedelta():
            yield doc.error(("steps", i, "after"), "a step cannot come before the enrolment")
        elif previous is not None and step.after - previous < MIN_GAP:
            yield doc.error(
                ("steps", i, "after"),
                f"{_show(step.after)} is less than a day after the step before "
                f"({_show(previous)}); steps are in order, a day apart or more",
            )
        previous = step.after


def _check_texts(campaign: Campaign, doc: Located) -> Iterator[ScriptError]:
    for path, template in campaign.templates():
        for problem in template_problems(template, PEOPLE):
            yield doc.error(path, problem)
    first = campaign.steps[0].text
    wanted = []
    if "agent" not in first.names:
        wanted.append("the agent's first name ({{ agent }})")
    if not _STOP_WORD.search(first.source):
        wanted.append("how to opt out (Reply STOP…)")
    if wanted:
        yield doc.error(("steps", 0, "text"), "the first drip text must say " + ", ".join(wanted))
    for path, template in campaign.templates()[len(campaign.steps) :]:
        if not _STOP_WORD.search(template.source):
            yield doc.error(
                path, "a repeated text must say how to opt out (Reply STOP…): it goes on for months"
            )


def _show(offset: timedelta) -> str:
    if offset % timedelta(days=1) == timedelta():
        return f"{offset.days}d"
    return f"{offset / timedelta(hours=1):g}h"
