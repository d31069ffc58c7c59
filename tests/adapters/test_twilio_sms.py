"""TwilioSms drives the real twilio client against a local fake of Twilio's Messages API."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.twilio_sms import TwilioSms
from isa_engine.ports import PermanentSendError, RecipientUnsubscribed, TransientSendError
from tests.fakes.twilio_api import ACCOUNT, TOKEN, FakeTwilioApi

ANA = "+15125550142"
SERVICE = "MG" + "a" * 32
CALLBACK = "https://isa.example.com/sms/status"
HELLO = "Hi Ana! This is Dana's assistant. Are you still looking? Reply STOP to opt out."


@pytest.fixture
def twilio() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi() as fake:
        yield fake


def sender(fake: FakeTwilioApi, **options: Any) -> TwilioSms:
    settings: dict[str, Any] = {
        "messaging_service_sid": SERVICE,
        "status_callback": CALLBACK,
        "api_base": fake.url,
        "timeout": 0.5,
    }
    return TwilioSms(ACCOUNT, TOKEN, **{**settings, **options})


def test_a_text_goes_from_the_messaging_service_with_our_status_callback(
    twilio: FakeTwilioApi,
) -> None:
    sid = sender(twilio).send(ANA, HELLO, "in:SM1:0")
    [message] = twilio.sent_to(ANA)
    assert sid == message.sid and sid.startswith("SM")
    assert message.body == HELLO and message.messaging_service_sid == SERVICE
    assert message.status_callback == CALLBACK and message.from_ is None
    [create] = twilio.creates()
    assert create.user == ACCOUNT and create.fields["SmartEncoded"] == "false"


def test_without_a_messaging_service_the_text_goes_from_the_number(twilio: FakeTwilioApi) -> None:
    sender(twilio, messaging_service_sid=None, from_="+15125550100").send(ANA, HELLO, "k")
    [message] = twilio.sent_to(ANA)
    assert message.from_ == "+15125550100" and message.messaging_service_sid is None


def test_a_sender_needs_a_number_or_a_messaging_service(twilio: FakeTwilioApi) -> None:
    with pytest.raises(ValueError, match="ISA_TWILIO_MESSAGING_SERVICE_SID or ISA_TWILIO_FROM"):
        sender(twilio, messaging_service_sid=None)


def test_the_same_key_sent_twice_is_one_text(twilio: FakeTwilioApi) -> None:
    sms = sender(twilio)
    assert sms.send(ANA, HELLO, "k") == sms.send(ANA, HELLO, "k")
    assert len(twilio.sent_to(ANA)) == 1 and len(twilio.creates()) == 1


@pytest.mark.parametrize("lost", ["slow", "drop"])
def test_a_retry_after_a_lost_answer_finds_the_text_and_never_sends_it_twice(
    twilio: FakeTwilioApi, lost: str
) -> None:
    sms = sender(twilio, timeout=0.3)
    setattr(twilio, lost, 1)  # Twilio creates the message, but its answer never arrives
    with pytest.raises(TransientSendError, match="may have gone"):
        sms.send(ANA, HELLO, "suggestion:7")
    [created] = twilio.sent_to(ANA)
    assert sms.send(ANA, HELLO, "suggestion:7") == created.sid
    assert len(twilio.sent_to(ANA)) == 1 and len(twilio.creates()) == 1
    assert twilio.received[-1].method == "GET" and twilio.received[-1].fields["To"] == ANA


def test_a_retry_after_a_500_that_created_nothing_sends_the_text_once(
    twilio: FakeTwilioApi,
) -> None:
    sms = sender(twilio)
    twilio.fail = 1
    with pytest.raises(TransientSendError, match="500"):
        sms.send(ANA, HELLO, "k")
    assert twilio.sent_to(ANA) == []
    sid = sms.send(ANA, HELLO, "k")  # looked up first, not found, so sent
    assert [m.sid for m in twilio.sent_to(ANA)] == [sid]


def test_an_earlier_identical_text_under_another_key_is_not_taken_for_this_one(
    twilio: FakeTwilioApi,
) -> None:
    help_text = "Dana's assistant: texts about your home search. Reply STOP to opt out."
    sms = sender(twilio)
    first = sms.send(ANA, help_text, "in:SM1:0")
    twilio.fail = 1  # the second HELP reply's first attempt creates nothing
    with pytest.raises(TransientSendError):
        sms.send(ANA, help_text, "in:SM2:0")
    second = sms.send(ANA, help_text, "in:SM2:0")
    assert second != first and [m.sid for m in twilio.sent_to(ANA)] == [first, second]


def test_a_new_process_told_the_text_was_unsure_looks_it_up_before_sending(
    twilio: FakeTwilioApi,
) -> None:
    claimed = datetime.now(UTC)
    twilio.drop = 1
    with pytest.raises(TransientSendError):
        sender(twilio).send(ANA, HELLO, "begin:3:0")  # then this process dies
    restarted = sender(twilio)
    sid = restarted.send(ANA, HELLO, "begin:3:0", unsure_since=claimed)
    assert [m.sid for m in twilio.sent_to(ANA)] == [sid]


def test_21610_means_the_recipient_unsubscribed_and_nothing_is_sent(
    twilio: FakeTwilioApi,
) -> None:
    twilio.unsubscribed.add(ANA)
    with pytest.raises(RecipientUnsubscribed, match="21610") as caught:
        sender(twilio).send(ANA, HELLO, "k")
    assert caught.value.code == 21610 and twilio.sent_to(ANA) == []


def test_an_invalid_number_is_a_permanent_error_and_not_an_unsubscribe(
    twilio: FakeTwilioApi,
) -> None:
    with pytest.raises(PermanentSendError, match="21211") as caught:
        sender(twilio).send("+1512", HELLO, "k")
    assert not isinstance(caught.value, RecipientUnsubscribed)


def test_a_rate_limit_is_transient_and_the_retry_sends_once(twilio: FakeTwilioApi) -> None:
    sms = sender(twilio)
    twilio.rate_limit = 1
    with pytest.raises(TransientSendError, match="429"):
        sms.send(ANA, HELLO, "k")
    sms.send(ANA, HELLO, "k")
    assert len(twilio.sent_to(ANA)) == 1
    assert [r.method for r in twilio.received] == ["POST", "POST"]  # a 429 needs no lookup


def test_wrong_credentials_wait_for_the_operator_instead_of_failing_the_text(
    twilio: FakeTwilioApi,
) -> None:
    wrong = TwilioSms(ACCOUNT, "0" * 32, messaging_service_sid=SERVICE, api_base=twilio.url)
    with pytest.raises(TransientSendError, match="ISA_TWILIO_AUTH_TOKEN") as caught:
        wrong.send(ANA, HELLO, "k")
    assert caught.value.code == 20003 and twilio.sent_to(ANA) == []


def _behind(seconds: int) -> Any:
    """A clock ``seconds`` behind this machine's: Twilio's, as a fast server sees it."""
    return lambda: datetime.now(UTC) - timedelta(seconds=seconds)


def test_a_server_clock_minutes_ahead_of_twilios_still_finds_the_text_after_a_crash(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with FakeTwilioApi(clock=_behind(120)) as twilio:  # our clock runs 2 minutes fast
        claimed = datetime.now(UTC)
        twilio.drop = 1
        with pytest.raises(TransientSendError):
            sender(twilio).send(ANA, HELLO, "begin:3:0")  # then this process dies
        restarted = sender(twilio)
        with caplog.at_level(logging.WARNING, logger="isa.twilio"):
            sid = restarted.send(ANA, HELLO, "begin:3:0", unsure_since=claimed)
        assert [m.sid for m in twilio.sent_to(ANA)] == [sid]  # found, not sent twice
        assert restarted.clock_offset is not None
        assert abs(restarted.clock_offset + timedelta(seconds=120)) < timedelta(seconds=3)
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "clock is +12" in warning.getMessage() and "NTP" in warning.getMessage()


def test_without_measuring_the_skew_that_text_would_have_gone_twice() -> None:
    with FakeTwilioApi(clock=_behind(120)) as twilio:
        claimed = datetime.now(UTC)
        twilio.drop = 1
        with pytest.raises(TransientSendError):
            sender(twilio).send(ANA, HELLO, "begin:3:0")
        restarted = sender(twilio)
        restarted._client.http_client.request_hooks = {}  # measure nothing
        assert restarted.find(ANA, HELLO, claimed) is None  # the 10 s window alone misses it


def test_a_small_skew_is_measured_but_not_warned_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with FakeTwilioApi(clock=_behind(5)) as twilio:
        sms = sender(twilio)
        with caplog.at_level(logging.WARNING, logger="isa.twilio"):
            sms.send(ANA, HELLO, "k")
        assert sms.clock_offset is not None and sms.clock_offset < timedelta(0)
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]
