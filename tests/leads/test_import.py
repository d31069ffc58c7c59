"""POST /leads/import: each row imported, merged into a known contact, or rejected, saying why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from adapters.storage.orm import AuditEntry, ConsentRecord, Contact, Inquiry
from tests.leads.conftest import Api

GOOD_AND_BAD = """\
First Name,Last Name,Mobile,E-mail,Zip,Lead Source,Interest Level,Priority
Ann,Lee,(615) 555-0142,ann@example.com,37206,Realtor.com,4,Hot
Bob,Ray,not a phone,bob@example.com,37206,Zillow,3,Warm
Cy,Fox,,cy@example.com,37206,Zillow,2,Cold
Di,Orr,615-555-0143,di@example.com,37206,Zillow,9,Cold
Ed,Kim,615 555 0144,ed@example,37206,Zillow,1,Cold
Fay,Ng,+1 615 555 0145,fay@example.com,37206,Zillow,,lukewarm
Gus,Lam,6155550146,gus@example.com,37206,Broker,,
"""


def _import(api: Api, text: str, **form: Any) -> dict[str, Any]:
    answer = api.client.post(
        "/leads/import",
        files={"file": ("leads.csv", text.encode(), "text/csv")},
        data=form,
        headers=api.headers("coordinator"),
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _count(api: Api, model: type) -> int:
    with api.container.uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_bad_rows_are_reported_with_line_and_reason_and_the_good_rows_are_in(api: Api) -> None:
    report = _import(api, GOOD_AND_BAD)
    reasons = {r["line"]: r["reason"] for r in report["rejected"]}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert reasons[3].startswith("broken phone")
    assert reasons[4] == "missing phone"
    assert reasons[5].startswith("bad interest level '9'")
    assert reasons[6].startswith("bad e-mail")
    assert reasons[7].startswith("bad priority 'lukewarm'")
    assert report["summary"] | {"not_started": None} == {
        "read": 7,
        "imported": 2,
        "merged": 0,
        "rejected": 5,
        "started": 0,
        "not_started": None,
        "already_imported": 0,
        "updated": 0,
        "owner_not_changed": 0,
        "text": "2 new, 5 rejected",
    }
    assert (_count(api, Contact), _count(api, Inquiry)) == (2, 2)
    page = api.get("/leads", params={"sort": "last_name"})
    assert isinstance(page, dict)
    assert [(i["last_name"], i["source"], i["priority"]) for i in page["items"]] == [
        ("Lam", "Broker", None),
        ("Lee", "Realtor.com", "hot"),
    ]


def test_a_phone_twice_in_the_file_is_one_contact_with_two_inquiries(api: Api) -> None:
    report = _import(
        api,
        "phone,first name,inquiry type\n"
        "615-555-0142,Ann,Schedule Showing\n"
        "(615) 555-0142,Ann,Ask a Question\n",
    )
    assert report["summary"]["imported"] == 1 and report["summary"]["merged"] == 1
    assert (_count(api, Contact), _count(api, Inquiry)) == (1, 2)


SEED_LIKE = """\
First Name,Last Name,Mobile,E-mail,Zip,Lead Source,Inquiry Type,Property Address,Priority
Ann,Lee,(615) 555-0142,ann@example.com,37206,Zillow,Schedule Showing,12 Elm St,Hot
Ann,Lee,(615) 555-0142,ann@example.com,37206,Zillow,Ask a Question,12 Elm St,Hot
Bob,Ray,615-555-0143,,37206,Realtor.com,,,Warm
Cy,Fox,615-555-0144,cy@example.com,37206,Zillow,,,Cold
"""


def test_importing_the_same_file_twice_adds_nothing_the_second_time(api: Api) -> None:
    first = _import(api, SEED_LIKE)["summary"]
    assert (first["imported"], first["merged"], first["already_imported"]) == (3, 1, 0)
    counts = (_count(api, Contact), _count(api, Inquiry))
    again = _import(api, SEED_LIKE)["summary"]
    assert (again["imported"], again["merged"], again["already_imported"]) == (0, 0, 4)
    assert again["text"] == "0 new, 4 already imported (nothing added)"
    assert (_count(api, Contact), _count(api, Inquiry)) == counts == (3, 4)
    third = _import(api, SEED_LIKE)["summary"]
    assert third["already_imported"] == 4 and _count(api, Inquiry) == 4
    page = api.get("/leads", params={"q": "Ray"})
    assert isinstance(page, dict) and page["total"] == 1  # one "Import" inquiry, not three


def test_a_changed_row_merges_what_changed_and_the_rest_stays_as_it_was(api: Api) -> None:
    _import(api, SEED_LIKE)
    changed = (
        SEED_LIKE.replace("615-555-0143,,", "615-555-0143,bob@example.com,")  # an e-mail now
        .replace("Cold", "Hot")  # Cy's priority changed: a new inquiry with it
        .replace("12 Elm St,Hot\nBob", "14 Oak Ave,Hot\nBob")  # Ann asked about another house
    )
    s = _import(api, changed)["summary"]
    assert (s["imported"], s["merged"], s["already_imported"], s["updated"]) == (0, 2, 2, 1)
    assert s["text"] == (
        "0 new, 2 merged into known contacts, 2 already imported, "
        "1 of them updated the contact's details"
    )
    assert _count(api, Inquiry) == 6
    bob = api.get("/leads", params={"q": "Ray"})
    assert isinstance(bob, dict) and bob["items"][0]["email"] == "bob@example.com"
    ann = api.get(f"/leads/{api.get('/leads', params={'q': 'Lee'})['items'][0]['contact_id']}")
    assert isinstance(ann, dict)
    assert sorted(i["property_address"] for i in ann["inquiries"]) == [
        "12 Elm St",
        "12 Elm St",
        "14 Oak Ave",
    ]


def test_a_dated_row_is_the_same_lead_only_on_the_same_date(api: Api) -> None:
    dated = "phone,received\n6155550142,2026-11-20\n6155550142,2026-11-21\n"
    assert _import(api, dated)["summary"]["imported"] == 1
    s = _import(api, dated + "6155550142,2026-11-22\n")["summary"]
    assert (s["merged"], s["already_imported"]) == (1, 2)
    assert _count(api, Inquiry) == 3


def test_consent_is_recorded_once_however_often_the_row_comes(api: Api) -> None:
    text = "phone,consent,consent source\n6155550142,I agree to texts,open house sheet\n"
    _import(api, text)
    _import(api, text)
    assert _count(api, ConsentRecord) == 1


def test_a_phone_already_known_merges_into_that_contact(api: Api) -> None:
    known = api.lead(phone="6155550142", first_name="Ann", start=False)
    report = _import(api, "Cell,Name\n+16155550142,Ann Lee\n6155550150,Bo Diaz\n")
    assert (report["summary"]["imported"], report["summary"]["merged"]) == (1, 1)
    detail = api.get(f"/leads/{known['contact_id']}")
    assert isinstance(detail, dict) and len(detail["inquiries"]) == 2


def test_read_always_equals_imported_plus_merged_plus_already_imported_plus_rejected(
    api: Api,
) -> None:
    rows = (
        ["phone,interest"]
        + [f"615555{n:04d},{n % 7}" if n % 5 else f"x{n},1" for n in range(1, 301)]
        + ["6155550001,2", ",", "6155550002,1,extra"]
    )
    s = _import(api, "\n".join(rows) + "\n")["summary"]
    assert s["read"] == 303 == s["imported"] + s["merged"] + s["already_imported"] + s["rejected"]
    assert _count(api, Inquiry) == s["imported"] + s["merged"]


def test_map_overrides_the_header_guess_and_can_ignore_a_column(api: Api) -> None:
    text = "Status,Home phone,Work phone\nNew,615-555-0142,615-555-0199\n"
    report = _import(api, text, map=["Home phone=phone", "Status="])
    assert report["mapping"] == {"Home phone": "phone"}
    assert report["summary"]["imported"] == 1
    page = api.get("/leads", params={"q": "615 555 0142"})
    assert isinstance(page, dict) and page["total"] == 1


def test_a_file_without_a_phone_column_is_refused_saying_how_to_map_one(api: Api) -> None:
    answer = api.client.post(
        "/leads/import",
        files={"file": ("x.csv", b"Name\nAnn\n")},
        headers=api.headers("coordinator"),
    )
    assert answer.status_code == 422 and "a map field in the upload" in answer.json()["detail"]


def test_consent_columns_become_consent_records_and_the_import_is_audited(api: Api) -> None:
    _import(api, "phone,consent,consent source\n6155550142,I agree to texts,open house sheet\n")
    assert _count(api, ConsentRecord) == 1
    with api.container.uow(read_only=True) as uow:
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "leads.import")
        ).one()
    assert entry.details["imported"] == 1 and entry.actor_id == api.ids["coordinator"]


def test_start_texts_each_new_lead_once(api: Api) -> None:
    report = _import(
        api, "phone,first name\n6155550142,Ann\n6155550142,Ann\n6155550143,Bo\n", start="true"
    )
    assert report["summary"]["started"] == 2
    assert sorted(to for to, _ in api.sms.sent) == ["+16155550142", "+16155550143"]


def test_only_a_coordinator_imports(api: Api) -> None:
    answer = api.client.post(
        "/leads/import",
        files={"file": ("x.csv", b"phone\n6155550142\n")},
        headers=api.headers("dana"),
    )
    assert answer.status_code == 403 and _count(api, Contact) == 0


def test_rows_the_database_could_not_store_are_rejected_and_the_rest_imported(api: Api) -> None:
    huge = "x" * 200_000  # over the csv module's field limit
    text = f"phone,name\n6155550142,Ann\n6155550143,B\x00o\n6155550144,{huge}\n6155550145,Cy\n"
    report = _import(api, text)
    assert report["summary"]["imported"] == 2
    reasons = {r["line"]: r["reason"] for r in report["rejected"]}
    assert "NUL" in reasons[3] and reasons[4].startswith("unreadable CSV")
