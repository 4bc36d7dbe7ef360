"""WooCommerce REST authentication: OAuth 1.0a one-legged over http, Basic over https.

Mirrors ``WC_REST_Authentication`` (7.8): Basic credentials (or ``consumer_key``/
``consumer_secret`` in the query) count only when the request is TLS (here: ``X-Forwarded-Proto:
https``); over http they are ignored, so the request is simply not logged in. OAuth checks run in
the store's order: key, signature (HMAC-SHA1/256, parameters doubly RFC 3986-encoded), timestamp
(±15 min), nonce (kept per key *by timestamp*, so the real store's quirks carry over).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from collections.abc import Mapping, Sequence
from urllib.parse import quote, unquote

from luxebrain.clock import Clock

from .errors import WooRestError

WINDOW = 15 * 60
OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
ALGORITHMS = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}


def _refused(message: str) -> WooRestError:
    return WooRestError(401, "woocommerce_rest_authentication_error", message)


def rfc3986(value: str) -> str:
    """PHP's ``rawurlencode``."""
    return quote(value, safe="~")


def signature_base(method: str, url: str, params: Mapping[str, str]) -> str:
    """The OAuth string to sign, built exactly as WooCommerce builds it on the server."""
    pairs = sorted((k, v) for k, v in params.items() if k != "oauth_signature")
    joined = "%26".join(rfc3986(f"{rfc3986(k)}={rfc3986(v)}") for k, v in pairs)
    return f"{method.upper()}&{rfc3986(url)}&{joined}"


def sign(secret: str, base: str, method: str = "HMAC-SHA256") -> str:
    digest = hmac.new(f"{secret}&".encode(), base.encode(), ALGORITHMS[method]).digest()
    return base64.b64encode(digest).decode()


def _oauth_header(value: str) -> dict[str, str]:
    params = {}
    for part in value[6:].split(","):
        key, _, raw = part.strip().partition("=")
        if key.startswith("oauth_"):
            params[key] = unquote(raw.strip('"'))
    return params


class Authenticator:
    """Checks credentials against the store's one REST key pair."""

    def __init__(self, consumer_key: str, consumer_secret: str, clock: Clock) -> None:
        self.keys = {consumer_key: consumer_secret}
        self.clock = clock
        self._nonces: dict[str, dict[int, str]] = {}
        self._lock = threading.Lock()

    def authenticate(
        self,
        method: str,
        url: str,
        params: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        secure: bool,
    ) -> bool:
        """True when logged in, False when anonymous; raises 401 on bad OAuth/Basic creds.

        ``url`` is the site URL of the request path as the store sees it (scheme included).
        """
        query = dict(params)
        authorization = headers.get("Authorization", "")
        if secure:
            user = self._basic(authorization, query)
            if user:
                return True
        if authorization[:6].lower() == "oauth ":
            query.update(_oauth_header(authorization))
        present = [name for name in OAUTH_PARAMS if query.get(name)]
        if not present:
            return False
        missing = [name for name in OAUTH_PARAMS if not query.get(name)]
        if missing:
            raise WooRestError(
                401,
                "woocommerce_rest_authentication_missing_parameter",
                f"Missing OAuth parameter {', '.join(missing)}",
            )
        self._check_oauth(method, url, query)
        return True

    def _basic(self, authorization: str, query: Mapping[str, str]) -> bool:
        key = secret = None
        if authorization[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return False
            key, _, secret = decoded.partition(":")
        elif query.get("consumer_key") and query.get("consumer_secret"):
            key, secret = query["consumer_key"], query["consumer_secret"]
        if key is None:
            return False
        if key not in self.keys:
            raise _refused("Consumer key is invalid.")
        if not hmac.compare_digest(self.keys[key].encode(), (secret or "").encode()):
            raise _refused("Consumer secret is invalid.")
        return True

    def _check_oauth(self, method: str, url: str, query: Mapping[str, str]) -> None:
        key = query["oauth_consumer_key"]
        if key not in self.keys:
            raise _refused("Consumer key is invalid.")
        algorithm = query["oauth_signature_method"]
        if algorithm not in ALGORITHMS:
            raise _refused("Invalid signature - signature method is invalid.")
        given = query["oauth_signature"].replace(" ", "+")
        expected = sign(self.keys[key], signature_base(method, url, query), algorithm)
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise _refused("Invalid signature - provided signature does not match.")
        try:
            timestamp = int(query["oauth_timestamp"])
        except ValueError:
            raise _refused("Invalid timestamp.") from None
        now = int(self.clock.time())
        if abs(now - timestamp) > WINDOW:
            raise _refused("Invalid timestamp.")
        nonce = query["oauth_nonce"]
        with self._lock:
            used = self._nonces.setdefault(key, {})
            if nonce in used.values():
                raise _refused("Invalid nonce - nonce has already been used.")
            used[timestamp] = nonce
            for stamp in [s for s in used if s < now - WINDOW]:
                del used[stamp]
