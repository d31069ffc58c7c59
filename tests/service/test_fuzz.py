"""A schemathesis run over the OpenAPI document: whatever a client sends, no server error.

Every operation the document describes is called with generated requests,
valid and invalid, as every kind of caller: each role's token (an admin's
reaches past every access check), a web-form (intake) token, and none at all,
on a service holding a lead, a conversation and a waiting suggestion (so
generated ids sometimes hit real rows). It runs on SQLite and, where
``ISA_TEST_POSTGRES_URL`` is set, on PostgreSQL, whose types are the stricter
(NUL characters, 32-bit integers).

Bounded in the normal suite (``ISA_FUZZ_EXAMPLES`` per operation and mode for
the admin, valid and invalid; ``ISA_FUZZ_ROLE_EXAMPLES`` for every other caller, valid
only unless ``ISA_FUZZ_ROLE_MODES=positive,negative``); ``make fuzz`` runs many more,
both kinds for everyone.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from adapters.storage.orm import User
from adapters.storage.vocab import Role
from api.access import INTAKE
from api.accounts import WEB_FORM_TOKEN, issue_token
from tests.service.conftest import Service, ServiceFactory

EXAMPLES = int(os.environ.get("ISA_FUZZ_EXAMPLES", "4"))
ROLE_EXAMPLES = int(os.environ.get("ISA_FUZZ_ROLE_EXAMPLES", "1"))
ROLE_MODES = [
    GenerationMode(m.strip())
    for m in os.environ.get("ISA_FUZZ_ROLE_MODES", "positive").split(",")
    if m.strip()
]
BOTH = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
CALLERS = [r.value for r in Role] + [INTAKE, "nobody"]


@pytest.fixture
def fuzzed(make_service: ServiceFactory) -> tuple[Service, dict[str, dict[str, str]]]:
    """The service without Twilio (so the simulated phone is on), with data and the headers
    of every kind of caller."""
    svc = make_service(twilio=False)
    agent_id, agent = svc.user("maria@example.com", Role.AGENT, "Maria", "Lopez")
    callers = {Role.AGENT.value: agent, "nobody": {}}
    for role in Role:
        if role is not Role.AGENT:
            callers[role.value] = svc.user(f"{role.value}@example.com", role)[1]
    with svc.container.uow() as uow:
        maria = uow.session.get(User, agent_id)
        assert maria is not None
        _, form = issue_token(uow, maria, name=WEB_FORM_TOKEN, at=svc.clock(), actor_id=None)
        uow.commit()
    callers[INTAKE] = {"Authorization": f"Bearer {form}"}
    svc.lead("+15125550142", "Ann", agent_id)
    return svc, callers


@pytest.mark.parametrize("caller", CALLERS)
def test_no_request_makes_a_server_error(
    fuzzed: tuple[Service, dict[str, dict[str, str]]], caller: str
) -> None:
    svc, callers = fuzzed
    headers = callers[caller]
    admin = caller == Role.ADMIN.value
    examples, modes = (EXAMPLES, BOTH) if admin else (ROLE_EXAMPLES, ROLE_MODES)
    api = schemathesis.openapi.from_asgi("/openapi.json", svc.client.app)
    operations = [found.ok() for found in api.get_all_operations()]
    assert len(operations) >= 30  # every router is in the document
    failures: dict[str, str] = {}
    for operation in operations:
        for mode in modes:

            @given(case=operation.as_strategy(mode))
            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            try:
                call()
            except Unsatisfiable:  # nothing invalid to generate for this operation in this mode
                continue
            except Exception as e:  # keep going: report every operation that failed
                failures[f"{operation.label} ({mode.value})"] = str(e)[:2000]
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
