"""YAML to plain Python values, remembering where every value was written.

PyYAML's composer keeps a mark (line, column) on every node; we walk the node
tree once and record, for each path of keys and indexes, where it starts, so a
later check can say ``buyer/v1.yaml:14:7: unknown slot 'bedz'``.

Script files come from authors over HTTP, so the loader is bounded before it
builds anything: the text's size, the number of aliases, how deeply values
nest, and how many values the aliases expand to (a "billion laughs" file of
1 KB would otherwise become 10⁷ values); a recursive alias, a tag other than
YAML's plain types (``!!python/name:…``) and a key that is not plain text are
refused. Each refusal is a located ScriptError, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from isa_engine.errors import ScriptError

Path = tuple[str | int, ...]

MAX_CHARS = 200_000  # a script is a few KB; the API refuses larger bodies too
MAX_ALIASES = 100
MAX_DEPTH = 40
MAX_VALUES = 20_000  # after aliases are expanded
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        self.mark, self.message = mark, message


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader's composer with alias, depth and recursion limits, checked per event."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0
        self._open: list[str | None] = []  # anchors of the collections being composed

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        # the scanner reads ahead through nested [ and { (and slows quadratically), so
        # flow nesting is refused here, before the composer would see it
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(self.get_mark(), f"values nested more than {MAX_DEPTH} deep")
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if event.anchor in self._open:
                raise _Refused(
                    event.start_mark, f"recursive alias *{event.anchor}: a value contains itself"
                )
            if self._aliases > MAX_ALIASES:
                raise _Refused(event.start_mark, f"more than {MAX_ALIASES} aliases (*name)")
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(event.start_mark, f"values nested more than {MAX_DEPTH} deep")
        anchor = getattr(event, "anchor", None)
        self._open.append(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.pop()
            self._depth -= 1


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


def _syntax_error(e: yaml.MarkedYAMLError, source: str) -> ScriptError:
    """A YAML syntax error, located where the author must look: an unclosed quote where it
    opened (the scanner notices only at the end of the file, or at the next document)."""
    if e.context == "while scanning a quoted scalar" and e.context_mark is not None:
        mark = e.context_mark
        found = f" ({e.problem} at line {e.problem_mark.line + 1})" if e.problem_mark else ""
        return ScriptError(
            source,
            mark.line + 1,
            mark.column + 1,
            f"not valid YAML: this quote is never closed{found}; end the text with the same "
            "quote mark",
        )
    at = e.problem_mark or e.context_mark
    line, col = (at.line + 1, at.column + 1) if at else (1, 1)
    return ScriptError(source, line, col, f"not valid YAML: {e.problem or e}")


def load_located(text: str, source: str) -> Located:
    """Parse one YAML document; a syntax error or a refusal becomes a located ScriptError."""
    if len(text) > MAX_CHARS:
        raise ScriptError(
            source, 1, 1, f"{len(text):,} characters: a script has at most {MAX_CHARS:,}"
        )
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(text)  # its reader refuses control characters at once
        node = loader.get_single_node()
    except _Refused as e:
        line, col = (e.mark.line + 1, e.mark.column + 1) if e.mark else (1, 1)
        raise ScriptError(source, line, col, e.message) from None
    except yaml.MarkedYAMLError as e:
        raise _syntax_error(e, source) from None
    except yaml.reader.ReaderError as e:  # a control character YAML does not allow
        before = text[: e.position]
        line, col = before.count("\n") + 1, e.position - (before.rfind("\n") + 1) + 1
        raise ScriptError(
            source, line, col, f"not valid YAML: character U+{e.character:04X} is not allowed"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    doc = Located(data=None, source=source)
    if node is None:
        raise ScriptError(source, 1, 1, "the file is empty")
    doc.data = _Walk(doc).value(node, ())
    return doc


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Walk:
    """Node tree to values, counting what aliases expand to and refusing unplain tags."""

    def __init__(self, doc: Located) -> None:
        self.doc, self.values, self.chars = doc, 0, 0
        self.loader = yaml.SafeLoader("")

    def refuse(self, node: yaml.Node, message: str) -> ScriptError:
        line, col = _mark(node)
        return ScriptError(self.doc.source, line, col, message)

    def value(self, node: yaml.Node, path: Path) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            # at the top-level key being expanded: the alias sites are gone after composing
            raise self.doc.error(
                path[:1], f"more than {MAX_VALUES:,} values once aliases are expanded", key=True
            )
        if node.tag not in _PLAIN_TAGS:
            raise self.refuse(node, f"the tag {node.tag!r} is not allowed: plain values only")
        self.doc.marks[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        self.chars += len(node.value)
        if self.chars > MAX_CHARS:
            raise self.refuse(node, f"more than {MAX_CHARS:,} characters once aliases are expanded")
        # scalars are constructed exactly as yaml.safe_load would (ints, bools, dates…)
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                raise self.refuse(key_node, "a key must be plain text")
            key = self.scalar(key_node)
            if key in out:
                raise self.refuse(key_node, f"key {key!r} is given twice")
            self.doc.key_marks[(*path, key)] = _mark(key_node)
            out[key] = self.value(value_node, (*path, key))
        return out

    def scalar(self, node: yaml.Node) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as e:
            raise self.refuse(node, f"not a valid value: {e}") from None


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
