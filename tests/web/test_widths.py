"""Every console page at a phone's width (390 px) and at a laptop's (1366 px), as the roles
that open it: nothing wider than the window (no sideways scrolling), and the conversation's
"What we know" table inside its card."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from adapters.storage.orm import Contact, ConversationRow, Inquiry, User
from adapters.storage.vocab import Role
from api.services import assignments
from tests.web.conftest import Console, Tab

BEN = "+15125550177"
WIDTHS = (390, 1366)
# what a conversation learned, as the engine stores it (raw values people should never see)
SLOTS = {
    "lead_type": "buy",
    "beds": 3,
    "baths": 2.0,
    "location": ["Round Rock", "Pflugerville", "Hutto"],
    "price_max": 450000,
    "preapproval": "in_progress",
    "timeframe": "3-6",
    "appointment": "2037-11-27T10:00",
    "email": "benjamin.alexander.whitfield-long@example-brokerage-mail.com",
}
SAID = (
    "we want 3 beds and 2 full baths somewhere around round rock, pflugerville or hutto, "
    "budget tops out near 450k, moving in 3 to 6 months, friday at 10am works, "
    "benjamin.alexander.whitfield-long@example-brokerage-mail.com"
)


@dataclass
class Staff:
    """The people and leads every page is opened with."""

    ben: int  # Maria's lead, with a conversation that learned a lot
    offered: int  # offered to Maria, not yet accepted


def _staff(console: Console) -> Staff:
    c = console.container
    maria = console.user("maria@example.com", Role.AGENT, "Maria Lopez")
    console.user("ivy@example.com", Role.ISA, "Ivy Chen")
    cody = console.user("cody@example.com", Role.COORDINATOR, "Cody Reyes")
    console.user("ada@example.com", Role.AUTHOR, "Ada Brooks")
    ben = console.lead(BEN, "Ben", maria)
    with c.uow() as uow:
        row = uow.session.query(ConversationRow).filter_by(contact_id=ben).one()
        row.slots = dict(SLOTS)
        row.sources = {k: {"turn": 1, "text": SAID} for k in SLOTS}
        contact = uow.session.get(Contact, ben)
        assert contact is not None
        contact.email = SLOTS["email"]
        waiting = []
        for n, name in enumerate(("Carla", "Dev", "Eve")):
            lead, _ = uow.contacts.get_or_create(f"+1512555020{n}", at=c.clock(), first_name=name)
            uow.session.add(
                Inquiry(
                    contact_id=lead.id,
                    source="Realtor.com",
                    inquiry_type="Schedule Showing",
                    property_address="1234 Very Long Street Name Boulevard, Round Rock, TX 78664",
                    time_frame="3-6",
                    received_at=c.clock(),
                )
            )
            waiting.append(lead.id)
        uow.commit()
    with c.uow() as uow:
        coordinator = uow.session.get(User, cody)
        assert coordinator is not None
        assignments.assign(c, uow, waiting[0], maria, coordinator)
    return Staff(ben, waiting[0])


def _pages(staff: Staff) -> list[tuple[str | None, str]]:
    """(who signs in, path) for every page a person opens."""
    ben = f"/console/conversations/{staff.ben}"
    return [
        (None, "/console/sign-in"),
        (None, "/console/phone"),
        (None, f"/console/phone/{BEN}"),
        ("ivy@example.com", "/console/queue"),
        ("ivy@example.com", ben),
        ("maria@example.com", "/console/leads/unaccepted"),
        ("maria@example.com", "/console/leads"),
        ("maria@example.com", f"/console/leads/{staff.offered}"),
        ("maria@example.com", ben),
        ("maria@example.com", f"/console/leads/{staff.ben}"),
        ("cody@example.com", "/console/leads/unassigned"),
        ("cody@example.com", "/console/leads"),
        ("cody@example.com", "/console/leads/import"),
        ("cody@example.com", ben),
        ("cody@example.com", "/console/results"),
        ("ada@example.com", "/console/scripts"),
        ("ada@example.com", "/console/scripts/seller/2"),
        ("ada@example.com", "/console/scripts/seller/diff?a=1&b=2"),
        ("ada@example.com", "/console/scripts/buyer/new"),
    ]


WIDE = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
# the outermost elements that reach past the window's right edge, to say what to fix
CULPRITS = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
    && e.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5)
  .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
    + ' ' + Math.round(e.getBoundingClientRect().right) + ' px')"""
# how far the "What we know" table reaches past its card's inner right edge, in px
TABLE_OVERFLOW = """() => {
  const t = document.querySelector('table.slots');
  const card = t.closest('section');
  const pad = parseFloat(getComputedStyle(card).paddingRight);
  return t.getBoundingClientRect().right - (card.getBoundingClientRect().right - pad);
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_console_page_fits_the_window_without_scrolling_sideways(
    console: Console, tab_factory: Any, width: int
) -> None:
    staff = _staff(console)
    tabs: dict[str | None, Tab] = {}
    too_wide = []
    for who, path in _pages(staff):
        if who not in tabs:
            tabs[who] = tab_factory(width, 844)
            if who is not None:
                tabs[who].sign_in(who)
        tab = tabs[who]
        tab.go(path)
        expect(tab.page.locator("main")).to_be_visible()
        assert not re.match(r"\d{3} ", tab.page.title()), f"{path}: {tab.page.title()}"
        scroll, inner = tab.page.evaluate(WIDE)
        if scroll > inner:
            culprits = tab.page.evaluate(CULPRITS)
            too_wide.append(f"{path} as {who}: {scroll} px in a {inner} px window: {culprits}")
        if path == f"/console/leads/{staff.offered}":
            expect(tab.page.locator(".inquiries")).to_contain_text("time frame: 3–6 months")
        if path == "/console/leads":  # the filters fold away on a phone: the leads come first
            filters = tab.page.locator("details.filters")
            expect(filters).to_have_js_property("open", width > 720)
        if path.startswith("/console/conversations/"):
            known = tab.page.locator("table.slots")
            for said in ("2 baths", "3 beds", "3–6 months", "$450,000", "Fri Nov 27, 10:00 AM CST"):
                expect(known).to_contain_text(said)  # words, not the stored values
            expect(tab.page.locator("#lead-time")).to_have_text(re.compile(r"C[SD]T$"))
            overflow = tab.page.evaluate(TABLE_OVERFLOW)
            if overflow > 0.5:
                too_wide.append(f"{path} as {who}: 'What we know' {overflow:.0f} px past its card")
    assert too_wide == []
