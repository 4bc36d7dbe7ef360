"""The licence token format, in one place: the cloud mints tokens, the agent verifies them offline.

A token is ``base64url(payload JSON) "." base64url(Ed25519 signature of the first part)``, no
padding. The payload names its signing key (``kid``, a fingerprint of the public key), so keys
can rotate and a plain PEM bundle is enough to pick the right one. What the claims *mean*
(expiry, store binding, features) is for each side to check; this module only proves who wrote
them.

>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> signer = Ed25519PrivateKey.generate()
>>> token = encode({"licence_id": 7, "plan": "pro"}, signer)
>>> claims = verify(token, {key_id(signer.public_key()): signer.public_key()})
>>> claims["licence_id"], claims["typ"], claims["kid"] == key_id(signer.public_key())
(7, 'luxebrain-licence/1', True)
>>> verify(token, {})
Traceback (most recent call last):
...
luxebrain.tokens.TokenInvalid: signed by unknown key '...'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from functools import lru_cache
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from luxebrain.errors import LuxeBrainError

TOKEN_TYPE = "luxebrain-licence/1"
_PEM = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)

PublicKeys = dict[str, Ed25519PublicKey]


class TokenInvalid(LuxeBrainError):
    """A token (or key file) that must not be trusted; the message is the one-line reason."""

    code, status = "licence_token_invalid", 401


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short, stable fingerprint of a public key: the first 16 hex digits of its SHA-256
    (hex, so it never starts with "-" and reads as a command-line option)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@lru_cache(maxsize=16)
def _signer_kid(private_key: Ed25519PrivateKey) -> str:
    return key_id(private_key.public_key())  # once per signer: it showed in the check-in profile


def encode(claims: dict[str, Any], private_key: Ed25519PrivateKey) -> str:
    """Sign ``claims`` (plus ``typ`` and ``kid``) into a compact token."""
    payload = {**claims, "typ": TOKEN_TYPE, "kid": _signer_kid(private_key)}
    head = _b64encode(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS))
    return f"{head}.{_b64encode(private_key.sign(head.encode('ascii')))}"


def decode(token: str) -> dict[str, Any]:
    """The payload without checking the signature (for diagnostics only)."""
    head, _, _ = token.strip().partition(".")
    try:
        payload = orjson.loads(_b64decode(head))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise TokenInvalid("malformed token") from None
    if not isinstance(payload, dict):
        raise TokenInvalid("malformed token")
    return payload


def verify(token: str, keys: PublicKeys) -> dict[str, Any]:
    """The payload of a LuxeBrain token signed by one of ``keys``, or TokenInvalid with why."""
    token = token.strip()
    head, dot, signature = token.partition(".")
    if not dot or not head or not signature or "." in signature:
        raise TokenInvalid("malformed token")
    claims = decode(token)
    if claims.get("typ") != TOKEN_TYPE:
        raise TokenInvalid("not a LuxeBrain licence token")
    kid = claims.get("kid")
    key = keys.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise TokenInvalid(f"signed by unknown key {kid!r}")
    try:
        key.verify(_b64decode(signature), head.encode("ascii"))
    except (InvalidSignature, binascii.Error, ValueError):
        raise TokenInvalid("bad signature") from None
    return claims


def parse_public_keys(text: str) -> PublicKeys:
    """Keys by ``kid`` from PEM text (one or more blocks) or the cloud's ``luxebrain-keys.json``."""
    if text.lstrip().startswith("{"):
        try:
            document = orjson.loads(text)
            text = "".join(k["public_key"] for k in document["keys"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise TokenInvalid("public keys: not a luxebrain-keys.json document") from None
    keys: PublicKeys = {}
    for block in _PEM.findall(text):
        try:
            key = serialization.load_pem_public_key(block.encode())
        except ValueError:
            raise TokenInvalid("public keys: a PEM block is not a public key") from None
        if isinstance(key, Ed25519PublicKey):
            keys[key_id(key)] = key
    if not keys:
        raise TokenInvalid("public keys: no Ed25519 public key found")
    return keys
