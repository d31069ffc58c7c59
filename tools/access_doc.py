"""The access table of docs/security.md, rendered from ``api.access.ACCESS``.

``python -m tools.access_doc`` prints it; tests/api/test_access_table.py checks
that docs/security.md holds exactly what this prints.
"""

from __future__ import annotations

from collections import defaultdict

from api.access import ACCESS, INTAKE, PUBLIC

CALLERS = ("admin", "coordinator", "isa", "agent", "author", INTAKE)
BEGIN = "<!-- access table: python -m tools.access_doc -->"
END = "<!-- end of access table -->"


def _who(allowed: frozenset[str]) -> str:
    if allowed is PUBLIC:
        return "anyone, no token (the route checks what it needs itself)"
    names = [("web-form token" if c == INTAKE else c) for c in CALLERS if c in allowed]
    return ", ".join(names)


def render() -> str:
    """A Markdown table: who may call, then the routes (JSON API, then console pages)."""
    groups: dict[frozenset[str], list[str]] = defaultdict(list)
    for key, allowed in ACCESS.items():
        groups[allowed].append(key)
    rows = sorted(groups.items(), key=lambda g: (g[0] is not PUBLIC, -len(g[0]), _who(g[0])))
    lines = [BEGIN, "", "| who may call | routes |", "|---|---|"]
    for allowed, keys in rows:
        api = [k for k in keys if not k.split(" ", 1)[1].startswith("/console")]
        console = [k for k in keys if k not in api]
        parts = [", ".join(f"`{k}`" for k in api)] if api else []
        if console:
            parts.append("console: " + ", ".join(f"`{k}`" for k in console))
        lines.append(f"| {_who(allowed)} | {'<br>'.join(parts)} |")
    return "\n".join([*lines, "", END])


if __name__ == "__main__":
    print(render())
