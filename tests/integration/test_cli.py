"""The ``isa`` command as a user runs it: a real process, stdin and stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

BUYER = REPO / "scripts" / "buyer" / "v1.yaml"


def isa(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={
            "PATH": "/usr/bin:/bin",
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "TERM": "dumb",
            **(env or {}),
        },
        timeout=60,
    )


def test_chat_plays_a_lead_through_to_an_appointment() -> None:
    texts = "yes!\n3 bd 2 ba in hutto under 400k\npre approved\nno agent\ntomorrow at 3pm\n/quit\n"
    done = isa(
        "chat", "buyer", "--now", "2026-11-23T10:00:00-06:00", "--contact", "Maria", stdin=texts
    )
    assert done.returncode == 0, done.stderr
    assert "Hi Maria! This is Dana's assistant" in done.stdout
    assert "APPOINTMENT for the agent" in done.stdout
    assert "status appointment" in done.stdout
    assert "Tuesday, November 24 at 3 PM" in done.stdout


def test_chat_moves_a_lead_who_writes_spanish_to_the_spanish_script() -> None:
    texts = "hola, sí seguimos buscando\nAYUDA\n/quit\n"
    done = isa(
        "chat", "buyer", "--now", "2026-12-03T10:00:00-06:00", "--contact", "Maria", stdin=texts
    )
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())  # rich wraps long lines
    assert "Hi Maria! This is Dana's assistant" in out
    assert "» language: the lead wrote in Spanish: buyer@1 → buyer-es@1" in out
    assert "assistant: ¡Qué bien! ¿Cuántas recámaras necesita?" in out
    assert "buyer-es@1 (es) · status active" in out


def test_chat_lets_time_pass_and_the_lead_goes_cold() -> None:
    done = isa(
        "chat", "buyer", "--now", "2026-11-23T10:00:00-06:00", stdin="yes\n/wait 20m\n/quit\n"
    )
    assert done.returncode == 0, done.stderr
    assert "status cold" in done.stdout


def test_validate_accepts_the_shipped_scripts_and_reports_encodings() -> None:
    done = isa("scripts", "validate", "scripts")
    assert done.returncode == 0, done.stderr
    scripts = list((REPO / "scripts").glob("*/v*.yaml"))
    campaigns = list((REPO / "scripts" / "campaigns").glob("*/v*.yaml"))
    assert done.stdout.count("ok ") == len(scripts) + len(campaigns)
    assert "campaign buyer_nurture@1" in done.stdout


def test_validate_lists_every_error_located_and_exits_non_zero(tmp_path: Path) -> None:
    bad = tmp_path / "buyer" / "v1.yaml"
    bad.parent.mkdir()
    text = BUYER.read_text(encoding="utf-8")
    bad.write_text(
        text.replace("- slot: beds", "- slot: bedz").replace("  deny: {}\n", ""), "utf-8"
    )
    done = isa("scripts", "validate", str(bad))
    assert done.returncode == 1
    line = next(n for n, t in enumerate(bad.read_text().splitlines(), 1) if "bedz" in t)
    assert f"{bad}:{line}:" in done.stderr and "unknown slot 'bedz'" in done.stderr
    assert "no handler for deny" in done.stderr
    assert "2 error(s) in 1 file(s)" in done.stderr


def test_show_draws_the_steps_and_the_status_machine() -> None:
    done = isa("scripts", "show", "seller")
    assert done.returncode == 0, done.stderr
    assert "seller@1" in done.stdout and "──cool──▶ cold" in done.stdout
    mermaid = isa("scripts", "show", "buyer@1", "--mermaid")
    assert "stateDiagram-v2" in mermaid.stdout and "beds --> baths" in mermaid.stdout


def test_diff_shows_added_steps_and_changed_texts(tmp_path: Path) -> None:
    root = tmp_path / "scripts" / "buyer"
    root.mkdir(parents=True)
    text = BUYER.read_text(encoding="utf-8")
    (root / "v1.yaml").write_text(text, "utf-8")
    changed = text.replace("version: 1", "version: 2").replace(
        "And how many bathrooms?", "And how many bathrooms at least?"
    )
    changed = changed.replace(
        "  - slot: timeframe\n",
        "  - slot: email\n    ask: What's your email?\n    required: false\n  - slot: timeframe\n",
    )
    (root / "v2.yaml").write_text(changed, "utf-8")
    done = isa("scripts", "diff", "buyer@1", "buyer@2", "--scripts", str(tmp_path / "scripts"))
    assert done.returncode == 0, done.stderr
    assert "+ step email" in done.stdout
    assert "+steps.baths.ask: And how many bathrooms at least?" in done.stdout


def test_an_unknown_script_is_a_clear_error() -> None:
    done = isa("scripts", "show", "renter")
    assert done.returncode == 1
    assert "no script named 'renter'" in done.stderr


def test_nlu_parse_answers_one_line_per_record() -> None:
    records = [
        {"id": "a", "text": "STOP", "expecting": None, "now": "2026-11-23T10:00:00-06:00"},
        {"id": "b", "text": "3 bd 2 ba", "expecting": "beds", "now": "2026-11-23T10:00:00-06:00"},
    ]
    done = isa("nlu", "parse", stdin="".join(json.dumps(r) + "\n" for r in records))
    assert done.returncode == 0, done.stderr
    a, b = (json.loads(line) for line in done.stdout.splitlines())
    assert a == {"id": "a", "slots": {}, "intents": ["opt_out"]}
    assert b["slots"] == {"beds": 3, "baths": 2}


def test_nlu_parse_names_the_line_of_a_bad_record() -> None:
    done = isa("nlu", "parse", stdin='{"id": "a", "text": "hi", "expecting": null, "now": "x"}\n')
    assert done.returncode == 1 and "stdin line 1" in done.stderr


def test_chat_with_a_slow_isa_counts_the_cold_timer_from_the_approval() -> None:
    lines = "/approve-after 10m\nyes\n/wait 20m\n/wait 6m\n/quit\n"
    done = isa("chat", "buyer", "--now", "2026-11-23T10:00:00-06:00", stdin=lines)
    assert done.returncode == 0, done.stderr
    assert "waiting for the ISA until 10:10" in done.stdout  # the opening, suggested at 10:00
    statuses = [line.split("status ")[1].split()[0] for line in done.stdout.splitlines()
                if "· status " in line]  # fmt: skip
    # the question to "yes" left at 10:20:30; twenty minutes on the lead is still active,
    # six more and it is 15 minutes past the send: cold
    assert statuses[-2:] == ["active", "cold"]


def test_replay_with_a_slow_isa_sends_each_reply_that_much_later() -> None:
    record = {
        "id": "c-slow",
        "script": "buyer",
        "start": "2026-11-23T10:00:00-06:00",
        "turns": [{"after_s": 900, "text": "yes"}],
    }
    done = isa("replay", "--approve-after", "10m", stdin=json.dumps(record) + "\n")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [o["after_turn"] for o in answer["outbound"]] == [0, 1]
    assert answer["status"] == "active"  # our opening left at 10:10; she answered at 10:15
    bad = isa("replay", "--approve-after", "soon", stdin=json.dumps(record) + "\n")
    assert bad.returncode == 1 and "a duration is a number" in bad.stderr


def test_replay_answers_in_the_corpus_format() -> None:
    record = {
        "id": "c-x",
        "script": "buyer",
        "agent": {"first_name": "Dana", "last_name": "Whitfield"},
        "lead": {"first_name": "Maria"},
        "start": "2026-11-23T10:00:00-06:00",
        "turns": [{"after_s": 60, "text": "yes"}, {"after_s": 60, "text": "STOP"}],
    }
    done = isa("replay", stdin=json.dumps(record) + "\n")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["id"] == "c-x" and answer["status"] == "dead"
    assert [o["after_turn"] for o in answer["outbound"]] == [0, 1, 2]
    assert answer["outbound"][-1]["asks"] is None


def test_list_shows_the_live_version_and_a_dropped_file_as_a_draft(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    (scripts / "buyer").mkdir(parents=True)
    text = BUYER.read_text(encoding="utf-8")
    (scripts / "buyer" / "v1.yaml").write_text(text, "utf-8")
    (scripts / "buyer" / "v2.yaml").write_text(text.replace("version: 1", "version: 2"), "utf-8")
    env = {"ISA_SCRIPTS_DIR": str(scripts), "ISA_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    listed = isa("scripts", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:2] == ["buyer@1", "live"]
    assert lines[1].split()[:2] == ["buyer@2", "draft"]
    assert "isa scripts publish buyer@2" in lines[1]
    assert isa("scripts", "show", "buyer", env=env).stdout.startswith("buyer@1")

    published = isa("scripts", "publish", "buyer@2", env=env)
    assert published.returncode == 0, published.stderr
    assert "buyer@2 is live" in published.stdout and "was buyer@1" in published.stdout
    lines = isa("scripts", "list", env=env).stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["buyer@1", "earlier"], ["buyer@2", "live"]]


def test_publish_refuses_a_version_that_is_not_there(tmp_path: Path) -> None:
    env = {"ISA_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    done = isa("scripts", "publish", "buyer@9", "--scripts", str(REPO / "scripts"), env=env)
    assert done.returncode == 1 and "no version '9' of 'buyer'" in done.stderr
    assert not (REPO / "scripts" / "buyer" / "published").exists()
    bare = isa("scripts", "publish", "buyer", env=env)
    assert bare.returncode == 1 and "buyer@N" in bare.stderr


def test_an_unclosed_quote_is_reported_where_it_opened(tmp_path: Path) -> None:
    bad = tmp_path / "buyer" / "v1.yaml"
    bad.parent.mkdir()
    text = BUYER.read_text(encoding="utf-8").replace(
        "ask: Great! How many bedrooms are you looking for?",
        'ask: "Great! How many bedrooms are you looking for?',
    )
    bad.write_text(text, "utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if 'ask: "Great!' in t)
    col = text.splitlines()[line - 1].index('"') + 1
    done = isa("scripts", "validate", str(bad))
    assert done.returncode == 1
    assert f"{bad}:{line}:{col}: not valid YAML: this quote is never closed" in " ".join(
        done.stderr.split()
    )


def test_an_unknown_slot_and_a_banned_phrase_are_both_reported(tmp_path: Path) -> None:
    bad = tmp_path / "buyer" / "v1.yaml"
    bad.parent.mkdir()
    text = BUYER.read_text(encoding="utf-8")
    family = "And how many bathrooms? It's a family-friendly street."
    for broken in (
        text.replace("slot: baths", "slot: bathz").replace("And how many bathrooms?", family),
        text.replace("How many bedrooms", "{{ bedz }}, how many bedrooms").replace(
            "And how many bathrooms?", family
        ),
        text.replace("    required: false", "    requird: false", 1).replace(
            "And how many bathrooms?", family
        ),
    ):
        bad.write_text(broken, "utf-8")
        done = isa("scripts", "validate", str(bad))
        errors = " ".join(done.stderr.split())
        assert done.returncode == 1
        assert 'banned phrase "family-friendly"' in errors, errors
        assert any(kind in errors for kind in ("bathz", "bedz", "unknown key 'requird'")), errors


def test_serve_stops_on_a_bad_rules_file_with_one_located_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for f in (REPO / "rules").glob("*.yaml"):
        (rules / f.name).write_text(f.read_text("utf-8"), "utf-8")
    federal = rules / "federal.yaml"
    federal.write_text(federal.read_text("utf-8").replace("08:00-21:00", "08:00-25:00"), "utf-8")
    line = next(n for n, t in enumerate(federal.read_text().splitlines(), 1) if "25:00" in t)
    env = {"ISA_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    done = isa("serve", "--port", "1", "--rules", str(rules), env=env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    (only,) = done.stderr.splitlines()
    assert only.startswith(f"{federal}:{line}:") and "is not a time of day" in only


def test_serve_refuses_the_dev_rules_without_the_simulated_phone(tmp_path: Path) -> None:
    env = {"ISA_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    done = isa("serve", "--port", "1", "--rules", "rules/dev", env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (only,) = done.stderr.splitlines()
    assert only.startswith("rules/dev/override.yaml:9:1: dev_override ignores quiet hours")
    assert "ISA_DEV_PHONE=true" in only


def test_serve_stops_on_a_placeholder_session_secret(tmp_path: Path) -> None:
    env = {"ISA_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}", "ISA_SESSION_SECRET": "changeme"}
    done = isa("serve", "--port", "1", env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    (only,) = done.stderr.splitlines()
    assert "ISA_SESSION_SECRET is a placeholder" in only


def test_db_upgrade_says_what_it_did_and_never_prints_a_password(tmp_path: Path) -> None:
    from adapters.storage.migrate import HEAD
    from api.cli_ops import _shown

    env = {"ISA_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    first = isa("db", "upgrade", env=env)
    assert first.returncode == 0 and f"migrated from empty to {HEAD}" in first.stdout
    again = isa("db", "upgrade", env=env)
    assert f"was up to date ({HEAD})" in again.stdout
    shown = _shown("postgresql://isa:s3cret-pw@db.example:5432/isa")
    assert "s3cret-pw" not in shown and shown.startswith("postgresql://isa:***@db.example")
