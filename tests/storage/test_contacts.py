"""Contacts: one per E.164 phone, whatever the format it arrives in."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from adapters.storage.orm import Contact
from adapters.storage.repositories import to_e164
from tests.storage.conftest import UowFactory

NOW = datetime(2037, 11, 23, 15, 0, tzinfo=UTC)  # years from the real date: a leak shows


def _count(uow: UowFactory) -> int:
    with uow() as u:
        return int(u.session.scalar(select(func.count()).select_from(Contact)) or 0)


def test_one_phone_in_three_formats_is_one_contact(uow: UowFactory) -> None:
    with uow() as u:
        first, created = u.contacts.get_or_create("(212) 555-0142", at=NOW, first_name="Ann")
        same, created_again = u.contacts.get_or_create(
            "+1 212 555 0142", at=NOW, first_name="Other"
        )
        also, _ = u.contacts.get_or_create("2125550142", at=NOW)
        u.commit()
    assert (created, created_again) == (True, False)
    assert first.id == same.id == also.id
    assert first.phone == "+12125550142" and same.first_name == "Ann"
    assert _count(uow) == 1


def test_the_database_refuses_a_second_row_with_the_same_phone(uow: UowFactory) -> None:
    with uow() as u:
        u.session.add(Contact(phone="+12125550142", created_at=NOW))
        u.commit()
    with uow() as u, pytest.raises(IntegrityError):
        u.session.add(Contact(phone="+12125550142", created_at=NOW))
        u.session.flush()


def test_concurrent_first_texts_from_one_phone_make_one_contact(uow: UowFactory) -> None:
    start = threading.Barrier(8)
    created: list[bool] = []

    def arrive() -> None:
        start.wait()
        with uow() as u:
            created.append(u.contacts.get_or_create("+12125550199", at=NOW)[1])
            u.commit()

    threads = [threading.Thread(target=arrive) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(created) == [False] * 7 + [True]
    assert _count(uow) == 1


@pytest.mark.parametrize("raw", ["12", "not a phone", "+1 212 555 01"])
def test_something_that_cannot_be_a_phone_number_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="phone number"):
        to_e164(raw)


def test_a_dead_contact_keeps_its_first_reason(uow: UowFactory) -> None:
    first = datetime(2037, 1, 1, tzinfo=UTC)
    with uow() as u:
        contact, _ = u.contacts.get_or_create("+12125550142", at=NOW)
        u.contacts.mark_dead(contact.id, "opt_out: STOP", first)
        u.contacts.mark_dead(contact.id, "wrong_number", datetime(2037, 2, 1, tzinfo=UTC))
        u.commit()
    with uow() as u:
        again = u.contacts.get_by_phone("+12125550142")
        assert again is not None
        assert (again.dead, again.dead_reason, again.dead_at) == (True, "opt_out: STOP", first)
