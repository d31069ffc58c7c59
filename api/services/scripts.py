"""Script versions over HTTP: list, read, upload (validated), publish, and results per version.

Versions are files, ``<scripts dir>/<name>/v<N>.yaml``, as DESIGN.md has it
("one file a version"), so what the API uploads is exactly what ``isa
scripts validate``, the worker and ``FileScriptStore`` load. Which version new
conversations get is ``<name>/published`` (one number), written atomically;
without it the first version is the published one, so a file uploaded or
dropped into the folder is a draft until someone publishes it (the first
upload also writes the marker, pinning what leads get today).
A running conversation is pinned to its ``name@version`` row (invariant 8),
so publishing only ever affects conversations started afterwards.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from adapters.script_files import (
    PUBLISHED_FILE,
    FileScriptStore,
    catalogue,
    load_file,
    marker_version,
)

# the routes and the console read these here, as the service's own
from adapters.script_files import VersionInfo as VersionInfo
from adapters.script_files import published_version as published_version
from adapters.script_files import state_of as state_of
from adapters.script_files import versions_on_disk as versions_on_disk
from adapters.storage import audit
from adapters.storage.orm import Contact, ConversationRow, OutcomeRow
from api.container import Container
from isa_engine.authoring import parse_script, segment_report
from isa_engine.errors import NotAllowed, ScriptError, ScriptErrors, UnknownScript
from isa_engine.model import OutcomeKind, Status
from isa_engine.script import Script

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_REFUSED = "scripts_refused_on_disk"
_log = logging.getLogger("isa.scripts")


def _root(container: Container) -> Path:
    return container.scripts.root


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise UnknownScript(f"{name!r} is not a script name (lower-case letters, digits, - and _)")


def store(container: Container) -> FileScriptStore:
    """The container's script store, reloaded when another process added a version file.

    ``FileScriptStore`` loads once and caches; comparing the files on disk
    (a glob, no parsing) lets every API and worker process see uploads.
    A file that does not validate (a draft saved half-written, dropped into the
    folder) is left out: the versions loaded before keep serving leads, and the
    error is logged once; reading or publishing that version says what is wrong.
    """
    cached = container.scripts
    on_disk = {p.resolve() for p in cached.root.glob("*/v*.y*ml")}
    known = {Path(s.source).resolve() for v in cached.load().values() for s in v.values()}
    if on_disk == known:
        return cached
    stamp = {(p, p.stat().st_mtime_ns, p.stat().st_size) for p in on_disk if p.exists()}
    if container.extras.get(_REFUSED) == stamp:
        return cached  # the files that failed have not changed since: not parsed again
    fresh = FileScriptStore(cached.root)
    try:
        fresh.load()
    except ScriptErrors as e:
        container.extras[_REFUSED] = stamp
        _log.warning("script files left out, the loaded versions keep serving:\n%s", e)
        return cached
    container.scripts = fresh
    return fresh


def _script(container: Container, name: str, version: int) -> Script:
    """``name@version`` from the store, or, for a file the store left out, its own errors."""
    try:
        return store(container).get(f"{name}@{version}")
    except UnknownScript:
        path = versions_on_disk(_root(container), name).get(version)
        if path is None:
            raise
        return load_file(path)  # ScriptErrors, located, when it does not validate


def published_ref(container: Container, name: str) -> str:
    """``name@version`` of the published version, loadable from the container's store."""
    _check_name(name)
    ref = f"{name}@{published_version(_root(container), name)}"
    store(container).get(ref)  # fails loudly now rather than when the first text is due
    return ref


def list_scripts(container: Container) -> dict[str, list[VersionInfo]]:
    """Every script with its versions, oldest first, each live, draft or earlier."""
    return catalogue(_root(container))


def get_version(container: Container, name: str, version: int) -> tuple[Script, str]:
    """The validated script and its YAML text."""
    _check_name(name)
    script = _script(container, name, version)
    return script, Path(script.source).read_text(encoding="utf-8")


def segments(script: Script) -> list[dict[str, object]]:
    """Each template's encoding and SMS segments, filled with long sample values."""
    return [
        {
            "template": path,
            "encoding": info.encoding,
            "segments": info.segments,
            "non_gsm": list(info.non_gsm),
        }
        for path, info in segment_report(script)
    ]


