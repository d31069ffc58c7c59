"""``isa leads import`` as an operator runs it: a real process on a generated CSV."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from adapters.storage.engine import make_engine
from adapters.storage.orm import Contact, Inquiry, User
from adapters.storage.vocab import Role
from tests.conftest import REPO

ROWS = 3_000
BAD = {2517: "123", 2600: "", 2999: "not a number"}  # data row → broken or missing phone


def _write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["First Name", "Last Name", "Cell", "Email", "Zip", "Source", "Stars"])
        for n in range(ROWS):
            phone = BAD.get(n, f"(615) 555-{n % 2_500:04d}")  # rows 2500+ repeat a phone
            writer.writerow(
                [
                    f"Lead{n}",
                    "Test",
                    phone,
                    f"lead{n}@example.com",
                    "37206",
                    "Open House",
                    str(n % 6),
                ]
            )
        writer.writerow(["Over", "Five", "615-555-9999", "", "", "Zillow", "7"])


def isa(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "TERM": "dumb",
        "ISA_DATABASE_URL": f"sqlite:///{tmp_path / 'isa.db'}",
        "ISA_SCRIPTS_DIR": str(REPO / "scripts"),
    }
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


def test_import_reports_every_bad_row_and_loads_the_good_ones(tmp_path: Path) -> None:
    source, rejects = tmp_path / "leads.csv", tmp_path / "rejects.csv"
    _write_csv(source)
    made = isa(
        tmp_path, "users", "create", "dana@example.com", "--role", "agent", "--name", "Dana Test"
    )
    assert made.returncode == 0, made.stderr
    done = isa(
        tmp_path,
        "leads",
        "import",
        str(source),
        "--owner",
        "dana@example.com",
        "--rejects",
        str(rejects),
        "--actor",
        "dana@example.com",
    )
    assert done.returncode == 1, done.stderr  # 1: some rows were rejected
    lines = {n + 2 for n in BAD} | {ROWS + 2}  # the header is line 1
    for line in sorted(lines):
        assert f"leads.csv:{line}: rejected:" in done.stderr
    assert "missing phone" in done.stderr and "bad interest level '7'" in done.stderr
    assert f"read {ROWS + 1}: 2500 new, 497 merged into known contacts, 4 rejected" in done.stderr
    assert done.stdout.startswith(f"read={ROWS + 1}, imported=2500, merged=497, rejected=4")
    with rejects.open(newline="", encoding="utf-8") as f:
        assert sorted(int(r["line"]) for r in csv.DictReader(f)) == sorted(lines)
    engine = make_engine(f"sqlite:///{tmp_path / 'isa.db'}")
    with engine.connect() as conn:
        dana = conn.scalar(select(User.id).where(User.role == Role.AGENT))
        assert conn.scalar(select(func.count()).select_from(Contact)) == 2500
        owners = conn.execute(select(Inquiry.owner_id, func.count()).group_by(Inquiry.owner_id))
        assert dict(owners.all()) == {dana: 2997}
    engine.dispose()


def test_importing_the_same_file_again_adds_nothing_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "leads.csv"
    _write_csv(source)
    first = isa(tmp_path, "leads", "import", str(source))
    assert "2500 new, 497 merged" in first.stderr
    again = isa(tmp_path, "leads", "import", str(source))
    assert again.returncode == 1  # the same four rows are still rejected
    assert f"read {ROWS + 1}: 0 new, 2997 already imported (nothing added), 4 rejected" in (
        again.stderr
    )
    assert "already_imported=2997" in again.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'isa.db'}")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Inquiry)) == 2997
    engine.dispose()


def test_a_file_without_a_phone_column_stops_before_importing(tmp_path: Path) -> None:
    source = tmp_path / "no-phone.csv"
    source.write_text("Name,Email\nAnn,ann@example.com\n", encoding="utf-8")
    done = isa(tmp_path, "leads", "import", str(source))
    assert done.returncode == 2 and "COLUMN=phone (--map on the command line" in " ".join(
        done.stderr.split()
    )
    fixed = isa(tmp_path, "leads", "import", str(source), "--map", "Email=phone")
    assert fixed.returncode == 1 and "no-phone.csv:2: rejected: broken phone" in fixed.stderr


def test_a_file_that_is_not_utf8_stops_with_its_line_and_imports_nothing(tmp_path: Path) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes("Name,Phone\nAnn,+1 512 555 0142\nJosé,+1 512 555 0143\n".encode("latin-1"))
    done = isa(tmp_path, "leads", "import", str(source))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "latin1.csv:3: not UTF-8" in " ".join(done.stderr.split())
    engine = make_engine(f"sqlite:///{tmp_path / 'isa.db'}")
    with engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(Contact)) == 0


def test_rejected_rows_keep_their_columns_with_formulas_neutralised(tmp_path: Path) -> None:
    source, rejects = tmp_path / "hostile.csv", tmp_path / "rejects.csv"
    source.write_text(
        "Name,Phone,Notes\n"
        'Ann,"=HYPERLINK(""http://evil.example"",""x"")",@SUM(A1:A9)\n'
        "Ben,+1 512 555 0143,fine\n"
        "Cy,,-2+3\n",
        encoding="utf-8",
    )
    done = isa(tmp_path, "leads", "import", str(source), "--rejects", str(rejects))
    assert done.returncode == 1, done.stderr
    with rejects.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["line", "reason", "Name", "Phone", "Notes"]
    by_name = {r[2]: r for r in rows[1:]}
    assert set(by_name) == {"Ann", "Cy"}
    assert by_name["Ann"][3] == '\'=HYPERLINK("http://evil.example","x")'
    assert by_name["Ann"][4] == "'@SUM(A1:A9)" and by_name["Cy"][4] == "'-2+3"
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
