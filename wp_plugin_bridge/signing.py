"""Signed plugin<->agent calls, exactly as DESIGN.md's "Signed calls" says.

Both sides share one secret from pairing. Each call carries a timestamp, a random nonce and
``hex HMAC-SHA256(secret, METHOD \\n PATH?QUERY \\n TIMESTAMP \\n NONCE \\n hex SHA-256(body))``.
The PHP plugin (``LuxeBrain_Signer``) computes the same bytes; a cross-language test checks it.

>>> h = sign_headers("s3cret", "GET", "/v1/status", b"", timestamp=1700000000, nonce="ab" * 16)
>>> h[SIGNATURE_HEADER][:16]
'b8bdf80c4481e949'
>>> verify("s3cret", "GET", "/v1/status", b"", h, now=1700000010,
...        remember_nonce=lambda nonce, expires_at: True)
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping

from luxebrain.digits import is_digits
from luxebrain.errors import LuxeBrainError

TIMESTAMP_HEADER = "X-LuxeBrain-Timestamp"
NONCE_HEADER = "X-LuxeBrain-Nonce"
SIGNATURE_HEADER = "X-LuxeBrain-Signature"
MAX_SKEW_SECONDS = 300

_NONCE_RE = re.compile(r"^[0-9a-f]{32,128}$")
_SIGNATURE_RE = re.compile(r"^[0-9a-f]{64}$")


class SignatureError(LuxeBrainError):
    """A signed call was refused; the message never contains the secret or the expected value."""

    code = "unauthorized"
    status = 401


def canonical_string(method: str, path_qs: str, timestamp: int, nonce: str, body: bytes) -> str:
    """The exact text that is signed (public so tests and the PHP side can compare it)."""
    body_hash = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path_qs}\n{timestamp}\n{nonce}\n{body_hash}"


def signature(
    secret: str, method: str, path_qs: str, body: bytes, *, timestamp: int, nonce: str
) -> str:
    """Hex HMAC-SHA256 of the canonical string under the shared secret."""
    message = canonical_string(method, path_qs, timestamp, nonce, body).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_headers(
    secret: str, method: str, path_qs: str, body: bytes, *, timestamp: int, nonce: str
) -> dict[str, str]:
    """Headers for a call; the caller picks timestamp and nonce (16+ random bytes, hex)."""
    if not secret:
        raise ValueError("secret must not be empty")
    if not _NONCE_RE.match(nonce):
        raise ValueError("nonce must be 32 to 128 lowercase hex characters (16+ random bytes)")
    return {
        TIMESTAMP_HEADER: str(int(timestamp)),
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(
            secret, method, path_qs, body, timestamp=int(timestamp), nonce=nonce
        ),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive header lookup that works for plain dicts and framework header maps."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    if value is None or value == "":
        raise SignatureError(f"missing {name} header")
    return value


def verify(
    secret: str,
    method: str,
    path_qs: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: float,
    remember_nonce: Callable[[str, float], bool],
    not_before: float = 0.0,
) -> None:
    """Accept a signed call or raise :class:`SignatureError`.

    ``remember_nonce(nonce, expires_at)`` records the nonce until ``expires_at`` and returns False
    when it was already seen within the window; it is called only after the signature checks out,
    so forged calls cannot fill the nonce store. A call whose timestamp is earlier than
    ``not_before`` is refused: a verifier whose nonce memory may have lost its last moment (a
    crash) sets it to the second it started.
    """
    if not secret:
        raise SignatureError("this agent is not paired")
    raw_timestamp = _header(headers, TIMESTAMP_HEADER)
    nonce = _header(headers, NONCE_HEADER)
    given = _header(headers, SIGNATURE_HEADER).lower()
    if not is_digits(raw_timestamp):
        raise SignatureError(f"{TIMESTAMP_HEADER} must be Unix seconds")
    timestamp = int(raw_timestamp)
    if abs(now - timestamp) > MAX_SKEW_SECONDS:
        raise SignatureError(f"{TIMESTAMP_HEADER} is more than {MAX_SKEW_SECONDS} s away")
    if not _NONCE_RE.match(nonce):
        raise SignatureError(f"{NONCE_HEADER} must be 16+ random bytes in lowercase hex")
    expected = signature(secret, method, path_qs, body, timestamp=timestamp, nonce=nonce)
    if not _SIGNATURE_RE.match(given) or not hmac.compare_digest(expected, given):
        raise SignatureError("wrong signature")
    if timestamp < not_before:
        raise SignatureError("signed before this agent started; sign the call again")
    if not remember_nonce(nonce, timestamp + MAX_SKEW_SECONDS):
        raise SignatureError("nonce already used")
