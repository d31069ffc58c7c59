"""SMS segments (COMPLIANCE.md #13): GSM-7 160 / 153, UCS-2 70 / 67, escapes count twice."""

from __future__ import annotations

import dataclasses

import pytest

from isa_engine.sms import GSM_BASIC, GSM_EXTENSION, SegmentInfo, segments


@pytest.mark.parametrize(
    ("length", "expected"),
    [(1, 1), (70, 1), (159, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_a_plain_text_needs_one_segment_up_to_160_then_one_per_153(
    length: int, expected: int
) -> None:
    info = segments("a" * length)
    assert info == SegmentInfo("GSM-7", length, expected, ())


@pytest.mark.parametrize(
    ("length", "expected"),
    [(1, 1), (69, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_a_ucs2_text_needs_one_segment_up_to_70_then_one_per_67(length: int, expected: int) -> None:
    info = segments("ж" * length)
    assert (info.encoding, info.units, info.segments) == ("UCS-2", length, expected)


def test_an_empty_text_needs_no_segment() -> None:
    assert segments("") == SegmentInfo("GSM-7", 0, 0, ())


@pytest.mark.parametrize("char", list("^{}\\[~]|€\f"))
def test_an_extension_character_costs_two_septets(char: str) -> None:
    info = segments(char)
    assert (info.encoding, info.units, info.segments) == ("GSM-7", 2, 1)


def test_159_letters_and_a_euro_sign_overflow_into_two_segments() -> None:
    assert segments("a" * 158 + "€").segments == 1  # 160 septets exactly
    assert segments("a" * 159 + "€").segments == 2  # 161 septets


def test_an_escape_pair_is_never_split_across_two_parts() -> None:
    # 152 letters then "€": the pair would take septets 153-154, so it opens part 2.
    text = "a" * 152 + "€" + "a" * 10
    assert segments(text).units == 164
    assert segments(text).segments == 2
    # 152 + pair (moved) + 151 fills part 2 exactly at 153; one more opens part 3.
    assert segments("a" * 152 + "€" + "a" * 151).segments == 2
    assert segments("a" * 152 + "€" + "a" * 152).segments == 3


def test_a_curly_apostrophe_flips_the_whole_text_to_ucs2() -> None:
    straight = "Hi Maria! It's Dana's assistant. Are you still looking? Reply STOP to opt out."
    curly = straight.replace("'", "\u2019")
    assert segments(straight).encoding == "GSM-7"
    info = segments(curly)
    assert info.encoding == "UCS-2"
    assert info.non_gsm == ("\u2019",)
    assert info.units == len(curly)


def test_one_curly_quote_makes_a_140_character_text_take_two_segments() -> None:
    text = "a" * 139 + "\u2019"
    assert segments("a" * 140).segments == 1
    assert segments(text) == SegmentInfo("UCS-2", 140, 3, ("\u2019",))


@pytest.mark.parametrize(
    ("text", "units"),
    [("👍", 2), ("Great! 👍", 9), ("🏡🏡", 4), ("ж", 1)],
)
def test_an_emoji_counts_two_utf16_units(text: str, units: int) -> None:
    info = segments(text)
    assert (info.encoding, info.units) == ("UCS-2", units)


def test_a_surrogate_pair_is_never_split_across_two_parts() -> None:
    # 66 units then an emoji (2 units) would straddle 67: it opens part 2.
    assert segments("ж" * 66 + "👍" + "ж" * 65).segments == 2
    assert segments("ж" * 66 + "👍" + "ж" * 66).segments == 3


def test_non_gsm_lists_each_offending_character_once_in_order() -> None:
    info = segments("Call me “soon” 👍 – ok 👍")
    assert info.non_gsm == ("“", "”", "👍", "–")


@pytest.mark.parametrize(
    "text",
    [
        "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ",
        "¡ÄÖÑÜ§¿äöñüà",
        "Line one\nLine two\r\n",
        " !\"#¤%&'()*+,-./0123456789:;<=>?",
    ],
)
def test_every_gsm_basic_character_keeps_gsm7(text: str) -> None:
    info = segments(text)
    assert (info.encoding, info.units, info.non_gsm) == ("GSM-7", len(text), ())


@pytest.mark.parametrize("char", ["ç", "á", "í", "ó", "ú", "\t", "`", "\x1b", "’", "—", "…", "•"])
def test_characters_outside_gsm_0338_force_ucs2(char: str) -> None:
    info = segments("Hello " + char)
    assert info.encoding == "UCS-2"
    assert info.non_gsm == (char,)


def test_the_gsm_tables_have_the_standard_sizes() -> None:
    # 128 code points minus the escape; the extension table's ten characters.
    assert len(GSM_BASIC) == 127
    assert len(GSM_EXTENSION) == 10
    assert not GSM_BASIC & GSM_EXTENSION


def test_segment_info_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        segments("hi").segments = 2  # type: ignore[misc]
