"""A coordinator imports a CSV, sees the rejected rows, searches, and assigns leads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from adapters.storage.vocab import Role
from tests.web.conftest import Console, Tab

CSV = """first_name,last_name,phone,email,source,inquiry_type,priority
Carla,Diaz,(512) 555-0101,carla@example.com,Realtor.com,Schedule Showing,hot
Dev,Patel,512-555-0102,dev@example.com,Broker,Contact,warm
Nope,Nobody,12,nope@example.com,Broker,Contact,warm
Carla,Diaz,(512) 555-0101,carla@example.com,Website,Ask a Question,hot
Eve,Stone,512-555-0103,eve@example.com,Agent,Contact,lukewarm
"""


def test_a_coordinator_imports_a_csv_and_assigns_leads(
    console: Console, tab_factory: Any, tmp_path: Path
) -> None:
    console.user("maria@example.com", Role.AGENT, "Maria Lopez")
    console.user("cody@example.com", Role.COORDINATOR, "Cody Reyes")
    csv = tmp_path / "leads.csv"
    csv.write_text(CSV, encoding="utf-8")
    tab: Tab = tab_factory()
    tab.sign_in("cody@example.com")
    page = tab.page
    page.get_by_role("link", name="Import a CSV").click()
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Import").click()
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("Read 5 rows: 2 new, 1 merged")
    expect(summary).to_contain_text("2 rejected")
    rejected = page.locator("table.rejected")
    expect(rejected).to_contain_text("broken phone")
    expect(rejected).to_contain_text("bad priority 'lukewarm'")
    expect(rejected.locator("tbody tr").first).to_contain_text("4")
    tab.shot("import")
    page.get_by_label("CSV file").set_input_files(str(csv))  # the same file again: nothing new
    page.get_by_role("button", name="Import").click()
    expect(summary).to_contain_text("Read 5 rows: 0 new, 3 already imported (nothing added)")

    page.get_by_role("link", name="The leads to assign").click()
    expect(page.get_by_role("heading", name="3 leads")).to_be_visible()
    page.get_by_label("Priority").select_option("hot")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="2 leads")).to_be_visible()  # Carla's two inquiries
    page.get_by_role("link", name="Clear all").click()
    page.get_by_label("Name, phone or e-mail").fill("Dev")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="1 lead")).to_be_visible()
    page.get_by_role("link", name="Clear all").click()
    page.get_by_label("Select Carla").first.check()
    page.get_by_label("Select Dev").check()
    tab.shot("leads")
    page.get_by_label("Assign to").select_option(label="Maria Lopez")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status").first).to_contain_text("offered to the agent")
    expect(page.locator(".flash")).to_have_count(2)

    page.get_by_role("link", name="Back to the leads").click()
    page.get_by_role("link", name="Carla Diaz").first.click()
    expect(page.get_by_role("heading", name="2 inquiries")).to_be_visible()
    expect(page.locator(".inquiries")).to_contain_text("Schedule Showing")
    expect(page.locator(".inquiries")).to_contain_text("Ask a Question")
    expect(page.get_by_text("Maria Lopez (offered)")).to_be_visible()
    tab.shot("lead")

    agent: Tab = tab_factory()
    agent.sign_in("maria@example.com")  # lands on what waits for her (seed 002's alert)
    expect(agent.page.get_by_role("alert")).to_contain_text("2 leads waiting for you")
    agent.page.get_by_role("link", name="Not now: all my leads").click()
    expect(agent.page.get_by_role("heading", name="3 leads")).to_be_visible()  # offered to her
    agent.page.get_by_role("link", name="Dev Patel").click()
    agent.page.get_by_role("button", name="Accept").click()
    expect(agent.page.locator(".flash")).to_have_text("Accepted: the lead is yours.")


def test_a_coordinator_saves_filters_and_picks_them_again(
    console: Console, tab_factory: Any
) -> None:
    console.user("cody@example.com", Role.COORDINATOR, "Cody Reyes")
    tab: Tab = tab_factory()
    tab.sign_in("cody@example.com")
    tab.go("/console/leads")
    page = tab.page
    page.get_by_label("Priority").select_option("hot")
    page.get_by_label("Contact source").fill("Zillow")
    page.get_by_role("button", name="Go").click()
    expect(page).to_have_url(re.compile(r"priority=hot"))
    page.get_by_label("Save these filters as").fill("hot zillow")
    page.get_by_role("button", name="Save filters").click()
    expect(page.locator("#sf-said")).to_have_text("Saved \u201chot zillow\u201d.")

    page.get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(re.compile(r"/console/leads$"))
    expect(page.get_by_label("Priority")).to_have_value("")
    page.get_by_label("Saved filters").select_option("hot zillow")
    expect(page).to_have_url(re.compile(r"priority=hot"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["priority"] == ["hot"] and query["source"] == ["Zillow"]
    expect(page.get_by_label("Priority")).to_have_value("hot")
    expect(page.get_by_label("Contact source")).to_have_value("Zillow")
    expect(page.get_by_label("Saved filters")).to_have_value("hot zillow")
