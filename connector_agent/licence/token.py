"""Offline verification of licence tokens (the cloud mints them in ``cloud_api.tokens``).

A token is ``base64url(payload JSON) "." base64url(Ed25519 signature of the first part)``; the
payload's ``kid`` is the fingerprint of the public key that verifies it, so a plain PEM bundle
is enough to pick the right key after a rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from luxebrain.errors import LuxeBrainError

TOKEN_TYPE = "luxebrain-licence/1"
_PEM = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)

PublicKeys = dict[str, Ed25519PublicKey]


class TokenInvalid(LuxeBrainError):
    """A token that must not be trusted; the message is the one-line reason."""

    code, status = "licence_token_invalid", 401


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key: Ed25519PublicKey) -> str:
    """The fingerprint the cloud puts in ``kid``: the first 16 hex digits of SHA-256(raw key)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def parse_public_keys(text: str) -> PublicKeys:
    """Keys from PEM text (one or more blocks) or the cloud's ``luxebrain-keys.json``."""
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


def fetch_public_keys(source: str, *, timeout: float = 10.0) -> str:
    """The text of a public-key file or URL (raises OSError / requests errors when unreachable)."""
    if source.startswith(("http://", "https://")):
        response = requests.get(source, timeout=timeout)
        response.raise_for_status()
        return response.text
    with open(source, encoding="utf-8") as handle:
        return handle.read()


def decode(token: str) -> dict[str, Any]:
    """The payload without checking the signature (for diagnostics only)."""
    head, _, _ = token.partition(".")
    try:
        payload = orjson.loads(_b64decode(head))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise TokenInvalid("malformed token") from None
    if not isinstance(payload, dict):
        raise TokenInvalid("malformed token")
    return payload


def _when(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def verify(
    token: str,
    keys: PublicKeys,
    *,
    now: float,
    store_url: str | None = None,
    allow_expired: bool = False,
) -> dict[str, Any]:
    """The claims of a genuine token, or TokenInvalid with the reason.

    ``store_url`` (normalised like the cloud does) must match the token's store when given;
    ``allow_expired`` accepts a genuine token past ``exp`` (the caller applies a grace period).
    """
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
    exp = claims.get("exp")
    if not isinstance(exp, int) or not isinstance(claims.get("features"), list):
        raise TokenInvalid("malformed claims")
    if not allow_expired and now >= exp:
        raise TokenInvalid(f"expired on {_when(exp)}")
    if store_url is not None and claims.get("store_url") != normalise_url(store_url):
        raise TokenInvalid(f"issued for {claims.get('store_url')}, not {normalise_url(store_url)}")
    return claims


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, no trailing slash (as the cloud stores store URLs)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")
    return f"{parts.scheme.lower()}://{host}{parts.path.rstrip('/')}"
