"""Fifty texts from one lead at once are handled one after the other (invariant 7)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from adapters.storage.orm import ConversationRow, Message, Suggestion
from adapters.storage.vocab import Direction, Role
from tests.service.conftest import Service

ANA = "+15125550142"
TEXTS = 50


def test_fifty_texts_at_once_are_handled_one_after_the_other(service: Service) -> None:
    agent, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    contact = service.lead(ANA, "Ana", agent)
    posts = [(service.next_sid(), f"{n % 5 + 1} bedrooms") for n in range(TEXTS)]
    start = threading.Barrier(TEXTS)

    def post(sid: str, body: str) -> int:
        start.wait()
        return int(service.inbound(ANA, body, sid=sid).status_code)

    with ThreadPoolExecutor(TEXTS) as pool:
        codes = list(pool.map(lambda p: post(*p), posts))
    assert codes == [200] * TEXTS
    with service.container.uow(read_only=True) as uow:
        conv = uow.session.scalar(
            select(ConversationRow).where(ConversationRow.contact_id == contact)
        )
        assert conv is not None
        inbound = uow.session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.direction == Direction.IN, Message.conversation_id == conv.id)
        )
        suggestions = uow.session.scalars(
            select(Suggestion.key).where(Suggestion.conversation_id == conv.id)
        ).all()
    assert conv.turn == TEXTS and inbound == TEXTS
    # no turn was lost or ran on a stale copy: every suggestion numbered once, in sequence
    replies = [key for key in suggestions if key != "opening"]
    assert sorted(replies) == sorted(f"s{i}" for i in range(1, conv.seq + 1))
    # the slot holds the value of the text its provenance names, from a turn that ran
    source = conv.sources["beds"]
    said = re.match(r"(\d) bedrooms", source["text"])
    assert said is not None and conv.slots["beds"] == int(said.group(1))
    assert 1 <= source["turn"] <= TEXTS
