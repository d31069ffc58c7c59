"""A contact's conversation locked for one transaction, and a turn run on it.

Every use case that changes a conversation starts here: ``lock`` takes the contact's row
lock (``get_for_update``) and loads the conversation and its script, ``run`` decides an
event on it and writes the effects. Kept apart from ``turns`` so the job handlers (drip,
reminders) lock a conversation without importing the use cases that enrol them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from adapters.storage.orm import Contact, ConversationRow
from adapters.storage.unit_of_work import SqlAlchemyUnitOfWork
from api.container import Container
from api.services import scripts as script_versions
from api.services.effects import Applied, TurnScope, apply_turn
from api.services.policy import ApprovalPolicy
from isa_engine.conversation import Conversation, decide
from isa_engine.errors import ContactDead
from isa_engine.events import Event
from isa_engine.model import Status
from isa_engine.replies import DEAD_TEXT
from isa_engine.script import Script


@dataclass
class Locked:
    """A contact's conversation, locked for this transaction and loaded."""

    contact: Contact
    row: ConversationRow
    conversation: Conversation
    script: Script
    translations: dict[str, Script] = field(default_factory=dict)  # by language


def policy_of(container: Container) -> ApprovalPolicy:
    """The approval policy from ``ISA_AUTO_APPROVE``, parsed once per container."""
    cached = container.extras.get("approval_policy")
    if isinstance(cached, ApprovalPolicy):
        return cached
    policy = ApprovalPolicy.parse(container.settings.auto_approve)
    container.extras["approval_policy"] = policy
    return policy


def lock(container: Container, uow: SqlAlchemyUnitOfWork, contact_id: int) -> Locked | None:
    """Lock and load the contact's conversation (None when it has none)."""
    row = uow.conversations.get_for_update(contact_id)
    contact = uow.session.scalar(  # read again under the lock: the dead flag may have changed
        select(Contact).where(Contact.id == contact_id).execution_options(populate_existing=True)
    )
    if contact is None:
        raise LookupError(f"no contact {contact_id}")
    if row is None:
        return None
    conv = uow.conversations.load(row)
    script = container.scripts.get(conv.script)
    return Locked(contact, row, conv, script, _translations(container, script, conv))


def _translations(container: Container, script: Script, conv: Conversation) -> dict[str, Script]:
    """The script's versions in other languages a lead may be moved to: the published one of
    each (or, switching back, the version the conversation left)."""
    if not script.translations:
        return {}
    store = script_versions.store(container)
    return store.translations(
        script,
        back_to=conv.switched_from,
        ref_of=lambda name: script_versions.published_ref(container, name),
    )


def run(locked: Locked, event: Event, scope: TurnScope) -> Applied:
    """Decide ``event`` on the locked conversation and write its effects (a lead who writes
    in another language the script has a version in is moved to it: see ``decide``)."""
    turn = decide(locked.script, locked.conversation, event, scope.now, locked.translations)
    return apply_turn(scope, turn)


def ensure_alive(locked: Locked) -> None:
    """Refuse any person's text to a dead contact (COMPLIANCE.md #6), whatever the path."""
    if locked.contact.dead or locked.conversation.status is Status.DEAD:
        raise ContactDead(DEAD_TEXT)
