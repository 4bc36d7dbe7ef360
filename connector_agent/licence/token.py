"""Offline verification of licence tokens, as the agent needs it.

The format (encode, decode, signature, ``kid``, PEM parsing) is ``luxebrain.tokens``, shared with
the cloud that mints the tokens; this module adds what only the agent decides: expiry (with the
caller's grace period), the store binding, and fetching the vendor's public keys.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from luxebrain import tokens
from luxebrain.tokens import PublicKeys, TokenInvalid, parse_public_keys

#: what the agent verifies tokens with (the error and key parsing come from the shared format)
__all__ = ["TokenInvalid", "fetch_public_keys", "normalise_url", "parse_public_keys", "verify"]


def fetch_public_keys(source: str, *, timeout: float = 10.0) -> str:
    """The text of a public-key file or URL (raises OSError / requests errors when unreachable)."""
    if source.startswith(("http://", "https://")):
        response = requests.get(source, timeout=timeout)
        response.raise_for_status()
        return response.text
    with open(source, encoding="utf-8") as handle:
        return handle.read()


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
    claims = tokens.verify(token, keys)
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
