"""Where a recipient may be: zones and states from the phone, the ZIP and the property."""

from __future__ import annotations

import pytest

from isa_engine.policy.recipient import US_ZONES, Recipient, locate
from isa_engine.policy.rules import known_states


def zones(recipient: Recipient) -> set[str]:
    return {z.key for z in recipient.zones}


def test_the_phone_gives_its_area_codes_zone_and_state() -> None:
    austin = locate("+15125550101")
    assert zones(austin) == {"America/Chicago"} and austin.states == {"TX"}


def test_a_seattle_number_with_a_new_york_zip_may_be_in_either_place() -> None:
    lead = locate("+12065550100", "10001")
    assert zones(lead) == {"America/Los_Angeles", "America/New_York"}
    assert lead.states == {"WA", "NY"}


def test_the_property_state_adds_every_zone_of_that_state() -> None:
    lead = locate("+12125550100", None, "FL")
    assert zones(lead) == {"America/New_York", "America/Chicago"}
    assert lead.states == {"NY", "FL"}


def test_a_state_may_be_given_by_name() -> None:
    assert locate(None, None, "Texas").states == {"TX"}


@pytest.mark.parametrize(
    ("phone", "zone", "state"),
    [
        ("+16025550100", "America/Phoenix", "AZ"),
        ("+18085550100", "Pacific/Honolulu", "HI"),
        ("+12025550100", "America/New_York", "DC"),
        ("+13605550100", "America/Los_Angeles", "WA"),
    ],
)
def test_numbers_across_the_country(phone: str, zone: str, state: str) -> None:
    lead = locate(phone)
    assert zone in zones(lead) and lead.states == {state}


def test_an_alaska_number_spans_two_zones() -> None:
    assert zones(locate("+19075550100")) == {"America/Anchorage", "America/Adak"}


def test_a_zip_alone_is_enough() -> None:
    lead = locate(None, "99501")  # Anchorage
    assert zones(lead) == {"America/Anchorage"} and lead.states == {"AK"}


@pytest.mark.parametrize("zip_code", ["abc", "00000", "1234", ""])
def test_a_zip_that_says_nothing_is_skipped(zip_code: str) -> None:
    assert locate("+15125550101", zip_code) == locate("+15125550101")


def test_with_nothing_known_the_recipient_may_be_anywhere_in_the_us() -> None:
    lead = locate("+18005550100")  # toll-free: every zone
    assert zones(lead) == set(US_ZONES)
    assert lead.states == known_states()


def test_a_recipient_needs_a_zone() -> None:
    with pytest.raises(ValueError, match="at least one candidate zone"):
        Recipient((), frozenset())
