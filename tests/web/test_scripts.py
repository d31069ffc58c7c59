"""An author drafts a new script version, sees a located error, fixes it, saves, publishes."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from adapters.storage.vocab import Role
from tests.web.conftest import Console, Tab


def test_an_author_fixes_a_located_error_and_publishes(console: Console, tab_factory: Any) -> None:
    console.user("ada@example.com", Role.AUTHOR, "Ada Park")
    tab: Tab = tab_factory()
    tab.sign_in("ada@example.com")
    page = tab.page
    expect(page.get_by_role("heading", name="Scripts")).to_be_visible()
    page.get_by_role("link", name="New version of buyer").click()
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

    fixed = draft.replace("And how many bathrooms?", "And how many bathrooms do you need?")
    box.fill(fixed)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("status")).to_contain_text("No problems")
    page.get_by_role("button", name="Save as buyer@2").click()
    expect(page.get_by_role("status")).to_contain_text("Saved as buyer@2")
    page.get_by_role("button", name="Publish buyer@2").click()
    expect(page.get_by_role("status")).to_contain_text("Published: new conversations start on")
    expect(page.locator("#published")).to_be_visible()

    page.get_by_role("link", name="diff with v1").click()
    expect(page.locator("#diff-summary")).to_contain_text("bathrooms do you need?")
    expect(page.locator("table.diff")).to_contain_text("And how many bathrooms?")
    tab.shot("script-diff")
    page.get_by_role("link", name="All scripts").click()
    expect(page.get_by_role("row", name="buyer@2 published")).to_be_visible()
    tab.shot("scripts")
