"""The web console: server-rendered pages (Jinja2, htmx) for ISAs, agents, coordinators,
authors; ``install`` adds its routes and static files to the app ``create_app`` builds."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.web.pages import ROOT, UNDER_CONSOLE
from api.web.render import HERE, PREFIX, is_htmx, page
from api.web.session import SignInNeeded, prepare, read


def install(app: FastAPI) -> None:
    """Serve the console under /console (and send / there)."""
    prepare(app.state.container)
    app.include_router(ROOT)
    for part in UNDER_CONSOLE:
        app.include_router(part, prefix=PREFIX, include_in_schema=False)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static")

    async def sign_in_first(request: Request, _exc: Exception) -> Response:
        target = f"{PREFIX}/sign-in?next={request.url.path}"
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # registered for it only
        if not request.url.path.startswith(PREFIX + "/"):  # the JSON API answers as before
            return await http_exception_handler(request, exc)
        container = request.app.state.container
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return page(
            request,
            "error.html",
            read(container, request),
            status_code=exc.status_code,
            code=exc.status_code,
            detail=detail,
        )

    app.add_exception_handler(SignInNeeded, sign_in_first)
    app.add_exception_handler(StarletteHTTPException, http_error)
