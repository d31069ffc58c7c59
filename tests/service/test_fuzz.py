"""A schemathesis run over the OpenAPI document: whatever a client sends, no server error.

Every operation the document describes is called with generated requests,
valid and invalid, signed in as an admin (so the fuzz reaches past the access
check) on a service holding a lead, a conversation and a waiting suggestion
(so generated ids sometimes hit real rows). It runs on SQLite and, where
``ISA_TEST_POSTGRES_URL`` is set, on PostgreSQL, whose types are the stricter
(NUL characters, 32-bit integers).
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

from adapters.storage.vocab import Role
from tests.service.conftest import Service, ServiceFactory

EXAMPLES = int(os.environ.get("ISA_FUZZ_EXAMPLES", "15"))


@pytest.fixture
def fuzzed(make_service: ServiceFactory) -> tuple[Service, dict[str, str]]:
    """The service without Twilio (so the simulated phone is on), with data and an admin."""
    svc = make_service(twilio=False)
    agent_id, _ = svc.user("maria@example.com", Role.AGENT, "Maria", "Lopez")
    _, admin = svc.user("admin@example.com", Role.ADMIN)
    svc.lead("+15125550142", "Ann", agent_id)
    return svc, admin


def test_no_request_makes_a_server_error(fuzzed: tuple[Service, dict[str, str]]) -> None:
    svc, admin = fuzzed
    api = schemathesis.openapi.from_asgi("/openapi.json", svc.client.app)
    operations = [found.ok() for found in api.get_all_operations()]
    assert len(operations) >= 30  # every router is in the document
    failures: dict[str, str] = {}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case: Any) -> None:
                case.call_and_validate(headers=admin, checks=[not_a_server_error])

            try:
                call()
            except Unsatisfiable:  # nothing invalid to generate for this operation in this mode
                continue
            except Exception as e:  # keep going: report every operation that failed
                failures[f"{operation.label} ({mode.value})"] = str(e)[:2000]
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
