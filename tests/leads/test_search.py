"""GET /leads: every Leads-tab filter, paging and sort; agents see only their own leads."""

from __future__ import annotations

from typing import Any

import pytest

from tests.leads.conftest import Api

LEADS: list[dict[str, Any]] = [
    dict(
        phone="6155550101",
        first_name="Ann",
        last_name="Lee",
        email="ann@example.com",
        source="Realtor.com",
        inquiry_type="Schedule Showing",
        lead_status="active",
        contact_status="Assigned",
        contact_type="Buyer",
        business_source="Advertisement",
        interest_level=5,
        priority="hot",
        time_frame="0-3 months",
        received_at="2037-11-20T10:00:00+00:00",
    ),
    dict(
        phone="6155550102",
        first_name="Bob",
        last_name="Ray",
        source="Broker",
        inquiry_type="Contact",
        lead_status="inactive",
        contact_type="Seller",
        business_source="Referral",
        interest_level=2,
        priority="cold",
        time_frame="12+ months",
        received_at="2037-11-10T10:00:00+00:00",
    ),
    dict(
        phone="6155550103",
        first_name="Cy",
        last_name="Fox",
        source="Agent",
        inquiry_type="Ask a Question",
        contact_type="Buyer",
        business_source="Open House",
        interest_level=3,
        priority="warm",
        time_frame="3-6 months",
        received_at="2037-11-01T10:00:00+00:00",
    ),
]


@pytest.fixture
def seeded(api: Api) -> dict[str, int]:
    """Three leads, none texted; Ann owned by Dana."""
    ids = {}
    for lead in LEADS:
        owner = api.ids["dana"] if lead["first_name"] == "Ann" else None
        ids[lead["first_name"]] = int(api.lead(**lead, owner_id=owner, start=False)["contact_id"])
    return ids


def _names(api: Api, who: str = "coordinator", **params: Any) -> list[str]:
    page = api.get("/leads", who, params=params)
    assert isinstance(page, dict)
    return [item["first_name"] for item in page["items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Ann", "Bob", "Cy"]),  # newest first
        ({"lead_status": "Inactive"}, ["Bob"]),
        ({"contact_status": "Assigned"}, ["Ann"]),
        ({"contact_type": "Buyer"}, ["Ann", "Cy"]),
        ({"source": ["Broker", "Agent"]}, ["Bob", "Cy"]),
        ({"business_source": "Open House"}, ["Cy"]),
        ({"inquiry_type": "Schedule Showing"}, ["Ann"]),
        ({"interest_min": 3}, ["Ann", "Cy"]),
        ({"interest_min": 2, "interest_max": 3}, ["Bob", "Cy"]),
        ({"priority": ["HOT", "warm"]}, ["Ann", "Cy"]),
        ({"time_frame": "12+ months"}, ["Bob"]),
        ({"assigned": "true"}, ["Ann"]),
        ({"assigned": "false"}, ["Bob", "Cy"]),
        ({"received_from": "2037-11-05", "received_to": "2037-11-15"}, ["Bob"]),
        ({"q": "fox"}, ["Cy"]),
        ({"q": "ann@EX"}, ["Ann"]),
        ({"q": "(615) 555-0102"}, ["Bob"]),
        ({"q": "bob ray"}, ["Bob"]),
        ({"conversation_status": "active"}, []),
        ({"sort": "priority"}, ["Ann", "Cy", "Bob"]),
        ({"sort": "-interest_level"}, ["Ann", "Cy", "Bob"]),
        ({"sort": "received_at"}, ["Cy", "Bob", "Ann"]),
    ],
)
def test_each_filter_returns_exactly_the_leads_that_match(
    api: Api, seeded: dict[str, int], params: dict[str, Any], expected: list[str]
) -> None:
    assert _names(api, **params) == expected


def test_owner_filter_and_conversation_status_follow_the_lead(
    api: Api, seeded: dict[str, int]
) -> None:
    assert _names(api, owner_id=api.ids["dana"]) == ["Ann"]
    api.lead(phone="6155550103")  # Cy's second inquiry starts Cy's conversation
    assert _names(api, conversation_status="active") == ["Cy", "Cy"]


def test_paging_gives_the_total_and_each_lead_once(api: Api, seeded: dict[str, int]) -> None:
    pages = [api.get("/leads", params={"limit": 2, "offset": o}) for o in (0, 2, 4)]
    assert [p["total"] for p in pages] == [3, 3, 3]
    names = [i["first_name"] for p in pages for i in p["items"]]
    assert names == ["Ann", "Bob", "Cy"]


def test_a_bad_sort_or_date_is_refused(api: Api, seeded: dict[str, int]) -> None:
    headers = api.headers("coordinator")
    assert api.client.get("/leads?sort=phone", headers=headers).status_code == 422
    assert (
        api.client.get("/leads?received_from=2037-11-05T10:00", headers=headers).status_code == 422
    )


def test_an_agent_sees_only_their_own_leads(api: Api, seeded: dict[str, int]) -> None:
    assert _names(api, "dana") == ["Ann"]
    assert _names(api, "eli") == []
    answer = api.client.get(f"/leads/{seeded['Ann']}", headers=api.headers("eli"))
    assert answer.status_code == 404 and "that you can see" in answer.json()["detail"]
    assert api.client.get(f"/leads/{seeded['Bob']}", headers=api.headers("dana")).status_code == 404
    assert api.client.get(f"/leads/{seeded['Ann']}", headers=api.headers("dana")).status_code == 200


def test_search_needs_a_user(api: Api) -> None:
    assert api.client.get("/leads").status_code == 401
