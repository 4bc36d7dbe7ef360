"""Licence tokens: ``base64url(payload JSON) "." base64url(Ed25519 signature of part one)``.

The payload names its signing key (``kid``), a fingerprint of the public key, so keys can rotate
and an agent holding only PEM files can still pick the right one. The agent verifies with
``connector_agent.licence.token`` (same format; a contract test keeps the two in step).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

TOKEN_TYPE = "luxebrain-licence/1"


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short, stable fingerprint of a public key: the first 16 hex digits of its SHA-256
    (hex, so it never starts with "-" and reads as a command-line option)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@lru_cache(maxsize=16)
def _signer_kid(private_key: Ed25519PrivateKey) -> str:
    return key_id(private_key.public_key())


def mint(claims: dict[str, Any], private_key: Ed25519PrivateKey) -> str:
    """Sign ``claims`` (plus ``typ`` and ``kid``) into a compact token."""
    payload = {**claims, "typ": TOKEN_TYPE, "kid": _signer_kid(private_key)}
    head = b64encode(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS))
    return f"{head}.{b64encode(private_key.sign(head.encode('ascii')))}"
