"""YAML to plain Python values, remembering where every value was written.

PyYAML's composer keeps a mark (line, column) on every node; we walk the node
tree once and record, for each path of keys and indexes, where it starts, so a
later check can say ``buyer/v1.yaml:14:7: unknown slot 'bedz'``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from isa_engine.errors import ScriptError

Path = tuple[str | int, ...]


@dataclass
class Located:
    """A parsed document and the (line, col) of each value and key, both 1-based."""

    data: Any
    source: str
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """The position of ``path``, or of its nearest enclosing value that has one."""
        p = tuple(path)
        while True:
            table = self.key_marks if key and p in self.key_marks else self.marks
            if p in table:
                return table[p]
            if not p:
                return (1, 1)
            p = p[:-1]

    def error(self, path: Sequence[str | int], message: str, *, key: bool = False) -> ScriptError:
        """A ScriptError located at ``path``."""
        line, col = self.where(path, key=key)
        return ScriptError(self.source, line, col, message)


def load_located(text: str, source: str) -> Located:
    """Parse one YAML document; a syntax error becomes a located ScriptError."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ScriptError(source, line, col, f"not valid YAML: {e.problem or e}") from None
    except yaml.reader.ReaderError as e:  # a control character YAML does not allow
        before = text[: e.position]
        line, col = before.count("\n") + 1, e.position - (before.rfind("\n") + 1) + 1
        raise ScriptError(
            source, line, col, f"not valid YAML: character U+{e.character:04X} is not allowed"
        ) from None
    doc = Located(data=None, source=source)
    if node is None:
        raise ScriptError(source, 1, 1, "the file is empty")
    doc.data = _walk(node, (), doc, yaml.SafeLoader(""))
    return doc


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _walk(node: yaml.Node, path: Path, doc: Located, loader: yaml.SafeLoader) -> Any:
    doc.marks[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in out:
                line, col = _mark(key_node)
                raise ScriptError(doc.source, line, col, f"key {key!r} is given twice")
            doc.key_marks[(*path, key)] = _mark(key_node)
            out[key] = _walk(value_node, (*path, key), doc, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*path, i), doc, loader) for i, item in enumerate(node.value)]
    # scalars are constructed exactly as yaml.safe_load would (ints, bools, dates…)
    return loader.construct_object(node, deep=True)


def located_error(doc: Located, err: Mapping[str, Any]) -> ScriptError:
    """One pydantic validation error (an item of ``ValidationError.errors()``), located and
    said in plain words: an unknown key at the key, a missing one at its mapping."""
    path = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    kind = err["type"]
    if kind == "extra_forbidden":
        return doc.error(path, f"unknown key {path[-1]!r}", key=True)
    if kind == "missing":
        return doc.error(path[:-1], f"missing key {path[-1]!r}")
    message = str(err["msg"]).removeprefix("Value error, ")
    return doc.error(path, f"{'.'.join(map(str, path)) or 'the file'}: {message}")
