"""The US data shipped in the package: rebuilt from its sources, it is the same to the byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from wordfreq import get_frequency_dict, zipf_frequency

from isa_engine import us_data
from isa_engine.policy.recipient import locate
from isa_engine.reading.place import _zipf
from tools import build_data


def test_make_data_rebuilds_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    written = build_data.build(tmp_path)
    assert sorted(p.name for p in written) == sorted(us_data.FILES)
    for path in written:
        shipped = build_data.OUT / path.name
        assert path.read_bytes() == shipped.read_bytes(), (
            f"{shipped.name} is stale: run make data and commit the result"
        )


def test_the_shipped_files_stay_small() -> None:
    total = sum((build_data.OUT / name).stat().st_size for name in us_data.FILES)
    assert total < 3 * 2**20


@pytest.mark.parametrize(
    ("phone", "state"),
    [
        ("+17375550100", "TX"),  # an overlay of Austin's 512
        ("+19295550100", "NY"),  # an overlay of New York City
        ("+17875550100", "PR"),
        ("+16715550100", "GU"),
        ("+13405550100", "VI"),
    ],
)
def test_an_area_code_gives_its_state_or_territory(phone: str, state: str) -> None:
    assert locate(phone).states == {state}


@pytest.mark.parametrize("code", ["800", "888", "900", "500"])
def test_codes_for_no_place_give_no_state(code: str) -> None:
    assert code not in us_data.area_code_states()
    assert code in {fields[0] for fields in us_data.rows(us_data.AREA_CODES)}


def test_a_canadian_number_has_no_us_state() -> None:
    assert len(locate("+14165550100").states) > 1  # Toronto: every state's rule applies


def test_the_reader_gets_wordfreqs_frequencies_from_the_word_table() -> None:
    plain = sorted(w for w in get_frequency_dict("en") if re.fullmatch(r"[a-z]+", w))
    for word in [*plain[::5], "frisco", "brick", "hutto", "qqqzx"]:
        true = zipf_frequency(word, "en")
        assert _zipf(word) == (true if true >= us_data.ZIPF_FLOOR else 0.0), word


@pytest.mark.parametrize("word", ["wilkes-barre", "o'fallon", "winston-salem"])
def test_a_word_the_table_cannot_hold_is_asked_of_wordfreq(word: str) -> None:
    assert _zipf(word) == zipf_frequency(word, "en")
