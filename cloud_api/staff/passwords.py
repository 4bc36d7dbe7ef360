"""Password hashes with scrypt (``cryptography``): ``scrypt$n$r$p$salt$hash`` in base64."""

from __future__ import annotations

import base64
import hmac
import os

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

N, R, P, LENGTH = 2**14, 8, 1, 32
MIN_LENGTH = 12


def check_strength(password: str) -> str | None:
    """Why a password is unacceptable, or ``None``."""
    if len(password) < MIN_LENGTH:
        return f"password must be at least {MIN_LENGTH} characters"
    if len(password) > 1024:
        return "password is too long"
    return None


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = Scrypt(salt=salt, length=LENGTH, n=N, r=R, p=P).derive(password.encode())
    b64 = base64.b64encode
    return f"scrypt${N}${R}${P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check; any malformed or empty hash simply fails."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        kdf = Scrypt(salt=base64.b64decode(salt), length=LENGTH, n=int(n), r=int(r), p=int(p))
        kdf.verify(password.encode(), base64.b64decode(digest))
    except (ValueError, InvalidKey):
        return False
    return True


def fingerprint(stored: str) -> str:
    """A short digest of the stored hash: one-time tokens die when the password changes."""
    return hmac.new(b"luxebrain-one-time", stored.encode(), "sha256").hexdigest()[:16]
