"""``GET /healthz``: what the load balancer in front asks each web process."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.service.conftest import Service


def test_a_process_that_reaches_its_database_is_healthy(service: Service) -> None:
    answer = service.client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_a_process_whose_database_is_gone_answers_503(tmp_path: Path) -> None:
    gone = tmp_path / "no-such-directory" / "isa.db"  # SQLite cannot open it
    app = create_app(Settings(database_url=f"sqlite:///{gone}"), migrate=False)
    with TestClient(app) as client:
        answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "database unreachable"}
