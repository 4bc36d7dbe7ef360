"""Signed calls: every route but the open ones needs the plugin<->agent signature headers.

``GET /metrics`` also takes ``Authorization: Bearer <metrics_token>``: a Prometheus scraper
cannot sign, and that token opens nothing else.

The check follows DESIGN.md's "Signed calls" through :func:`wp_plugin_bridge.signing.verify`
(timestamp window, HMAC over method, path?query, timestamp, nonce and body hash, then a nonce
that must be new). It runs before routing, so an unsigned call learns nothing, not even which
paths exist. An agent that has no shared secret answers ``401 not_paired``.
"""

from __future__ import annotations

import hmac

from quart import current_app, request

from connector_agent.api.context import current_agent
from connector_agent.errors import Unauthorized
from wp_plugin_bridge.signing import verify

#: Reached without a signature: liveness, and WooCommerce's deliveries (which carry their own).
OPEN_PATHS = frozenset({"/healthz", "/v1/webhooks/woocommerce"})
NONCES = "luxebrain.nonces"
#: the one route a bearer token (the agent's ``metrics_token``) may read
SCRAPED_PATH = "/metrics"


class NotPaired(Unauthorized):
    code = "not_paired"


def signed_path() -> str:
    """The ``PATH?QUERY`` the client signed: the raw bytes it sent, not a decoded form."""
    raw = request.scope.get("raw_path") or request.path.encode()
    query = request.query_string
    return (raw + b"?" + query if query else raw).decode("latin-1")


def _has_body() -> bool:
    """Whether to read a body: a GET without one is the hot path, and reading an absent body
    still costs Quart a task (a GET body sent anyway would fail the signature, never pass)."""
    return request.method not in ("GET", "HEAD") or bool(request.content_length)


def _scraper_token_matches(token: str | None) -> bool:
    """Whether this is ``GET /metrics`` with the right bearer token; a wrong or unexpected
    token is refused outright (it is not a signature that could still pass)."""
    given = request.headers.get("Authorization", "")
    if not given.lower().startswith("bearer "):
        return False
    if request.path != SCRAPED_PATH or request.method not in ("GET", "HEAD"):
        raise Unauthorized(f"a bearer token opens only GET {SCRAPED_PATH}")
    if not token:
        raise Unauthorized("no metrics_token is set: run luxebrain-agent metrics-token")
    if not hmac.compare_digest(given[len("bearer ") :].strip().encode(), token.encode()):
        raise Unauthorized("wrong metrics token")
    return True


async def require_signed_call() -> None:
    """``before_request`` hook: raise 401 unless the call is open or correctly signed."""
    if request.path in OPEN_PATHS:
        return
    agent = current_agent()
    if _scraper_token_matches(agent.config.secrets.metrics_token):
        return
    secret = agent.config.secrets.shared_secret
    if not secret:
        raise NotPaired("this agent is not paired: run luxebrain-agent pair")
    body = await request.get_data(cache=True) if _has_body() else b""
    verify(
        secret,
        request.method,
        signed_path(),
        body,
        request.headers,
        now=agent.clock.time(),
        remember_nonce=current_app.extensions[NONCES].remember,
        not_before=current_app.extensions[NONCES].not_before,
    )
