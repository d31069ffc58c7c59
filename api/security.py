"""Passwords and API tokens: only hashes are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# scrypt from the standard library: memory-hard, no native dependency to build.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """A salted scrypt hash, self-describing so parameters can change later."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored`` (constant time)."""
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(got.hex(), digest)


def new_token() -> str:
    """A fresh API token, shown once to its owner."""
    return "isa_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """How a token is stored and looked up: tokens are random, so SHA-256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()
