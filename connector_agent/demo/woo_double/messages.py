"""The request and response values passed between the HTTP server and the REST routes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from .errors import WooRestError

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
JSON_TYPE = "application/json; charset=UTF-8"
BASE_HEADERS = {
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Access-Control-Expose-Headers": "X-WP-Total, X-WP-TotalPages, Link",
    "Access-Control-Allow-Headers": "Authorization, X-WP-Nonce, Content-Disposition, "
    "Content-MD5, Content-Type",
}
NO_CACHE = {
    "Expires": "Wed, 11 Jan 1984 05:00:00 GMT",
    "Cache-Control": "no-cache, must-revalidate, max-age=0",
}


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str  # below /wp-json, e.g. /wc/v3/orders
    params: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    body: bytes = b""

    @property
    def query(self) -> dict[str, str]:
        """Query parameters, the last one winning (as PHP's ``$_GET``)."""
        return dict(self.params)

    def values(self) -> dict[str, Any]:
        """Write parameters: the query string, overridden by a JSON body (as WordPress merges)."""
        return {**self.query, **self.json()}

    def json(self) -> dict[str, Any]:
        if not self.body:
            return {}
        try:
            data = orjson.loads(self.body)
        except orjson.JSONDecodeError:
            raise WooRestError(400, "rest_invalid_json", "Invalid JSON body passed.") from None
        if not isinstance(data, dict):
            raise WooRestError(400, "rest_invalid_json", "Invalid JSON body passed.")
        return data


@dataclass(slots=True)
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def _escape(match: re.Match[str]) -> str:
    encoded = match.group().encode("utf-16-be")
    return "".join(
        f"\\u{int.from_bytes(encoded[i : i + 2], 'big'):04x}" for i in range(0, len(encoded), 2)
    )


def encode(body: Any) -> bytes:
    """JSON as PHP's ``wp_json_encode`` writes it: escaped slashes and non-ASCII characters."""
    raw = orjson.dumps(body)
    if not raw.isascii():
        raw = _NON_ASCII.sub(_escape, raw.decode()).encode()
    return raw.replace(b"/", b"\\/")
