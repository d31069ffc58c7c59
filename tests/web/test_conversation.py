"""An agent reads a conversation, takes it over, texts the lead, hands it back."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from adapters.storage.vocab import Role
from tests.web.conftest import EVENING, PHONE, Console, Tab

BEN = "+15125550177"


def _ready(console: Console) -> int:
    agent = console.user("maria@example.com", Role.AGENT, "Maria Lopez")
    console.user("ivy@example.com", Role.ISA, "Ivy Chen")
    return console.lead(BEN, "Ben", agent)


def test_an_agent_takes_over_texts_and_hands_back(console: Console, tab_factory: Any) -> None:
    contact = _ready(console)
    agent: Tab = tab_factory()
    agent.sign_in("maria@example.com")
    agent.go(f"/console/conversations/{contact}")
    page = agent.page
    expect(page.locator("#conv-status")).to_have_text("active")
    page.get_by_role("button", name="Take over").click()
    expect(page.locator(".flash")).to_have_text("You have the conversation.")
    expect(page.locator("#conv-status")).to_have_text("agent")
    agent.settled()

    box = page.get_by_label("Text Ben yourself")
    box.fill("It's a very family-friendly street, Ben")
    expect(page.locator("#verdict")).to_contain_text("Will be refused")
    expect(page.locator("#verdict")).to_contain_text("in the agent's own name (licensed)")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".error")).to_contain_text("This text may not go as written.")
    expect(page.locator(".error")).to_contain_text("family-friendly")
    agent.settled()

    box = page.get_by_label("Text Ben yourself")
    box.fill("Hi Ben, Maria here. When is a good time for a quick call?")
    expect(page.locator("#verdict")).to_contain_text("Passes.")  # she may say who she is
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".flash")).to_have_text("Sent.")
    expect(page.locator(".conv-thread")).to_contain_text("When is a good time for a quick call?")
    agent.settled()

    page.get_by_label("Add a note").fill("Prefers evenings")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".note")).to_contain_text("Prefers evenings")

    # the lead answers while the agent has it: the page shows it without a reload
    phone: Tab = tab_factory(*PHONE.values())
    phone.go(f"/console/phone/{BEN}")
    phone.page.get_by_label("Text message").fill("tonight at 7 works")
    phone.page.get_by_role("button", name="Send").click()
    expect(page.locator(".conv-thread")).to_contain_text("tonight at 7 works", timeout=8_000)
    agent.shot("conversation")

    page.get_by_role("button", name="Hand back").click()
    expect(page.locator(".flash")).to_have_text("Handed back.")
    expect(page.locator("#conv-status")).not_to_have_text("agent")
    page.get_by_role("button", name="Stop drip").click()
    expect(page.locator(".flash")).to_contain_text("Drip stopped")
    expect(page.locator(".history")).to_contain_text("conversation.takeover")


def test_an_isa_may_not_open_the_coordinators_and_an_agent_not_the_queue(
    console: Console, tab_factory: Any
) -> None:
    _ready(console)
    agent: Tab = tab_factory()
    agent.sign_in("maria@example.com")
    agent.go("/console/queue")
    expect(agent.page.get_by_role("heading", name="Not for your role")).to_be_visible()
    expect(agent.page.get_by_role("link", name="Queue")).to_have_count(0)
    agent.errors.clear()  # the browser logs the 403 it was just shown, as it should
    stranger: Tab = tab_factory()
    stranger.go("/console/queue")
    expect(stranger.page.get_by_role("heading", name="Sign in")).to_be_visible()
    stranger.page.get_by_label("E-mail").fill("ivy@example.com")
    stranger.page.get_by_label("Password").fill("wrong")
    stranger.page.get_by_role("button", name="Sign in").click()
    expect(stranger.page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")


@pytest.mark.parametrize("clock_start", [EVENING])
def test_the_composer_says_when_a_text_in_quiet_hours_will_go(
    console: Console, tab_factory: Any
) -> None:
    contact = _ready(console)
    agent: Tab = tab_factory()
    agent.sign_in("maria@example.com")
    agent.go(f"/console/conversations/{contact}")
    page = agent.page
    page.get_by_role("button", name="Take over").click()
    expect(page.locator("#conv-status")).to_have_text("agent")
    agent.settled()
    page.get_by_label("Text Ben yourself").fill("Hi Ben, when is a good time for a quick call?")
    notice = page.locator("#verdict .notice")
    expect(notice).to_contain_text("Will go Tue 09:00 in America/Chicago")
    expect(notice).to_contain_text("quiet hours")
    expect(page.locator("#verdict")).to_contain_text("Passes.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".flash")).to_contain_text("Queued. Will go Tue")
    expect(page.locator(".conv-thread")).to_contain_text("when is a good time for a quick call?")
    why = "held until 09:00 tomorrow (federal and Texas quiet hours: it is 21:3"
    expect(page.locator(".conv-thread")).to_contain_text(why)  # beside the queued text
    phone: Tab = tab_factory(*PHONE.values())
    phone.go(f"/console/phone/{BEN}")
    expect(phone.page.locator("#phone-held")).to_contain_text(f"Not sent yet, {why}")
    expect(phone.page.locator("#phone-held")).to_contain_text("when is a good time")


def test_the_conversation_shows_a_switch_to_spanish_in_its_thread_and_header(
    console: Console, tab_factory: Any
) -> None:
    contact = _ready(console)
    phone: Tab = tab_factory(*PHONE.values())
    phone.go(f"/console/phone/{BEN}")
    phone.page.get_by_label("Text message").fill("hola, sí seguimos buscando casa")
    phone.page.get_by_role("button", name="Send").click()
    agent: Tab = tab_factory()
    agent.sign_in("maria@example.com")
    agent.go(f"/console/conversations/{contact}")
    page = agent.page
    expect(page.locator("#conv-language")).to_have_text("Spanish", timeout=8_000)
    expect(page.locator(".page-head")).to_contain_text("buyer-es@1")
    expect(page.locator(".conv-thread .thread-event")).to_contain_text(
        "the lead wrote in Spanish: buyer@1 → buyer-es@1"
    )
    expect(page.locator(".history")).to_contain_text("conversation.language")
