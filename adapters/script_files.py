"""Scripts on disk: ``scripts/<name>/v<N>.yaml``, one file a version."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from isa_engine.authoring import parse_script
from isa_engine.errors import ScriptError, ScriptErrors, UnknownScript
from isa_engine.script import Script

_VERSION_FILE = re.compile(r"^v(\d+)\.ya?ml$")


def default_root() -> Path:
    """``./scripts`` when there is one, else the scripts folder beside the packages."""
    here = Path.cwd() / "scripts"
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "scripts"


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
        """``name`` (the latest version) or ``name@version``."""
        name, _, version = ref.partition("@")
        versions = self.load().get(name)
        if not versions:
            known = ", ".join(sorted(self.load())) or "none"
            raise UnknownScript(f"no script named {name!r} in {self.root} (known: {known})")
        if not version:
            return versions[max(versions)]
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
        ``translations`` name, the version ``ref_of(name)`` gives (default: the newest), or
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
