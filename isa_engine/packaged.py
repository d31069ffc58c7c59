"""The package's own data files (``isa_engine/data``), read as they ship.

They are ours and trusted, so YAML is read with libyaml's C loader when PyYAML was built
with it (the wheels are): the same values as ``yaml.safe_load`` at a tenth of the time,
which a process pays at every start for the reader's, the persona guard's and the Fair
Housing lint's lists. Authors' files go through ``located_yaml`` instead, which bounds
what they may do and remembers where each value was written.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def text(name: str) -> str:
    """The text of ``isa_engine/data/<name>``."""
    return resources.files("isa_engine").joinpath("data", name).read_text(encoding="utf-8")


def yaml_document(name: str) -> Any:
    """``isa_engine/data/<name>`` parsed as YAML (plain values only, as ``yaml.safe_load``)."""
    return yaml.load(text(name), Loader=_LOADER)  # CSafeLoader: plain values only
