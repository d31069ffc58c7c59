"""The persona guard and the Fair Housing linter read Spanish as they read English."""

from __future__ import annotations

import pytest

from isa_engine import persona
from isa_engine.policy import fair_housing


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Hola, soy Dana, ¿sigue buscando casa?", "claims to be the agent"),
        ("Le habla Dana, ¿cuándo le llamo?", "claims to be the agent"),
        ("Le escribe Dana sobre su casa", "claims to be the agent"),
        ("Gracias, Dana", "claims to be the agent"),
        ("Le muestro las casas mañana", "claims to be the agent"),
        ("Puedo mostrarle la casa el sábado", "claims to be the agent"),
        ("Soy agente de bienes raíces", "claims to be licensed"),
        ("Soy su realtor para esta compra", "claims to be licensed"),
        ("Tengo licencia en Texas", "claims to be licensed"),
        ("Como su agente, le ayudo", "claims to be licensed"),
        ("No soy un bot, soy una persona real", "claims to be a person"),
        ("Le recomiendo ofrecer menos del precio", "price advice"),
        ("Es un buen precio para esa zona", "price advice"),
        ("Es un buen momento para comprar", "opinion on the market"),
        ("Los precios van a bajar este año", "opinion on the market"),
        ("Las tasas van a bajar, espere", "financing advice"),
        ("No firme el contrato todavía", "contract or legal advice"),
        ("Es una zona segura y tranquila", "neighbourhood"),
        ("Hay buenas escuelas por ahí", "neighbourhood"),
        ("Hola, habla Dana Whitfield", "last name"),
    ],
)
def test_spanish_claims_and_advice_are_refused(text: str, why: str) -> None:
    verdict = persona.check(text, "Dana", "Whitfield")
    assert not verdict.ok
    assert any(why in reason for reason in verdict.reasons), verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        "¡Hola Maria! Soy asistente de Dana. ¿Sigue buscando casa?",
        "Soy la asistente de Dana, una asistente automatizada que escribe en su nombre.",
        "¡Buena pregunta! Dana es la mejor persona para responderle en una llamada.",
        "¡Perfecto! Dana le llamará el jueves 3 de diciembre a las 2 PM. ¡Hasta pronto!",
        "¿Cuántas recámaras busca?",
        "Le aviso a Dana que quiere una llamada.",
        "Dana puede revisar sus opciones y el valor de su casa en una llamada.",
    ],
)
def test_spanish_assistant_texts_pass(text: str) -> None:
    assert persona.check(text, "Dana", "Whitfield").ok


@pytest.mark.parametrize(
    ("text", "trait"),
    [
        ("Ideal para familias sin niños", "familial status"),
        ("Solo cristianos, por favor", "religion"),
        ("solo católicos", "religion"),
        ("Perfecta para parejas jóvenes", "familial status"),
        ("Casa en zona segura", "steering"),
        ("Barrio latino muy bonito", "steering"),
        ("solo mujeres", "sex"),
        ("no sillas de ruedas", "disability"),
        ("¿Tienen hijos?", "familial status"),
        ("¿Está casada?", "familial status"),
        ("¿De dónde es usted?", "national origin"),
        ("¿Habla inglés?", "national origin"),
        ("¿Qué religión practica?", "religion"),
        ("¿Tiene alguna discapacidad?", "disability"),
        ("¿Cuántos años tiene?", "age"),
    ],
)
def test_the_fair_housing_linter_refuses_spanish_phrases_and_questions(
    text: str, trait: str
) -> None:
    problems = fair_housing.lint(text)
    assert any(trait in p for p in problems), problems


@pytest.mark.parametrize(
    "text",
    [
        "¿Cuántas recámaras busca?",
        "¿En qué zona o ciudad busca casa?",
        "¿Ya tiene agente de bienes raíces?",
        "¿Tiene pre-aprobación de un banco, o va a pagar de contado?",
        "¿Sigue buscando casa?",
    ],
)
def test_the_fair_housing_linter_passes_spanish_qualifying_questions(text: str) -> None:
    assert fair_housing.lint(text) == []
