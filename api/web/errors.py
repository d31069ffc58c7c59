"""What went wrong, in words for the page: the engine's errors and the services' HTTP errors."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException

from isa_engine.errors import PersonaRefused


def explain(exc: Exception) -> tuple[str, tuple[str, ...]]:
    """A sentence for the page and, for a text the guard refused, its reasons."""
    if isinstance(exc, PersonaRefused):
        return "This text may not go as written.", tuple(exc.reasons)
    if isinstance(exc, HTTPException):
        return _detail(exc.detail), ()
    return str(exc).strip("'\"") or type(exc).__name__, ()


def _detail(detail: Any) -> str:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):  # pydantic-style: [{"loc": [...], "msg": "..."}]
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", [])[1:])
                parts.append(f"{where}: {item.get('msg', '')}" if where else str(item.get("msg")))
        return "; ".join(parts) or str(detail)
    return str(detail)
