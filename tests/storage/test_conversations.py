"""Conversations: saved and loaded exactly, pinned to their script, one turn at a time."""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from adapters.storage.orm import ConversationRow
from isa_engine.conversation import Conversation
from tests.storage.conftest import UowFactory
from tests.storage.strategies import conversations, in_utc

NOW = datetime(2037, 11, 23, 15, 0, tzinfo=UTC)  # years from the real date: a leak shows

_phones = itertools.count(2125550000)


def _new_contact(uow: UowFactory) -> int:
    with uow() as u:
        contact, _ = u.contacts.get_or_create(f"+1{next(_phones)}", at=NOW, first_name="Ann")
        u.commit()
        return contact.id


def _round_trip(uow: UowFactory, conversation: Conversation) -> Conversation:
    contact_id = _new_contact(uow)
    with uow() as u:
        u.conversations.save(at=NOW, conversation=conversation, contact_id=contact_id)
        u.commit()
    with uow() as u:
        row = u.conversations.get_for_update(contact_id)
        assert row is not None
        return u.conversations.load(row)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(conversation=conversations)
def test_a_conversation_loads_back_exactly_as_saved(
    uow: UowFactory, conversation: Conversation
) -> None:
    loaded = _round_trip(uow, conversation)
    expected = dataclasses.replace(
        conversation,
        last_inbound_at=in_utc(conversation.last_inbound_at),
        last_outbound_at=in_utc(conversation.last_outbound_at),
    )
    assert loaded == expected
    # == lets True equal 1 and a list equal nothing tuple-like: check the types too
    assert {k: type(v) for k, v in loaded.slots.items()} == {
        k: type(v) for k, v in conversation.slots.items()
    }
    assert all(
        type(o) is type(e) for o, e in zip(loaded.outcomes, conversation.outcomes, strict=True)
    )


def test_loaded_datetimes_are_aware_and_in_utc(uow: UowFactory) -> None:
    at = datetime(2037, 3, 8, 1, 59, tzinfo=UTC)
    loaded = _round_trip(uow, Conversation("buyer@1", "Ann", "Bob", last_inbound_at=at))
    assert loaded.last_inbound_at == at
    assert loaded.last_inbound_at is not None and loaded.last_inbound_at.tzinfo is UTC


def test_a_naive_datetime_is_refused(uow: UowFactory) -> None:
    naive = datetime(2037, 1, 1, 12, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(Exception, match="naive datetime"):
        _round_trip(uow, Conversation("buyer@1", "Ann", "Bob", last_inbound_at=naive))


def test_saving_onto_another_script_version_is_refused(uow: UowFactory) -> None:
    contact_id = _new_contact(uow)
    with uow() as u:
        u.conversations.save(
            at=NOW, conversation=Conversation("buyer@3", "Ann", "Bob"), contact_id=contact_id
        )
        u.commit()
    with uow() as u, pytest.raises(ValueError, match="is on buyer@3"):
        u.conversations.save(
            at=NOW, conversation=Conversation("buyer@4", "Ann", "Bob"), contact_id=contact_id
        )


def test_a_recorded_language_switch_re_pins_the_row_and_nothing_else_does(
    uow: UowFactory,
) -> None:
    contact_id = _new_contact(uow)
    with uow() as u:
        u.conversations.save(
            at=NOW, conversation=Conversation("buyer@1", "Ann", "Bob"), contact_id=contact_id
        )
        u.commit()
    switched = Conversation("buyer-es@1", "Ann", "Bob", language="es", switched_from="buyer@1")
    with uow() as u:
        row = u.conversations.save(at=NOW, conversation=switched, contact_id=contact_id)
        assert (row.script_name, row.script_version, row.language) == ("buyer-es", 1, "es")
        u.commit()
    with uow() as u:
        row = u.conversations.get_for_update(contact_id)
        assert row is not None and u.conversations.load(row) == switched
    # a switch recorded from another version is no licence to re-pin
    elsewhere = Conversation("seller@1", "Ann", "Bob", switched_from="buyer@1")
    with uow() as u, pytest.raises(ValueError, match="is on buyer-es@1"):
        u.conversations.save(at=NOW, conversation=elsewhere, contact_id=contact_id)


def test_each_save_bumps_the_version_counter(uow: UowFactory) -> None:
    contact_id = _new_contact(uow)
    for _ in range(3):
        with uow() as u:
            row = u.conversations.get_for_update(contact_id)
            conv = u.conversations.load(row) if row else Conversation("buyer@1", "Ann", "Bob")
            conv.turn += 1
            u.conversations.save(at=NOW, conversation=conv, contact_id=contact_id)
            u.commit()
    with uow() as u:
        row = u.conversations.get_for_update(contact_id)
        assert row is not None and (row.turn, row.version) == (3, 3)


def test_nothing_is_written_without_commit(uow: UowFactory) -> None:
    contact_id = _new_contact(uow)
    with uow() as u:
        u.conversations.save(
            at=NOW, conversation=Conversation("buyer@1", "Ann", "Bob"), contact_id=contact_id
        )
    with uow() as u:
        assert u.conversations.get_for_update(contact_id) is None


def test_twenty_concurrent_turns_on_one_contact_run_one_after_the_other(
    uow: UowFactory,
) -> None:
    contact_id = _new_contact(uow)
    with uow() as u:
        conv_id = u.conversations.save(
            at=NOW, conversation=Conversation("buyer@1", "Ann", "Bob"), contact_id=contact_id
        ).id
        u.commit()
    threads_n = 20
    start = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def one_turn(i: int) -> None:
        try:
            start.wait()
            with uow() as u:
                # the webhook's order: store the text first, then take the turn's lock
                u.messages.add_inbound(
                    at=NOW,
                    sid=f"SM{i}",
                    contact_id=contact_id,
                    body=str(i),
                    conversation_id=conv_id,
                )
                row = u.conversations.get_for_update(contact_id)
                assert row is not None
                conv = u.conversations.load(row)
                time.sleep(0.005)  # widen the read-modify-write window a lost update needs
                conv.turn += 1
                conv.slots[f"s{i}"] = i
                u.conversations.save(at=NOW, conversation=conv, contact_id=contact_id)
                u.commit()
        except BaseException as exc:  # handed to the main thread, which fails the test
            errors.append(exc)

    threads = [threading.Thread(target=one_turn, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with uow() as u:
        row = u.conversations.get_for_update(contact_id)
        assert row is not None
        final = u.conversations.load(row)
    assert final.turn == threads_n
    assert final.slots == {f"s{i}": i for i in range(threads_n)}
    assert isinstance(row, ConversationRow) and row.version == threads_n + 1
