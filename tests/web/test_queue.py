"""An ISA works the queue in a browser while a simulated lead texts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from adapters.storage.vocab import Role
from tests.web.conftest import EVENING, Console, Tab

ANA = "+15125550142"


def test_an_isa_approves_edits_and_rejects_while_a_lead_texts(
    console: Console, tab_factory: Any
) -> None:
    agent = console.user("maria@example.com", Role.AGENT, "Maria Lopez")
    console.user("ivy@example.com", Role.ISA, "Ivy Chen")
    console.lead(ANA, "Ana", agent)
    isa: Tab = tab_factory()
    isa.sign_in("ivy@example.com")
    page = isa.page
    expect(page).to_have_url(re.compile(r"/console/queue"))
    expect(page.locator("#queue-summary")).to_contain_text("1 waiting")
    detail = page.locator(".q-detail:not([hidden])")
    expect(detail).to_contain_text("Hi Ana! This is Maria's assistant")
    expect(detail).to_contain_text("passes the persona guard")
    page.keyboard.press("a")
    expect(page.locator(".flash")).to_have_text("Approved.")
    expect(page.locator("#queue-summary")).to_contain_text("Nothing waiting")

    phone: Tab = tab_factory(390, 844)
    phone.go(f"/console/phone/{ANA}")
    expect(phone.page.locator("#phone-thread")).to_contain_text("Hi Ana!")
    phone.page.get_by_label("Text message").fill("yes")
    phone.page.get_by_role("button", name="Send").click()
    expect(phone.page.locator("#phone-thread")).to_contain_text("a reply is waiting for an ISA")

    # no reload: the queue hears of the text through server-sent events
    expect(detail).to_contain_text("How many bedrooms", timeout=8_000)
    expect(detail).to_contain_text("yes")
    page.keyboard.press("e")
    box = detail.get_by_label("Your wording")
    expect(box).to_be_focused()
    box.fill("Wonderful! How many bedrooms would you like, Ana?")
    box.press("Control+Enter")
    expect(page.locator(".flash")).to_have_text("Edited and sent.")
    expect(phone.page.locator("#phone-thread")).to_contain_text(
        "How many bedrooms would you like, Ana?", timeout=8_000
    )

    phone.page.get_by_label("Text message").fill("3 bedrooms 2 baths")
    phone.page.get_by_role("button", name="Send").click()
    expect(detail).to_contain_text("Which areas", timeout=8_000)
    expect(page.locator("#queue-summary")).to_contain_text("1 waiting")
    isa.shot("queue")
    page.keyboard.press("r")
    reason = detail.get_by_label("Why not (optional)")
    expect(reason).to_be_focused()
    reason.fill("too pushy")
    reason.press("Enter")
    expect(page.locator(".flash")).to_have_text(
        "Rejected. The lead still needs a reply: write one."
    )
    owed = page.locator(".q-detail:not([hidden])")
    expect(owed).to_contain_text("Needs a reply: write one")
    expect(owed.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    page.keyboard.press("e")
    written = owed.get_by_label("Your wording")
    expect(written).to_be_focused()
    written.fill("Lovely. Any part of town you like best?")
    written.press("Control+Enter")
    expect(page.locator("#queue-summary")).to_contain_text("Nothing waiting")
    expect(phone.page.locator("#phone-thread")).to_contain_text(
        "Any part of town you like best?", timeout=8_000
    )
    phone.shot("phone")


@pytest.mark.parametrize("clock_start", [EVENING])
def test_approving_at_night_for_the_lead_says_until_when_the_text_is_held(
    console: Console, tab_factory: Any
) -> None:
    agent = console.user("maria@example.com", Role.AGENT, "Maria Lopez")
    console.user("ivy@example.com", Role.ISA, "Ivy Chen")
    console.lead(ANA, "Ana", agent)
    isa: Tab = tab_factory()
    isa.sign_in("ivy@example.com")
    isa.page.keyboard.press("a")
    expect(isa.page.locator(".flash")).to_contain_text(
        "Approved, held until 09:00 tomorrow (federal and Texas quiet hours: it is 21:3"
    )
    phone: Tab = tab_factory(390, 844)
    phone.go(f"/console/phone/{ANA}")
    expect(phone.page.locator("#phone-held")).to_contain_text("Not sent yet, held until 09:00")
    expect(phone.page.locator("#phone-thread ol")).not_to_contain_text("Hi Ana!")
