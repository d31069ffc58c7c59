"""One password policy for the API, the console and ``isa users create``.

At least ``MIN_LENGTH`` characters and not one of the 30,000 most common
passwords (zxcvbn's list, from leaked password sets), nor the user's e-mail.
Length over composition rules, as NIST SP 800-63B advises.
"""

from __future__ import annotations

from functools import cache

from isa_engine.errors import IsaError

MIN_LENGTH = 12
MAX_LENGTH = 1000


class WeakPassword(IsaError):
    """A password the policy refuses (422); says why and what would do."""


@cache
def _common() -> frozenset[str]:
    # 30,000 passwords: loaded on first use
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    return frozenset(str(p) for p in FREQUENCY_LISTS["passwords"])


def check_password(password: str, email: str | None = None) -> None:
    """Raise WeakPassword unless ``password`` meets the policy."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password has at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_LENGTH} characters")
    folded = password.strip().lower()
    if folded in _common() or len(set(folded)) < 4:
        raise WeakPassword("that password is among the most common ones: choose another")
    if email and folded in (email.strip().lower(), email.strip().lower().split("@")[0]):
        raise WeakPassword("a password may not be your e-mail")
