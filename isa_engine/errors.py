"""The engine's exceptions.

IsaError
 ├── ScriptError            a script or campaign file is wrong (file:line:col)
 │    └── ScriptErrors      several of them at once, all reported
 ├── UnknownScript          no such script name or version
 ├── PersonaRefused         an outbound text fails the persona guard
 └── NotAllowed             an action the conversation's state forbids
      └── ContactDead       any text to a dead contact (COMPLIANCE.md #6)
"""

from __future__ import annotations

from collections.abc import Sequence


class IsaError(Exception):
    """Base of every error the engine raises on purpose."""


class ScriptError(IsaError):
    """One thing wrong in a script file, located to line and column (1-based)."""

    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        self.path, self.line, self.col, self.message = path, line, col, message
        super().__init__(f"{path}:{line}:{col}: {message}")


class ScriptErrors(ScriptError):
    """Every error found in one or more script files, in file and line order."""

    def __init__(self, errors: Sequence[ScriptError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path, e.line, e.col))
        first = self.errors[0]
        IsaError.__init__(self, "\n".join(str(e) for e in self.errors))
        self.path, self.line, self.col, self.message = (
            first.path,
            first.line,
            first.col,
            first.message,
        )


class UnknownScript(IsaError):
    """A script name or version that is not in the store."""


class PersonaRefused(IsaError):
    """An outbound text the persona guard refuses; ``reasons`` say why in plain words."""

    def __init__(self, text: str, reasons: Sequence[str]) -> None:
        self.text, self.reasons = text, tuple(reasons)
        super().__init__("refused by the persona guard: " + "; ".join(self.reasons))


class NotAllowed(IsaError):
    """An action the conversation's current state does not allow."""


class ContactDead(NotAllowed):
    """The contact opted out or is otherwise dead: nobody may text them through the system."""
