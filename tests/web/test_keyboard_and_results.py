"""Keyboard only: an ISA works the queue to an appointment; the results page then shows it.
At a phone's width the queue and the conversation still work."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from adapters.storage.vocab import Role
from tests.web.conftest import PHONE, Console, Tab

ANA, BEN = "+15125550142", "+15125550177"
LEAD_SAYS = ["yes", "3 bedrooms and 2 baths", "Austin", "under 450k", "preapproved", "no"]


def _people(console: Console) -> tuple[int, int]:
    agent = console.user("maria@example.com", Role.AGENT, "Maria Lopez")
    console.user("ivy@example.com", Role.ISA, "Ivy Chen")
    return console.lead(ANA, "Ana", agent), console.lead(BEN, "Ben", agent, source="Realtor.com")


def test_the_queue_works_from_the_keyboard_alone_to_an_appointment(
    console: Console, tab_factory: Any
) -> None:
    _people(console)
    tab: Tab = tab_factory()
    tab.sign_in("ivy@example.com")
    page = tab.page
    first, second = page.locator(".q-item").nth(0), page.locator(".q-item").nth(1)
    expect(first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("j")
    expect(second).to_have_attribute("aria-selected", "true")
    expect(second).to_be_focused()
    expect(page.locator(".q-detail:not([hidden]) h2")).to_have_text("Ben")
    page.keyboard.press("k")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(page.locator(".q-detail:not([hidden]) h2")).to_have_text("Ana")
    page.keyboard.press("a")
    expect(page.locator(".flash")).to_have_text("Approved.")
    expect(page.locator(".q-detail:not([hidden]) h2")).to_have_text("Ben")
    page.keyboard.press("a")
    expect(page.locator("#queue-summary")).to_contain_text("Nothing waiting")

    for said in [*LEAD_SAYS, "tomorrow at 3pm"]:
        answer = page.request.post(console.url + "/dev/sms", form={"from": ANA, "body": said})
        assert answer.ok
        detail = page.locator(".q-detail:not([hidden])")
        expect(detail).to_contain_text(said, timeout=8_000)  # arrived through the live stream
        tab.settled()
        page.keyboard.press("a")
        expect(page.locator("#queue-summary")).to_contain_text("Nothing waiting")
    thread = page.request.get(console.url + f"/dev/sms/{ANA}").json()
    assert thread["status"] == "appointment"

    page.keyboard.press("Tab")  # from the page to the skip link: the keyboard reaches the menu
    page.get_by_role("link", name="Results").focus()
    page.keyboard.press("Enter")
    for table, group, counts in (
        ("script", "buyer@1", ["2", "1", "1", "0"]),  # new, engaged, appointment, opt-outs
        ("source", "Website", ["1", "1", "1", "0"]),
        ("source", "Realtor.com", ["1", "0", "0", "0"]),
        ("agent", "Maria Lopez", ["2", "1", "1", "0"]),
    ):
        row = page.locator(f"#funnel-{table}").get_by_role("row", name=group)
        expect(row.locator("td")).to_have_text(counts)
    expect(page.locator("svg.chart").first).to_be_visible()
    # speed to first reply: from the inquiry to our first text that left, with its unit
    expect(page.locator("#first-reply")).to_have_text(re.compile(r"^\d+(\.\d)? (s|min|h)$"))
    expect(page.locator("#first-reply-by-script")).to_contain_text("buyer@1: ")
    tab.shot("results")


def test_the_queue_and_a_conversation_work_at_a_phones_width(
    console: Console, tab_factory: Any
) -> None:
    _people(console)
    tab: Tab = tab_factory(*PHONE.values())
    tab.sign_in("ivy@example.com")
    page = tab.page
    approve = page.locator(".q-detail:not([hidden])").get_by_role("button", name="Approve")
    expect(approve).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tab.shot("queue-phone")
    approve.click()
    expect(page.locator(".flash")).to_have_text("Approved.")

    page.get_by_role("link", name="open the conversation").click()  # Ben's, next in the queue
    expect(page.locator("#conv-status")).to_have_text("active")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Take over").click()
    expect(page.locator("#conv-status")).to_have_text("agent")
    tab.settled()
    page.get_by_label("Text Ben yourself").fill("Hi Ben, I'll pass this to Maria.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".conv-thread")).to_contain_text("I'll pass this to Maria.")
    tab.shot("conversation-phone")
