"""Sign in with e-mail and password, sign out, and each role's first page."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from adapters.storage import audit
from adapters.storage.orm import ApiToken
from api import sign_in as throttle
from api.accounts import issue_token
from api.deps import ContainerDep
from api.routes.auth import client_address
from api.security import token_hash
from api.sign_in import Attempt
from api.web import session as web_session
from api.web.render import PREFIX, page
from api.web.session import PostDep
from api.web.waiting import landing

router = APIRouter()
root = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str | None:
    # only our own pages: never an open redirect to another site
    if target and target.startswith(PREFIX + "/") and "//" not in target and "\\" not in target:
        return target
    return None


@root.get("/")
def to_console() -> RedirectResponse:
    """The console is the service's front page."""
    return RedirectResponse(f"{PREFIX}/", status_code=307)


@root.get("/favicon.ico")
def no_icon() -> Response:
    """Browsers ask for an icon at the root; there is none (and no 404 in their consoles)."""
    return Response(status_code=204)


@router.get("/")
def home(request: Request, container: ContainerDep) -> RedirectResponse:
    """Each role's first page; the sign-in page for strangers."""
    found = web_session.read(container, request)
    if found is None:
        return RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
    return RedirectResponse(landing(container, found.user), status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str | None = None) -> HTMLResponse:
    """The sign-in form."""
    return page(request, "signin.html", None, next=_safe_next(next) or "", error=None)


def _from_our_page(request: Request, public_url: str) -> bool:
    """Whether a sign-in was posted by our own page, not by another site's form (login
    CSRF: signing the victim's browser into the attacker's account). Browsers say so in
    Sec-Fetch-Site, and older ones in Origin (or Referer), which must name this host (as
    the request reached us, or as ISA_PUBLIC_URL names it); a client that sends neither
    (curl, a script) is no browser a site could drive."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin:
        return True
    if origin == "null":  # a form in a sandboxed frame, or a redirect across sites
        return False
    ours = {request.url.netloc.lower(), urlsplit(public_url).netloc.lower()}
    return urlsplit(origin).netloc.lower() in ours


@router.post("/sign-in", response_model=None)
def sign_in(
    request: Request,
    container: ContainerDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password, issue a console token, set the session cookie."""
    if not _from_our_page(request, container.settings.public_url):
        raise HTTPException(403, "sign in from the console's own page")
    attempt = Attempt(email.strip().lower(), client_address(request), "console")
    with container.uow() as uow:
        try:
            user = throttle.authenticate(container, uow, attempt, password)
            error = None if user is not None else "Wrong e-mail or password."
        except throttle.Throttled as exc:
            user, error = None, f"{str(exc)[0].upper()}{str(exc)[1:]}."
        if user is None:
            uow.commit()  # the failure counts
            answer = page(
                request,
                "signin.html",
                None,
                next=_safe_next(next) or "",
                error=error,
                email=email,
            )
            if error and error.startswith("Too many"):
                answer.status_code = 429
            return answer
        now = container.clock()
        _, token = issue_token(
            uow,
            user,
            name="console",
            at=now,
            actor_id=user.id,
            console=True,
            expires_at=now + timedelta(seconds=web_session.MAX_AGE),
            user_agent=request.headers.get("user-agent"),
        )
        uow.commit()
    target = _safe_next(next) or landing(container, user)
    response = RedirectResponse(target, status_code=303)
    # behind a TLS-terminating proxy the scheme is https only if ISA_TRUSTED_PROXIES names it
    secure = container.settings.secure_cookies or request.url.scheme == "https"
    web_session.start(container, response, token, secure=secure)
    return response


@router.post("/sign-out")
def sign_out(container: ContainerDep, session: PostDep) -> RedirectResponse:
    """Revoke the console token and forget the cookie."""
    now = container.clock()
    with container.uow() as uow:
        row = uow.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == token_hash(session.token))
        )
        if row is not None and row.revoked_at is None:
            row.revoked_at = now
            audit.record(
                uow.session,
                actor_id=session.user.id,
                action="token.revoke",
                subject=("user", session.user.id),
                at=now,
                token_id=row.id,
                why="signed out of the console",
            )
            uow.commit()
    response = RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
    web_session.end(response)
    return response
