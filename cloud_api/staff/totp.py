"""Two-factor sign-in: TOTP (RFC 6238, ``cryptography``) and single-use recovery codes."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from luxebrain.digits import is_digits

STEP, DIGITS, RECOVERY_CODES = 30, 6, 8


def new_secret() -> str:
    """A base32 secret as authenticator apps expect (160 bits)."""
    return base64.b32encode(os.urandom(20)).decode().rstrip("=")


def _totp(secret: str) -> TOTP:
    padded = secret + "=" * (-len(secret) % 8)
    return TOTP(base64.b32decode(padded), DIGITS, SHA1(), STEP, enforce_key_length=False)


def code_at(secret: str, now: float) -> str:
    return _totp(secret).generate(int(now)).decode()


def verify_code(secret: str, code: str, now: float) -> int | None:
    """The time step (Unix time // STEP) whose code ``code`` is, or ``None``.

    The current code and its neighbours are accepted (clock drift of one step either way); the
    caller accepts each step once, and only steps later than the last one it accepted.
    """
    if not (is_digits(code) and len(code) == DIGITS):
        return None
    totp = _totp(secret)
    for drift in (0, -STEP, STEP):
        try:
            totp.verify(code.encode(), int(now) + drift)
        except InvalidToken:
            continue
        return (int(now) + drift) // STEP
    return None


def provisioning_uri(secret: str, email: str) -> str:
    return _totp(secret).get_provisioning_uri(email, "LuxeBrain Cloud")


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """``(codes to show once, their hashes to store)``."""
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    return codes, [hash_recovery_code(c) for c in codes]


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()
