"""Scripts over HTTP: versions listed, uploads validated with located errors, publishing
affects new conversations only (invariant 8), and results counted per version."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adapters.storage.orm import AuditEntry, ConversationRow, OutcomeRow
from isa_engine.model import OutcomeKind, Status
from tests.conftest import REPO
from tests.integration.test_cli import isa
from tests.leads.conftest import Api

BUYER_V1 = (REPO / "scripts" / "buyer" / "v1.yaml").read_text(encoding="utf-8")
BUYER_V2 = BUYER_V1.replace("version: 1", "version: 2", 1).replace(
    "You asked about homes for", "Thanks for asking about homes for", 1
)


def _upload(api: Api, text: str, who: str = "author", name: str = "buyer") -> Any:
    return api.client.post(
        f"/scripts/{name}/versions",
        content=text.encode(),
        headers={**api.headers(who), "Content-Type": "text/plain"},
    )


def _script_of(api: Api, contact_id: object) -> str:
    detail = api.get(f"/leads/{contact_id}")
    assert isinstance(detail, dict)
    return str(detail["conversation"]["script"])


def test_scripts_are_listed_with_the_published_version(api: Api) -> None:
    listed = api.get("/scripts", "dana")
    live = [{"version": 1, "published": True, "state": "live"}]
    assert {s["name"]: s["versions"] for s in listed} == {
        "buyer": live,
        "buyer-es": live,
        "open_house": live,
        "seller": [*live, {"version": 2, "published": False, "state": "draft"}],  # shipped
        "seller-es": live,
    }
    one = api.get("/scripts/buyer/1", "isa")
    assert isinstance(one, dict) and one["yaml"] == BUYER_V1
    assert {"template", "encoding", "segments", "non_gsm"} <= set(one["segments"][0])


def test_a_new_version_leaves_running_conversations_on_theirs(api: Api) -> None:
    first = api.lead(phone="6155550101")["contact_id"]
    uploaded = _upload(api, BUYER_V2)
    assert uploaded.status_code == 201 and uploaded.json()["published"] is False
    second = api.lead(phone="6155550102")["contact_id"]
    assert _script_of(api, second) == "buyer@1"  # uploaded is not published
    published = api.client.post("/scripts/buyer/2/publish", headers=api.headers("author"))
    assert published.json() == {"name": "buyer", "published": 2, "previous": 1}
    third = api.lead(phone="6155550103")["contact_id"]
    assert _script_of(api, third) == "buyer@2"
    assert "Thanks for asking" in api.sms.sent[-1][1]
    assert _script_of(api, first) == _script_of(api, second) == "buyer@1"
    api.lead(phone="6155550101", inquiry_type="Ask a Question")  # a new inquiry: same thread
    assert _script_of(api, first) == "buyer@1"
    versions = api.get("/scripts")[0]["versions"]
    assert versions == [
        {"version": 1, "published": False, "state": "earlier"},
        {"version": 2, "published": True, "state": "live"},
    ]
    with api.container.uow(read_only=True) as uow:
        audit = list(
            uow.session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.like("script.%"))
                .order_by(AuditEntry.id)
            )
        )
    assert audit == ["script.upload", "script.publish"]


def test_a_file_dropped_beside_the_live_version_is_a_draft_until_published(api: Api) -> None:
    (api.container.scripts.root / "buyer" / "v2.yaml").write_text(BUYER_V2, encoding="utf-8")
    first = api.lead(phone="6155550111")["contact_id"]
    assert _script_of(api, first) == "buyer@1"  # the running server does not give out a draft
    assert "Thanks for asking" not in api.sms.sent[-1][1]
    assert api.get("/scripts")[0]["versions"] == [
        {"version": 1, "published": True, "state": "live"},
        {"version": 2, "published": False, "state": "draft"},
    ]
    draft = api.get("/scripts/buyer/2", "isa")
    assert isinstance(draft, dict) and (draft["state"], draft["published"]) == ("draft", False)
    published = api.client.post("/scripts/buyer/2/publish", headers=api.headers("author"))
    assert published.json() == {"name": "buyer", "published": 2, "previous": 1}
    second = api.lead(phone="6155550112")["contact_id"]
    assert _script_of(api, second) == "buyer@2"
    assert _script_of(api, first) == "buyer@1"


def test_a_draft_on_disk_before_start_up_is_not_live(
    scripts_dir: Path, database_url: str, request: pytest.FixtureRequest
) -> None:
    (scripts_dir / "buyer" / "v2.yaml").write_text(BUYER_V2, encoding="utf-8")
    api: Api = request.getfixturevalue("api")  # the app starts with v2 already there
    lead = api.lead(phone="6155550113")["contact_id"]
    assert _script_of(api, lead) == "buyer@1"
    assert api.container.scripts.get("buyer").key == "buyer@1"  # a bare name is the live one
    assert [v["state"] for v in api.get("/scripts")[0]["versions"]] == ["live", "draft"]


def test_a_bad_script_is_refused_with_each_error_located(api: Api) -> None:
    bad = BUYER_V2.replace("slot: baths", "slot: bathrooms", 1)
    answer = _upload(api, bad)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if "slot: bathrooms" in text)
    assert any(e["line"] == line and "bathrooms" in e["message"] for e in errors)
    assert all({"line", "col", "message"} <= set(e) for e in errors)
    assert not_a_mapping(api)["errors"][0]["line"] == 1
    assert api.get("/scripts")[0]["versions"] == [
        {"version": 1, "published": True, "state": "live"}
    ]


def not_a_mapping(api: Api) -> dict[str, Any]:
    answer = _upload(api, "- just a list\n")
    assert answer.status_code == 422
    result: dict[str, Any] = answer.json()
    return result


def test_a_version_must_be_the_next_one_and_carry_its_own_name(api: Api) -> None:
    skipped = _upload(api, BUYER_V1.replace("version: 1", "version: 3", 1))
    assert skipped.status_code == 422
    (error,) = skipped.json()["errors"]
    assert "version must be 2" in error["message"] and error["line"] == 3
    renamed = _upload(api, BUYER_V2, name="seller")
    assert renamed.status_code == 422 and "uploaded as 'seller'" in renamed.text


def test_only_authors_and_admins_change_scripts(api: Api) -> None:
    assert _upload(api, BUYER_V2, who="dana").status_code == 403
    assert (
        api.client.post("/scripts/buyer/1/publish", headers=api.headers("coordinator")).status_code
        == 403
    )
    assert (
        api.client.post("/scripts/buyer/9/publish", headers=api.headers("author")).status_code
        == 404
    )


def test_stats_count_each_versions_conversations_and_results(api: Api) -> None:
    ids = [api.lead(phone=f"615555010{n}")["contact_id"] for n in range(3)]
    with api.container.uow() as uow:
        rows = {r.contact_id: r for r in uow.session.scalars(select(ConversationRow))}
        first, second = rows[ids[0]], rows[ids[1]]
        at = datetime(2037, 11, 23, tzinfo=UTC)
        for conv, kind in ((first, OutcomeKind.APPOINTMENT), (second, OutcomeKind.ENGAGEMENT)):
            uow.session.add(OutcomeRow(conversation_id=conv.id, kind=kind, created_at=at))
        second.status = Status.DEAD
        uow.contacts.mark_dead(second.contact_id, "opted out", at)
        uow.commit()
    stats = api.get("/scripts/buyer/1/stats", "dana")
    assert stats == {
        "name": "buyer",
        "version": 1,
        "conversations": 3,
        "appointments": 1,
        "engagements": 1,
        "opt_outs": 1,
        "dead": 1,
    }
    assert api.client.get("/scripts/buyer/7/stats", headers=api.headers("dana")).status_code == 404


def test_isa_scripts_publish_reaches_a_running_server(api: Api, database_url: str) -> None:
    root = api.container.scripts.root
    (root / "buyer" / "v2.yaml").write_text(BUYER_V2, encoding="utf-8")
    env = {"ISA_DATABASE_URL": database_url, "ISA_SCRIPTS_DIR": str(root)}
    done = isa("scripts", "publish", "buyer@2", env=env)
    assert done.returncode == 0, done.stderr
    lead = api.lead(phone="6155550114")["contact_id"]
    assert _script_of(api, lead) == "buyer@2"  # no restart
    with api.container.uow(read_only=True) as uow:
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "script.publish")
        ).one()
    assert (entry.subject_id, entry.actor_id, entry.details["previous"]) == ("buyer@2", None, 1)


def test_an_upload_hears_of_every_kind_of_error_and_of_an_unclosed_quote_where_it_opened(
    api: Api,
) -> None:
    both = BUYER_V2.replace("slot: baths", "slot: bathz", 1).replace(
        "And how many bathrooms?", "And how many bathrooms? A family-friendly street.", 1
    )
    messages = [e["message"] for e in _upload(api, both).json()["errors"]]
    assert any("unknown slot 'bathz'" in m for m in messages)
    assert any('banned phrase "family-friendly"' in m for m in messages)
    quoted = BUYER_V2.replace("ask: Great! How many", 'ask: "Great! How many', 1)
    answer = _upload(api, quoted)
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    line = next(n for n, t in enumerate(quoted.splitlines(), 1) if 'ask: "Great!' in t)
    assert error["line"] == line and "quote is never closed" in error["message"]


def test_a_broken_draft_dropped_into_a_running_server_leaves_leads_on_the_live_version(
    api: Api,
) -> None:
    draft = api.container.scripts.root / "buyer" / "v2.yaml"
    draft.write_text(BUYER_V2.replace("slot: baths", "slot: bathz", 1), encoding="utf-8")
    lead = api.lead(phone="6155550115")["contact_id"]  # not a 422: the draft is left out
    assert _script_of(api, lead) == "buyer@1"
    assert [v["state"] for v in api.get("/scripts")[0]["versions"]] == ["live", "draft"]
    shown = api.client.get("/scripts/buyer/2", headers=api.headers("author"))
    assert shown.status_code == 422 and "bathz" in shown.text
    refused = api.client.post("/scripts/buyer/2/publish", headers=api.headers("author"))
    assert refused.status_code == 422 and "bathz" in refused.text
    draft.write_text(BUYER_V2, encoding="utf-8")  # fixed
    fixed = api.client.post("/scripts/buyer/2/publish", headers=api.headers("author"))
    assert fixed.status_code == 200, fixed.text
    assert _script_of(api, api.lead(phone="6155550116")["contact_id"]) == "buyer@2"
