"""The start-up bench's baseline: FastAPI with one ``/healthz`` route and nothing else.

Started by ``bench.startup`` as ``uvicorn bench.bare_app:create_app --factory``, the way
``isa serve`` starts its app, so the difference is what isa-engine loads and builds.
"""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    """The bare app."""
    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, bool]:
        return {"ok": True}

    return app
