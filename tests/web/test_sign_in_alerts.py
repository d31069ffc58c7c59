"""Signing in shows what waits (seed 002's alerts): an agent with offers lands on the
Unaccepted leads with "2 leads waiting for you"; a coordinator on the Unassigned leads.
On a phone and on a desktop alike."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from adapters.storage.orm import Inquiry, User
from adapters.storage.vocab import Role
from api.services import assignments
from tests.web.conftest import Console, Tab

SIZES = [pytest.param((390, 844), id="phone"), pytest.param((1366, 860), id="desktop")]
FITS = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


def _leads(console: Console, names: tuple[str, ...]) -> list[int]:
    """Leads nobody owns yet, each with one inquiry."""
    c = console.container
    ids = []
    with c.uow() as uow:
        for n, name in enumerate(names):
            phone = f"+1512555030{n}"
            contact, _ = uow.contacts.get_or_create(phone, at=c.clock(), first_name=name)
            uow.session.add(
                Inquiry(
                    contact_id=contact.id,
                    source="Zillow",
                    inquiry_type="Schedule Showing",
                    property_address="12 Elm St",
                    received_at=c.clock(),
                )
            )
            ids.append(contact.id)
        uow.commit()
    return ids


def _offer(console: Console, contact_ids: list[int], agent: int, coordinator: int) -> None:
    c = console.container
    for contact_id in contact_ids:
        with c.uow() as uow:
            who = uow.session.get(User, coordinator)
            assert who is not None
            assignments.assign(c, uow, contact_id, agent, who)


@pytest.mark.parametrize("size", SIZES)
def test_an_agent_with_offers_signs_in_to_the_leads_waiting_for_them(
    console: Console, tab_factory: Any, size: tuple[int, int]
) -> None:
    maria = console.user("maria@example.com", Role.AGENT, "Maria Lopez")
    console.user("omar@example.com", Role.AGENT, "Omar Diaz")
    cody = console.user("cody@example.com", Role.COORDINATOR, "Cody Reyes")
    carla, dev, _ = _leads(console, ("Carla", "Dev", "Eve"))
    _offer(console, [carla, dev], maria, cody)

    tab: Tab = tab_factory(*size)
    tab.sign_in("maria@example.com")
    page = tab.page
    expect(page).to_have_url(re.compile(r"/console/leads/unaccepted$"))
    expect(page.get_by_role("heading", name="Unaccepted leads")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("2 leads waiting for you")
    expect(page.get_by_role("link", name="Carla")).to_be_visible()
    expect(page.get_by_role("link", name="Dev")).to_be_visible()
    expect(page.get_by_role("link", name="Eve")).to_have_count(0)  # not offered to her
    assert page.evaluate(FITS)
    tab.shot(f"unaccepted-{size[0]}")

    page.get_by_role("link", name="Carla").click()
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".flash")).to_have_text("Accepted: the lead is yours.")
    page.get_by_role("link", name="Offers").click()
    expect(page.get_by_role("alert")).to_contain_text("1 lead waiting for you")
    page.get_by_role("link", name="Not now: all my leads").click()
    expect(page).to_have_url(re.compile(r"/console/leads$"))

    other: Tab = tab_factory(*size)  # nothing waits for Omar: he lands on his leads
    other.sign_in("omar@example.com")
    expect(other.page).to_have_url(re.compile(r"/console/leads$"))
    expect(other.page.get_by_role("heading", name="Leads", exact=True)).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_a_coordinator_signs_in_to_the_leads_ready_to_assign(
    console: Console, tab_factory: Any, size: tuple[int, int]
) -> None:
    maria = console.user("maria@example.com", Role.AGENT, "Maria Lopez")
    cody = console.user("cody@example.com", Role.COORDINATOR, "Cody Reyes")
    carla, _, _ = _leads(console, ("Carla", "Dev", "Eve"))
    _offer(console, [carla], maria, cody)  # offered already: not on the list

    tab: Tab = tab_factory(*size)
    tab.sign_in("cody@example.com")
    page = tab.page
    expect(page).to_have_url(re.compile(r"/console/leads/unassigned$"))
    expect(page.get_by_role("heading", name="Unassigned leads")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("2 leads ready to assign")
    expect(page.get_by_role("link", name="Carla")).to_have_count(0)
    assert page.evaluate(FITS)
    tab.shot(f"unassigned-{size[0]}")

    page.get_by_label("Select Dev").check()
    page.get_by_label("Assign to").select_option(label="Maria Lopez")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".flash")).to_contain_text("offered to the agent")
    page.get_by_role("link", name="To assign").click()
    expect(page.get_by_role("alert")).to_contain_text("1 lead ready to assign")
    expect(page.get_by_role("link", name="Eve")).to_be_visible()
