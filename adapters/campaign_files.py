"""Drip campaigns on disk: ``scripts/campaigns/<name>/v<N>.yaml``, one file a version."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from isa_engine.campaign import Campaign, parse_campaign
from isa_engine.errors import ScriptError, ScriptErrors, UnknownScript

FOLDER = "campaigns"
_VERSION_FILE = re.compile(r"^v(\d+)\.ya?ml$")


def default_root() -> Path:
    """``./scripts/campaigns`` when there is one, else the one beside the packages."""
    here = Path.cwd() / "scripts" / FOLDER
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "scripts" / FOLDER


def is_campaign_file(path: Path) -> bool:
    """Whether ``path`` is where a campaign lives (``…/campaigns/<name>/vN.yaml``)."""
    return path.parent.parent.name == FOLDER and bool(_VERSION_FILE.match(path.name))


def load_campaign_file(path: Path) -> Campaign:
    """One campaign file, fully validated; its name and version must match its place."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ScriptError(source, 1, 1, f"not UTF-8 text: {e.reason}") from None
    campaign = parse_campaign(text, source)
    m = _VERSION_FILE.match(path.name)
    problems = []
    if m and int(m.group(1)) != campaign.version:
        problems.append(
            ScriptError(
                source, 1, 1, f"file says version {campaign.version} but is named {path.name}"
            )
        )
    if m and path.parent.name not in (campaign.name, FOLDER):
        problems.append(
            ScriptError(
                source, 1, 1, f"campaign {campaign.name!r} is in folder {path.parent.name!r}"
            )
        )
    if problems:
        raise ScriptErrors(problems)
    return campaign


@dataclass
class FileCampaignStore:
    """Every campaign version under a folder, loaded and validated once."""

    root: Path = field(default_factory=default_root)
    _campaigns: dict[str, dict[int, Campaign]] | None = None

    def load(self) -> dict[str, dict[int, Campaign]]:
        """All campaigns by name and version; ScriptErrors lists every bad file and duplicate."""
        if self._campaigns is not None:
            return self._campaigns
        found: dict[str, dict[int, Campaign]] = {}
        errors: list[ScriptError] = []
        for path in sorted(self.root.glob("*/v*.y*ml")):
            try:
                campaign = load_campaign_file(path)
            except ScriptErrors as e:
                errors += e.errors
                continue
            except ScriptError as e:
                errors.append(e)
                continue
            versions = found.setdefault(campaign.name, {})
            if campaign.version in versions:
                other = versions[campaign.version].source
                errors.append(
                    ScriptError(
                        str(path), 1, 1, f"duplicate version: {campaign.key} is also {other}"
                    )
                )
                continue
            versions[campaign.version] = campaign
        if errors:
            raise ScriptErrors(errors)
        self._campaigns = found
        return found

    def get(self, ref: str) -> Campaign:
        """``name`` (the latest version) or ``name@version``."""
        name, _, version = ref.partition("@")
        versions = self.load().get(name)
        if not versions:
            known = ", ".join(sorted(self.load())) or "none"
            raise UnknownScript(f"no campaign named {name!r} in {self.root} (known: {known})")
        if not version:
            return versions[max(versions)]
        if not version.isdigit() or int(version) not in versions:
            have = ", ".join(f"{name}@{v}" for v in sorted(versions))
            raise UnknownScript(f"no version {version!r} of campaign {name!r} (have: {have})")
        return versions[int(version)]
