"""The language detector: Spanish, English, and the short or mixed texts it leaves undecided."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from isa_engine.reading import read
from isa_engine.reading.language import detect

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.mark.parametrize(
    "text",
    [
        "hola, sí buscamos casa en Katy o Cypress",
        "3 recámaras 2 baños, hasta 320 mil",
        "no tenemos agente",
        "el jueves a las 4",
        "¿quién habla?",
        "se equivocaron de número",
        "q onda, xq no me llaman",
        "sí",
        "hola",
        "BAJA porfa",
        "no me manden más mensajes",
        "Stop. No hablo con desconocidos",
        "todavia no estamos preaprobados",  # no accents, as many phones type
    ],
)
def test_spanish_texts_are_read_as_spanish(text: str) -> None:
    assert detect(text) == "es"


@pytest.mark.parametrize(
    "text",
    [
        "yes still looking",
        "I'm looking in San Antonio or El Paso",
        "we don't have an agent yet",
        "can you call me tomorrow at 3",
        "3 bd 2 ba somewhere in round rock, under 450k",
    ],
)
def test_english_texts_are_read_as_english(text: str) -> None:
    assert detect(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "3",
        "si",
        "yes",
        "no",
        "thanks",
        "",
        "STOP",
        "El Paso",
        "Los Angeles",
        "Santa Ana o Anaheim",
        "3 bedrooms 2 baths",  # Spanglish nouns: decide nothing
        "budget de 250k",
        "tomorrow a las 5",
        "tomorrow at 2pm",  # borrowed words only: a Spanish lead's reply stays Spanish
        "en Katy o Cypress",
        "1.2 mil max, westlake or tarrytown",
        "jgarcia_tx@hotmail.com",
    ],
)
def test_short_mixed_or_borrowed_texts_are_undecided(text: str) -> None:
    assert detect(text) is None


def test_a_mixed_text_takes_its_dominant_language() -> None:
    assert detect("sí, buscamos una casa con 3 bedrooms por favor") == "es"
    assert detect("we're looking for a casa near the school, gracias") == "en"


def test_the_reading_carries_the_language_of_its_text() -> None:
    assert read("hola, buscamos en Laredo", "location", NOW).language == "es"
    assert read("looking in Laredo", "location", NOW).language == "en"
    assert read("3", "beds", NOW).language is None
    assert read("no me manden más mensajes, BAJA", None, NOW).language == "es"
