"""Scripts on disk: ``scripts/<name>/v<N>.yaml``, one file a version.

Which version new conversations get is ``scripts/<name>/published`` (one
number), written by a publish. Without that marker the *first* version is the
published one: a file dropped beside it is a draft, never live, until someone
publishes it (``isa scripts publish``, the console, ``POST /scripts/…/publish``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from isa_engine.authoring import parse_script
from isa_engine.errors import ScriptError, ScriptErrors, UnknownScript
from isa_engine.script import Script

_VERSION_FILE = re.compile(r"^v(\d+)\.ya?ml$")
PUBLISHED_FILE = "published"


def versions_on_disk(root: Path, name: str) -> dict[int, Path]:
    """Every version file of ``name`` under ``root``, by version number."""
    found: dict[int, Path] = {}
    for path in (root / name).glob("v*.y*ml"):
        m = _VERSION_FILE.match(path.name)
        if m:
            found[int(m.group(1))] = path
    return found


def marker_version(root: Path, name: str) -> int | None:
    """The version ``<name>/published`` names, or None without a usable marker."""
    marker = root / name / PUBLISHED_FILE
    if not marker.is_file():
        return None
    text = marker.read_text(encoding="utf-8").strip()
    return int(text) if text.isdigit() else None


def published_version(root: Path, name: str) -> int:
    """The version new conversations of ``name`` start on: the marker's, else the first.

    Read from disk at each call, so a publish by another process (``isa scripts
    publish`` beside a running server) takes effect at the next lead.
    """
    versions = versions_on_disk(root, name)
    if not versions:
        raise UnknownScript(f"no script named {name!r} in {root}")
    marked = marker_version(root, name)
    return marked if marked in versions else min(versions)


def default_root() -> Path:
    """``./scripts`` when there is one, else the scripts folder beside the packages."""
    here = Path.cwd() / "scripts"
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "scripts"


LIVE, DRAFT, EARLIER = "live", "draft", "earlier"


@dataclass(frozen=True)
class VersionInfo:
    """One version of a script: ``state`` is live (the published one: new conversations get
    it), draft (newer: no lead gets it until it is published) or earlier (older)."""

    version: int
    published: bool
    path: str
    state: str


def state_of(version: int, live: int) -> str:
    """live (the published version), draft (newer than it) or earlier (older)."""
    return LIVE if version == live else DRAFT if version > live else EARLIER


def catalogue(root: Path) -> dict[str, list[VersionInfo]]:
    """Every script under ``root`` with its versions, oldest first, each live, draft or earlier.

    Reads only file names and markers (nothing is parsed), so it is cheap to call per page.
    """
    out: dict[str, list[VersionInfo]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        versions = versions_on_disk(root, folder.name)
        if versions:
            live = published_version(root, folder.name)
            out[folder.name] = [
                VersionInfo(v, v == live, str(versions[v]), state_of(v, live))
                for v in sorted(versions)
            ]
    return out


def load_file(path: Path) -> Script:
    """One script file, fully validated; its name and version must match its place."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ScriptError(source, 1, 1, f"not UTF-8 text: {e.reason}") from None
    script = parse_script(text, source)
    m = _VERSION_FILE.match(path.name)
    problems = []
    if m and int(m.group(1)) != script.version:
        problems.append(
            ScriptError(
                source, 1, 1, f"file says version {script.version} but is named {path.name}"
            )
        )
    if m and path.parent.name not in (script.name, "scripts"):
        problems.append(
            ScriptError(source, 1, 1, f"script {script.name!r} is in folder {path.parent.name!r}")
        )
    if problems:
        raise ScriptErrors(problems)
    return script


@dataclass
class FileScriptStore:
    """Every script version under a root folder, loaded and validated once."""

    root: Path = field(default_factory=default_root)
    _scripts: dict[str, dict[int, Script]] | None = None

    def load(self) -> dict[str, dict[int, Script]]:
        """All scripts by name and version; ScriptErrors lists every bad file and duplicate."""
        if self._scripts is not None:
            return self._scripts
        found: dict[str, dict[int, Script]] = {}
        errors: list[ScriptError] = []
        for path in sorted(self.root.glob("*/v*.y*ml")):
            try:
                script = load_file(path)
            except ScriptErrors as e:
                errors += e.errors
                continue
            except ScriptError as e:
                errors.append(e)
                continue
            versions = found.setdefault(script.name, {})
            if script.version in versions:
                errors.append(
                    ScriptError(
                        str(path),
                        1,
                        1,
                        f"duplicate version: {script.key} is also "
                        f"{versions[script.version].source}",
                    )
                )
                continue
            versions[script.version] = script
        if errors:
            raise ScriptErrors(errors)
        self._scripts = found
        return found

    def get(self, ref: str) -> Script:
        """``name`` (its published version, never a draft) or ``name@version``."""
        name, _, version = ref.partition("@")
        versions = self.load().get(name)
        if not versions:
            known = ", ".join(sorted(self.load())) or "none"
            raise UnknownScript(f"no script named {name!r} in {self.root} (known: {known})")
        if not version:
            version = str(published_version(self.root, name))
        if not version.isdigit() or int(version) not in versions:
            have = ", ".join(f"{name}@{v}" for v in sorted(versions))
            raise UnknownScript(f"no version {version!r} of {name!r} (have: {have})")
        return versions[int(version)]

    def translations(
        self,
        script: Script,
        back_to: str | None = None,
        ref_of: Callable[[str], str] | None = None,
    ) -> dict[str, Script]:
        """``script``'s versions in other languages, by language: for each script its
        ``translations`` name, the version ``ref_of(name)`` gives (default: the published one), or
        ``back_to`` (``name@version``, the version a conversation switched from) for that
        name, so a lead who switches back returns to the version they were on. A name the
        store does not have is left out."""
        found: dict[str, Script] = {}
        for language, name in script.translations.items():
            pinned = back_to if back_to and back_to.partition("@")[0] == name else None
            try:
                other = self.get(pinned or (ref_of(name) if ref_of else name))
            except UnknownScript:
                continue
            if other.language == language:
                found[language] = other
        return found
