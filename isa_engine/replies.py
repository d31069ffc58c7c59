"""What the assistant says in a turn: drafts gathered into one text, guarded, and tracked.

A turn may want to say several things (answer an off-script question, then ask
the next one): they go out as one text, never as a second text repeating the
question. Every text, suggested or typed, passes the guard for the one speaking:
the assistant's persona and Fair Housing, or, for an agent on a conversation the
agent took over, Fair Housing only. A text the core proposed or queued stays in
``unsent`` until the sender reports it left (``TextSent``): the cold timer counts
from then, and a reply still owed keeps the lead from going cold.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from isa_engine.errors import ContactDead, NotAllowed, PersonaRefused
from isa_engine.model import (
    AlertAgent,
    DropTexts,
    SendText,
    Speaker,
    Status,
    SuggestText,
    Unsent,
)
from isa_engine.persona import check as persona_check
from isa_engine.policy import fair_housing

if TYPE_CHECKING:
    from isa_engine.conversation import Conversation

OPENING_KEY = "opening"
"""The key of the first text to a new lead (and the step it waits on)."""
DEAD_TEXT = (
    "the contact is dead (opted out, has an agent or wrong number): "
    "nobody may text them through the system"
)

HELP_TEXT = "This is an automated assistant texting about your home inquiry. Reply STOP to opt out."
"""HELP's answer for a script without a help reply (validation requires one with a contact)."""


RULES_FOR: dict[Speaker, str] = {
    Speaker.ASSISTANT: "in the assistant's name: the persona guard and Fair Housing apply",
    Speaker.AGENT: "in the agent's own name (licensed): Fair Housing applies, the persona guard "
    "does not",
}
"""Which content rules bind a text, by who speaks (opt-out, quiet hours and caps bind all)."""


def guard(text: str, conv: Conversation, speaker: Speaker = Speaker.ASSISTANT) -> tuple[str, ...]:
    """Why ``text`` may not go in ``speaker``'s name on ``conv`` (empty: it may)."""
    return guard_for(text, conv.agent, conv.agent_last, speaker)


def guard_for(
    text: str, agent_first: str, agent_last: str | None, speaker: Speaker = Speaker.ASSISTANT
) -> tuple[str, ...]:
    """Why ``text`` may not go in ``speaker``'s name for this agent (empty: it may).

    The persona guard binds the assistant only; Fair Housing binds everyone.
    """
    reasons: list[str] = []
    if speaker is Speaker.ASSISTANT:
        reasons += persona_check(text, agent_first, agent_last).reasons
    reasons += fair_housing.lint(text)
    return tuple(reasons)


def approve_text(
    conv: Conversation,
    text: str,
    asks: str | None,
    sid: str | None,
    by: str,
    *,
    speaker: Speaker = Speaker.ASSISTANT,
) -> SendText:
    """A text a person approved or typed, if it may go: never to the dead, always past the guard."""
    if conv.status is Status.DEAD:
        raise ContactDead(DEAD_TEXT)
    if not text.strip():
        raise NotAllowed("the reply is empty: write the text to send")
    if speaker is Speaker.AGENT and conv.status is not Status.AGENT:
        raise NotAllowed("an agent texts in their own name only on a conversation they took over")
    reasons = guard(text, conv, speaker)
    if reasons:
        raise PersonaRefused(text, reasons)
    return SendText(text=text, asks=asks, suggestion_id=sid, by=by, key=sid or _key(conv))


def queue(conv: Conversation, send: SendText) -> None:
    """Queue ``send``: it is ours to deliver until the sender says it left."""
    conv.effects.append(send)
    conv.unsent[send.key] = Unsent(send.text, send.asks)


def auto_text(conv: Conversation, text: str) -> None:
    """A fixed text the engine sends without a person (opt-out confirmation, re-subscribed)."""
    queue(conv, SendText(text, None, None, "auto", key=_key(conv)))


def help_text(conv: Conversation, text: str) -> None:
    """The answer to HELP: sent at once by the engine, never a suggestion (COMPLIANCE.md #8)."""
    queue(conv, SendText(text, None, None, "auto", key=_key(conv), help=True))


def propose(conv: Conversation, text: str, asks: str | None, why: str, step: str | None) -> None:
    """Add ``text`` to this turn's draft; ``finish`` makes the turn's drafts one suggestion."""
    conv.effects.append(SuggestText("", text, asks, why, step))
    if asks is not None:
        conv.asked[asks] = conv.asked.get(asks, 0) + 1
        conv.awaiting = asks


def needs_reply(conv: Conversation, asks: str | None, why: str) -> None:
    """An empty suggestion: the queue asks a person to write the reply the lead is owed
    (asking for what the rejected text asked only while the lead has not answered it)."""
    conv.seq += 1
    key = f"s{conv.seq}"
    still = asks if asks is not None and asks not in conv.slots else None
    conv.effects.append(SuggestText(key, "", still, why, asks))
    conv.unsent[key] = Unsent("", None)


def withdraw(
    conv: Conversation, why: str, *, opening_too: bool = False, keep: Collection[str] = ()
) -> None:
    """Withdraw the engine's suggestions and texts not yet sent (typed ones stay queued, and
    those in ``keep``, already with the provider, will arrive).

    The opening stays unless ``opening_too``: it introduces the assistant and says how
    to opt out, so a lead who texts before it left still gets it first. What a
    withdrawn text asked was never asked: the count that limits re-asking goes back.
    """
    prefixes = ("s", OPENING_KEY) if opening_too else ("s",)
    keys = tuple(k for k in conv.unsent if k.startswith(prefixes) and k not in keep)
    for key in keys:
        asks = conv.unsent.pop(key).asks
        if asks is not None and conv.asked.get(asks, 0) > 0:
            conv.asked[asks] -= 1
    if keys:
        conv.effects.append(DropTexts(keys, why))


def sent(conv: Conversation, key: str | None) -> None:
    """The text ``key`` left: it is no longer owed, and it is the last the lead got."""
    done = conv.unsent.pop(key, None) if key is not None else None
    if done is not None:
        conv.last_sent = done.text


def finish(conv: Conversation, name: str | None = None) -> None:
    """Make this turn's drafts one suggestion: one text, the question last, never a repeat.

    ``name`` keys it (``OPENING_KEY`` for the first text), else ``s<n>``.
    """
    drafts = [e for e in conv.effects if isinstance(e, SuggestText) and not e.id]
    if not drafts:
        return
    rest = [e for e in conv.effects if not (isinstance(e, SuggestText) and not e.id)]
    text = " ".join(d.text for d in drafts)
    asks = next((d.asks for d in reversed(drafts) if d.asks), None)
    step = next((d.step for d in reversed(drafts) if d.step), None)
    why = "; ".join(dict.fromkeys(d.why for d in drafts))
    if text == conv.last_sent or any(u.text == text for u in conv.unsent.values()):
        conv.effects = rest  # the lead has this text already, word for word
        if asks is not None:
            conv.asked[asks] -= 1
        return
    reasons = guard(text, conv)  # each part passed; the whole is checked as it will go
    if reasons:
        conv.effects = [*rest, AlertAgent("a scripted text failed the guard", "; ".join(reasons))]
        return
    if name is None:
        conv.seq += 1
    key = name or f"s{conv.seq}"
    conv.effects = [*rest, SuggestText(key, text, asks, why, step)]
    conv.unsent[key] = Unsent(text, asks)


def _key(conv: Conversation) -> str:
    conv.seq += 1
    return f"t{conv.seq}"
