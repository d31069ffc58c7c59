"""An author uploading hostile scripts: each is refused with a located 422, quickly, with
nothing stored, and the service keeps answering meanwhile (issue 14, item 1)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from adapters.storage.vocab import Role
from api.accounts import create_user, issue_token
from api.app import create_app
from api.settings import Settings
from tests.conftest import REPO
from tests.leads.conftest import NOW, Api

V1 = (REPO / "scripts" / "buyer" / "v1.yaml").read_text(encoding="utf-8")
V2 = V1.replace("version: 1", "version: 2", 1)
ASKS = "Are you still looking?"
LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n"
    for i in range(7)
)

# name: (the upload, the text on the line the error must point at, words in its message)
HOSTILE: dict[str, tuple[str, str, str]] = {
    "power": (V2.replace(ASKS, ASKS + " {{ 7**20000000 }}", 1), "opening:", "arithmetic"),
    "repetition": (
        V2.replace(ASKS, ASKS + " {% set x = 'a'*100000000 %}", 1),
        "opening:",
        "assignments",
    ),
    "jinja global": (V2.replace(ASKS, ASKS + " {{ lipsum }}", 1), "opening:", "lipsum"),
    "range": (V2.replace(ASKS, ASKS + " {{ range(99999999) }}", 1), "opening:", "calls"),
    "dunder attribute": (
        V2.replace(ASKS, "{{ agent.__class__ }}", 1),
        "opening:",
        "agent.__class__",
    ),
    "attr filter": (V2.replace(ASKS, "{{ agent|attr('__class__') }}", 1), "opening:", "attr"),
    "string dunder": (V2.replace(ASKS, "{{ ''.__class__ }}", 1), "opening:", "attributes"),
    "recursive alias": (V2 + "\nx: &r [*r]\n", "x: &r [*r]", "recursive alias"),
    "billion laughs": (LAUGHS + V2, "e: &e", "aliases"),
    "python tag": (V2.replace("name: buyer", "name: !!python/name:os.system", 1), "name:", "tag"),
    "deep nesting": (V2 + "\nx: " + "[" * 3000 + "]" * 3000 + "\n", "x: [", "nested"),
    "many aliases": (
        V2 + "\nx: &x y\nz: [" + ",".join(["*x"] * 300) + "]\n",
        "z: [",
        "aliases",
    ),
}


def _upload(api: Api, text: str) -> httpx.Response:
    return api.client.post(
        "/scripts/buyer/versions",
        content=text.encode(),
        headers={**api.headers("author"), "Content-Type": "text/plain"},
    )


def _line_of(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_upload_is_refused_with_a_located_error_and_nothing_stored(
    api: Api, scripts_dir: Path, case: str
) -> None:
    text, marker, words = HOSTILE[case]
    started = time.perf_counter()
    answer = _upload(api, text)
    took = time.perf_counter() - started
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert any(
        e["line"] == _line_of(text, marker) and e["col"] >= 1 and words in e["message"]
        for e in errors
    ), errors
    assert all(e["path"] == "buyer/v2.yaml" for e in errors)
    assert took < 2.0
    assert not (scripts_dir / "buyer" / "v2.yaml").exists()
    assert [v["version"] for v in api.get("/scripts")[0]["versions"]] == [1]


def test_a_script_over_the_size_cap_is_refused_before_it_is_read(api: Api) -> None:
    answer = _upload(api, V2 + "#" * 2_000_000)
    assert answer.status_code == 413
    assert "KB" in answer.json()["detail"]


def test_a_script_just_over_the_character_cap_is_refused_without_being_echoed(
    api: Api,
) -> None:
    answer = _upload(api, V2 + "#" * 250_000)
    assert answer.status_code == 422
    assert "200000" in answer.text.replace(",", "")
    assert len(answer.content) < 2_000  # the 250 KB upload is not sent back


def test_an_upload_that_is_not_utf8_is_a_422_saying_so(api: Api) -> None:
    answer = api.client.post(
        "/scripts/buyer/versions",
        content=b"\xff\xfename: buyer\nversion: 2\n",
        headers={**api.headers("author"), "Content-Type": "text/plain"},
    )
    assert answer.status_code == 422, answer.text
    assert "unicode" in answer.text.lower()
    assert answer.json()["detail"][0]["loc"] == ["body"]


def test_templates_keep_names_filters_and_if_on_a_name(api: Api) -> None:
    kind = V2.replace(
        "Are you still looking?",
        "{% if contact %}Still looking, {{ contact|capitalize }}?{% else %}Still looking?"
        "{% endif %}",
        1,
    )
    answer = _upload(api, kind)
    assert answer.status_code == 201, answer.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, str]]:
    """A real uvicorn server on SQLite and an author's token."""
    db = tmp_path / "isa.db"
    shutil.copyfile(sqlite_template, db)
    shutil.copytree(REPO / "scripts", tmp_path / "scripts")
    settings = Settings(database_url=f"sqlite:///{db}", scripts_dir=tmp_path / "scripts")
    app = create_app(settings, migrate=False, clock=lambda: NOW)
    with app.state.container.uow() as uow:
        author = create_user(uow, email="au@example.com", name="Au", role=Role.AUTHOR, at=NOW)
        _, token = issue_token(uow, author, name="t", at=NOW, actor_id=None)
        uow.commit()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", loop="asyncio")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", token
    server.should_exit = True
    thread.join(timeout=10)
    app.state.container.engine.dispose()


def test_healthz_keeps_answering_while_hostile_scripts_are_uploaded(
    served: tuple[str, str],
) -> None:
    base, token = served
    waits: list[float] = []
    done = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not done.is_set():
                started = time.perf_counter()
                client.get("/healthz")
                waits.append(time.perf_counter() - started)
                time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            for text, _, _ in HOSTILE.values():
                answer = client.post(
                    "/scripts/buyer/versions",
                    content=text.encode(),
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
                )
                assert answer.status_code == 422
    finally:
        done.set()
        prober.join()
    # the issue asks < 100 ms; a shared CI machine is given room, the bug was 40 s
    assert waits and max(waits) < 1.0, sorted(waits)[-5:]
