"""Security headers on every console response (issue 14, item 8): a CSP allowing only the
console's own scripts and styles, no inline script or style in any page, no framing."""

from __future__ import annotations

import re

from adapters.storage.vocab import Role
from api.accounts import create_user
from tests.service.conftest import Service

PASSWORD = "correct horse battery"


def _sign_in(service: Service, role: Role) -> None:
    with service.container.uow() as uow:
        create_user(
            uow, email="x@example.com", name="Xe Lo", role=role, at=service.clock(),
            password=PASSWORD,
        )  # fmt: skip
        uow.commit()
    service.client.post("/console/sign-in", data={"email": "x@example.com", "password": PASSWORD})


def test_every_console_page_carries_a_strict_policy_and_no_inline_code(
    service: Service,
) -> None:
    _sign_in(service, Role.ADMIN)
    pages = ["/console/sign-in", "/console/leads", "/console/queue", "/console/scripts"]
    pages += ["/console/leads/99999", "/console/no-such-page"]
    for path in pages:
        answer = service.client.get(path)
        csp = answer.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "style-src 'self' 'unsafe-hashes' 'sha256-47DEQpj8HBSa" in csp  # "" only
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["x-frame-options"] == "DENY"
        html = answer.text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+=", html) and " style=" not in html, path


def test_the_json_api_is_not_sniffed_or_framed(service: Service) -> None:
    answer = service.client.get("/healthz")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
