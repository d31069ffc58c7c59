"""One place maps the engine's errors to HTTP answers that say what and how to fix."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from api.passwords import WeakPassword
from isa_engine.errors import (
    ContactDead,
    IsaError,
    NotAllowed,
    PersonaRefused,
    ScriptError,
    ScriptErrors,
    UnknownScript,
)

STATUS: list[tuple[type[IsaError], int]] = [
    (WeakPassword, 422),
    (ContactDead, 409),
    (NotAllowed, 409),
    (PersonaRefused, 422),
    (ScriptError, 422),
    (UnknownScript, 404),
]


def problem(error: IsaError) -> dict[str, object]:
    """The JSON body for an engine error."""
    body: dict[str, object] = {"error": type(error).__name__, "detail": str(error)}
    if isinstance(error, PersonaRefused):
        body["reasons"] = list(error.reasons)
    if isinstance(error, ScriptErrors):
        body["errors"] = [
            {"path": e.path, "line": e.line, "col": e.col, "message": e.message}
            for e in error.errors
        ]
    elif isinstance(error, ScriptError):
        body["errors"] = [
            {"path": error.path, "line": error.line, "col": error.col, "message": error.message}
        ]
    return body


def install_error_handlers(app: FastAPI) -> None:
    """Map IsaError subclasses to status codes (first match in STATUS, else 400)."""

    async def handle(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, IsaError)  # registered for IsaError only
        code = next((status for kind, status in STATUS if isinstance(exc, kind)), 400)
        return JSONResponse(problem(exc), status_code=code)

    app.add_exception_handler(IsaError, handle)

    async def unstorable(_request: Request, exc: Exception) -> JSONResponse:
        # what validation let through but the database refuses (PostgreSQL: a NUL character);
        # the unit of work rolled back, so nothing of the request was stored
        assert isinstance(exc, DataError)
        detail = (
            "a NUL character (\\u0000) in the request: it cannot be stored; remove it"
            if "NUL" in str(exc.orig)
            else f"a value the database cannot store: {str(exc.orig).splitlines()[0]}"
        )
        return JSONResponse({"error": "Unstorable", "detail": detail}, status_code=422)

    app.add_exception_handler(DataError, unstorable)

    async def invalid(_request: Request, exc: Exception) -> JSONResponse:
        # FastAPI's own answer echoes each bad value back ("input"): a 300 KB script upload
        # came back whole, and a body that is not UTF-8 made the echo itself fail (a 500)
        assert isinstance(exc, RequestValidationError)
        errors = [{k: v for k, v in e.items() if k != "input"} for e in exc.errors()]
        try:
            body = jsonable_encoder({"detail": errors})
        except (UnicodeDecodeError, ValueError, TypeError):
            body = {"detail": [{k: e[k] for k in ("type", "loc", "msg") if k in e} for e in errors]}
        return JSONResponse(body, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid)
