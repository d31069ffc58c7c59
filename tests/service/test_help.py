"""HELP through Twilio's webhook (COMPLIANCE.md #8): answered at once by the engine, at any
hour and after an opt-out, with who texts, a contact and how to opt out; never a suggestion
an ISA could hold or edit; and a script whose help text lacks them fails validation."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from adapters.storage.orm import ConversationRow, Message, Suggestion
from adapters.storage.vocab import Direction, Role
from tests.conftest import REPO
from tests.integration.test_cli import isa
from tests.service.conftest import Service

ANA = "+15125550142"


def _help_replies(service: Service) -> list[str]:
    return [t for t in service.texted(ANA) if "STOP to opt out" in t and "help@" in t]


def _pending(service: Service) -> list[str]:
    with service.container.uow(read_only=True) as uow:
        return list(
            uow.session.scalars(select(Suggestion.text).where(Suggestion.state == "pending"))
        )


def test_help_mid_script_is_answered_at_once_without_the_queue(service: Service) -> None:
    maria, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    service.lead(ANA, "Ana", maria)
    before = _pending(service)  # the opening, waiting for an ISA (ISA_AUTO_APPROVE=none)
    with service.container.uow(read_only=True) as uow:
        awaiting = uow.session.scalar(select(ConversationRow.awaiting))
    assert service.inbound(ANA, "HELP").status_code == 200
    [reply] = _help_replies(service)
    assert reply.startswith("This is Maria's assistant") and "help@example.com" in reply
    assert _pending(service) == before  # nothing for an ISA to hold or edit
    with service.container.uow(read_only=True) as uow:
        assert uow.session.scalar(select(ConversationRow.awaiting)) == awaiting
        sent_by = uow.session.scalar(
            select(Message.sent_by).where(Message.direction == Direction.OUT, Message.body == reply)
        )
    assert sent_by == "auto"


def test_help_at_night_is_not_held_by_quiet_hours(service: Service) -> None:
    maria, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    service.lead(ANA, "Ana", maria)
    service.clock.advance(hours=13)  # 23:00 in Austin: nothing else may go
    service.inbound(ANA, "help")
    assert len(_help_replies(service)) == 1


def test_help_after_an_opt_out_is_answered_and_nothing_else_is(service: Service) -> None:
    maria, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    service.lead(ANA, "Ana", maria)
    service.inbound(ANA, "STOP")
    after_stop = len(service.texted(ANA))
    service.inbound(ANA, "HELP")
    assert len(_help_replies(service)) == 1
    service.clock.advance(minutes=5)
    service.inbound(ANA, "yes I'm still looking")
    assert len(service.texted(ANA)) == after_stop + 1  # HELP's answer only


def test_help_does_not_count_against_a_states_daily_cap(service: Service) -> None:
    maria, _ = service.user("maria@example.com", Role.AGENT, "Maria")
    fl = "+13055550142"  # Miami: three texts in 24 h
    service.lead(fl, "Flo", maria)
    for _ in range(4):
        service.inbound(fl, "HELP")
        service.clock.advance(minutes=1)
    assert sum("help@example.com" in t for t in service.texted(fl)) == 4


def test_a_help_text_without_a_contact_or_stop_fails_validation(tmp_path: Path) -> None:
    bad = tmp_path / "buyer" / "v1.yaml"
    bad.parent.mkdir()
    text = (REPO / "scripts" / "buyer" / "v1.yaml").read_text(encoding="utf-8")
    text = text.replace("here or write to help@example.com. Reply STOP to opt out.", "here.")
    bad.write_text(text, "utf-8")
    done = isa("scripts", "validate", str(bad))
    assert done.returncode == 1
    lines = text.splitlines()
    help_at = next(n for n, t in enumerate(lines, 1) if t.strip() == "help:")
    line = next(n for n, t in enumerate(lines, 1) if "reply: >" in t and n > help_at)
    assert f"{bad}:{line}:" in done.stderr, done.stderr
    assert "a contact" in done.stderr and "how to opt out" in done.stderr