def upload(
    container: Container, session: Session, name: str, text: str, *, actor_id: int
) -> Script:
    """Validate ``text`` as the next version of ``name`` and store it; the caller commits.

    ScriptErrors (422, each located) when it is not a valid script, or not the
    next version of this name; NotAllowed (409) when another upload took that
    number first.
    """
    _check_name(name)
    root = _root(container)
    versions = versions_on_disk(root, name)
    expected = max(versions, default=0) + 1
    source = f"{name}/v{expected}.yaml"
    script = parse_script(text, source)
    problems = []
    if script.name != name:
        problems.append(
            ScriptError(
                source,
                _line_of(text, "name"),
                1,
                f"the file is script {script.name!r}, uploaded as {name!r}",
            )
        )
    if script.version != expected:
        problems.append(
            ScriptError(
                source,
                _line_of(text, "version"),
                1,
                f"version must be {expected}, the next one of {name!r}, not {script.version}",
            )
        )
    if problems:
        raise ScriptErrors(problems)
    (root / name).mkdir(parents=True, exist_ok=True)
    if versions and marker_version(root, name) not in versions:
        _write_marker(root, name, published_version(root, name))  # pin what leads get today
    path = root / name / f"v{expected}.yaml"
    try:
        with path.open("x", encoding="utf-8") as out:  # "x": two uploads never share a number
            out.write(text)
    except FileExistsError:
        raise NotAllowed(
            f"{name}@{expected} was uploaded meanwhile: upload v{expected + 1}"
        ) from None
    audit.record(
        session,
        actor_id=actor_id,
        action="script.upload",
        subject=("script", f"{name}@{expected}"),
        at=container.clock(),
        path=str(path),
    )
    store(container)
    return store(container).get(f"{name}@{expected}")


def publish(
    container: Container, session: Session, name: str, version: int, *, actor_id: int | None
) -> int:
    """Make ``version`` the one new conversations get; returns the previous one.

    ``actor_id`` None: published from the command line (``isa scripts publish``).
    """
    _check_name(name)
    root = _root(container)
    _script(container, name, version)  # refuses unknown or invalid versions
    if f"{name}@{version}" not in {
        s.key for v in store(container).load().values() for s in v.values()
    }:
        raise NotAllowed(  # it validates, but another file kept the store from reloading
            f"{name}@{version} cannot be published while other script files do not validate "
            "(isa scripts validate scripts/ lists them)"
        )
    previous = published_version(root, name)
    _write_marker(root, name, version)
    audit.record(
        session,
        actor_id=actor_id,
        action="script.publish",
        subject=("script", f"{name}@{version}"),
        at=container.clock(),
        previous=previous,
    )
    return previous


def _write_marker(root: Path, name: str, version: int) -> None:
    tmp = root / name / f".{PUBLISHED_FILE}.{os.getpid()}"
    tmp.write_text(f"{version}\n", encoding="utf-8")
    os.replace(tmp, root / name / PUBLISHED_FILE)  # atomic: readers see old or new


def _line_of(text: str, key: str) -> int:
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith(f"{key}:"):
            return n
    return 1


def stats(session: Session, name: str, version: int) -> dict[str, int]:
    """Counts for one version: conversations, appointments, engagements, opt-outs, dead."""
    on_version = (ConversationRow.script_name == name, ConversationRow.script_version == version)
    conversations = session.scalar(select(func.count(ConversationRow.id)).where(*on_version))
    outcomes: dict[str, int] = {
        kind: count
        for kind, count in session.execute(
            select(OutcomeRow.kind, func.count(func.distinct(OutcomeRow.conversation_id)))
            .join(ConversationRow, ConversationRow.id == OutcomeRow.conversation_id)
            .where(*on_version)
            .group_by(OutcomeRow.kind)
        )
    }
    dead = (
        select(func.count(ConversationRow.id))
        .join(Contact, Contact.id == ConversationRow.contact_id)
        .where(*on_version, ConversationRow.status == Status.DEAD)
    )
    reason = func.lower(func.coalesce(Contact.dead_reason, ""))
    opt_outs = dead.where(
        or_(reason.like("%opt%"), reason.like("%unsubscri%"), reason.like("%stop%"))
    )
    return {
        "conversations": int(conversations or 0),
        "appointments": int(outcomes.get(OutcomeKind.APPOINTMENT, 0)),
        "engagements": int(outcomes.get(OutcomeKind.ENGAGEMENT, 0)),
        "opt_outs": int(session.scalar(opt_outs) or 0),
        "dead": int(session.scalar(dead) or 0),
    }
