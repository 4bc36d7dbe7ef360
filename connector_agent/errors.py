"""The agent's errors: each has a stable ``code`` and HTTP ``status`` (see ``luxebrain.errors``)."""

from __future__ import annotations

from luxebrain.errors import LuxeBrainError

__all__ = [
    "AgentError",
    "BadRequest",
    "NotFound",
    "PayloadTooLarge",
    "StoreError",
    "SyncError",
    "Unauthorized",
    "WooCommerceError",
]


class AgentError(LuxeBrainError):
    """Root of the agent's own errors."""

    code = "agent_error"
    status = 500


class StoreError(AgentError):
    """The local store cannot be opened or written."""

    code = "store_error"
    status = 503


class SyncError(AgentError):
    """A sync pass failed; cursors were not advanced past what was stored."""

    code = "sync_error"
    status = 502


class WooCommerceError(SyncError):
    """WooCommerce answered with an error that retrying will not fix (401, 403, 404, bad page)."""

    code = "woocommerce_error"


class BadRequest(AgentError):
    code = "bad_request"
    status = 400


class Unauthorized(AgentError):
    code = "unauthorized"
    status = 401


class NotFound(AgentError):
    code = "not_found"
    status = 404


class PayloadTooLarge(AgentError):
    code = "payload_too_large"
    status = 413
