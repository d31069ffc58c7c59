"""The import's quick phone reading agrees with phonenumbers wherever it answers at all."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.storage.repositories import to_e164
from api.services.csv_import import fast_e164

SEPARATORS = st.sampled_from(["", " ", "-", "."])
US_LIKE = st.builds(
    lambda plus, one, area, s1, exchange, s2, line, paren: (
        f"{plus}{one}{'(' if paren else ''}{area}{')' if paren else ''}{s1}{exchange}{s2}{line}"
    ),
    st.sampled_from(["", "+", " "]),
    st.sampled_from(["", "1", "1 ", "1-"]),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
    SEPARATORS,
    st.from_regex(r"[0-9]{3}", fullmatch=True),
    SEPARATORS,
    st.from_regex(r"[0-9]{4}", fullmatch=True),
    st.booleans(),
)


def _slow(raw: str) -> str | None:
    try:
        return to_e164(raw, "US")
    except ValueError:
        return None


@given(US_LIKE)
def test_the_quick_reading_of_a_us_number_matches_phonenumbers(raw: str) -> None:
    quick = fast_e164(raw, "US")
    if quick is not None:
        assert quick == _slow(raw)


@given(st.text(max_size=20))
def test_any_text_is_either_left_to_phonenumbers_or_read_the_same(raw: str) -> None:
    quick = fast_e164(raw, "US")
    assert quick is None or quick == _slow(raw)


def test_common_list_formats_take_the_quick_path() -> None:
    for raw in (
        "(615) 555-0142",
        "615-555-0142",
        "6155550142",
        "+1 615 555 0142",
        "1.615.555.0142",
    ):
        assert fast_e164(raw, "US") == "+16155550142"
    assert fast_e164("+61 555 0142", "US") is None  # another country: phonenumbers decides
    assert fast_e164("6155550142", "CA") is None
