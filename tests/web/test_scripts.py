"""An author drafts a new script version, sees a located error, fixes it, tries it in the chat,
saves, publishes, and sees its steps drawn."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from adapters.storage.vocab import Role
from tests.web.conftest import PHONE, Console, Tab


def test_an_author_fixes_a_located_error_and_publishes(console: Console, tab_factory: Any) -> None:
    console.user("ada@example.com", Role.AUTHOR, "Ada Park")
    tab: Tab = tab_factory()
    tab.sign_in("ada@example.com")
    page = tab.page
    expect(page.get_by_role("heading", name="Scripts")).to_be_visible()
    page.get_by_role("link", name="New version of buyer", exact=True).click()
    box = page.get_by_label("The script's YAML")
    draft = box.input_value()
    assert "version: 2" in draft
    lines = draft.splitlines()
    broken_at = next(n for n, line in enumerate(lines, 1) if "slot: baths" in line)
    box.fill(draft.replace("slot: baths", "slot: bathz"))
    page.get_by_role("button", name="Check").click()
    errors = page.locator("#script-errors")
    expect(errors).to_contain_text(f"line {broken_at}")
    expect(errors).to_contain_text("bathz")
    expect(page.locator(f"#line-{broken_at}")).to_have_class("has-error")
    expect(page.locator(f"#line-{broken_at} .line-error")).to_be_visible()
    errors.get_by_role("link", name=f"line {broken_at}").first.click()
    expect(box).to_be_focused()
    tab.shot("script-editor")
    say = page.get_by_label("What the lead texts")
    say.fill("yes")
    page.get_by_role("button", name="Send as the lead").click()
    tab.settled()
    expect(page.locator("#try-errors")).to_contain_text(f"line {broken_at}")

    fixed = draft.replace("And how many bathrooms?", "And how many bathrooms do you need?")
    box.fill(fixed)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("status")).to_contain_text("No problems")

    # try the draft as the lead: nothing saved, the next question and the slots shown
    say = page.get_by_label("What the lead texts")
    say.fill("yes, 3 beds 2 baths in hutto")
    page.get_by_role("button", name="Send as the lead").click()
    tab.settled()
    thread = page.locator("#try-thread")
    expect(thread).to_contain_text("This is Dana's assistant")
    expect(thread).to_contain_text("What price range are you hoping to stay under?")
    expect(page.locator("#try-slots")).to_contain_text("beds: 3")
    expect(page.locator("#try-slots")).to_contain_text("location: Hutto")
    expect(page.locator("#try-status")).to_contain_text("waiting on price_max")
    expect(say).to_be_focused()
    page.get_by_role("button", name="Wait 20 min").click()
    tab.settled()
    expect(thread).to_contain_text("20 minutes pass")
    expect(page.locator("#try-slots")).to_contain_text("beds: 3")  # the transcript is kept
    page.locator("#try").scroll_into_view_if_needed()
    tab.shot("script-try")
    assert not (console.container.scripts.root / "buyer" / "v2.yaml").exists()

    page.get_by_role("button", name="Save as buyer@2").click()
    expect(page.get_by_role("status")).to_contain_text("Saved as buyer@2")
    expect(page.locator("#draft")).to_have_text("draft")  # saved is not live
    expect(page.locator("#draft-note")).to_contain_text("New conversations start on buyer@1")
    page.get_by_role("link", name="All scripts").click()
    expect(page.get_by_role("row", name="buyer@1 live")).to_be_visible()
    expect(page.get_by_role("row", name="buyer@2 draft")).to_be_visible()
    page.get_by_role("link", name="buyer@2", exact=True).click()
    page.get_by_role("button", name="Publish buyer@2").click()
    expect(page.get_by_role("status")).to_contain_text("Published: new conversations start on")
    expect(page.locator("#published")).to_be_visible()
    steps = sum(line.startswith("  - slot:") for line in fixed.splitlines())
    expect(page.locator("#diagram g.step")).to_have_count(steps)
    expect(page.locator("#diagram g.box")).to_have_count(steps + 2)  # the opening, the closing
    expect(page.locator('#diagram g[data-slot="beds"]')).to_contain_text("required")
    page.set_viewport_size(PHONE)
    page.locator("#diagram").scroll_into_view_if_needed()
    tab.shot("script-diagram")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.get_by_role("link", name="diff with v1").click()
    expect(page.locator("#diff-summary")).to_contain_text("bathrooms do you need?")
    expect(page.locator("table.diff")).to_contain_text("And how many bathrooms?")
    tab.shot("script-diff")
    page.get_by_role("link", name="All scripts").click()
    expect(page.get_by_role("row", name="buyer@2 live")).to_be_visible()
    tab.shot("scripts")
