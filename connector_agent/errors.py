"""The agent's errors: each has a stable ``code`` and HTTP ``status`` (see ``luxebrain.errors``)."""

from __future__ import annotations

from luxebrain.errors import LuxeBrainError

__all__ = [
    "AgentError",
    "AgentUnreachable",
    "BadRequest",
    "CloudRefused",
    "CloudUnreachable",
    "FeatureNotLicensed",
    "NoLicence",
    "NotFound",
    "NotReady",
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


class NotReady(AgentError):
    """The store cannot be read or the models are not loaded yet (``/readyz``)."""

    code = "not_ready"
    status = 503


class FeatureNotLicensed(AgentError):
    """The licence does not include the feature this route serves."""

    code = "feature_not_licensed"
    status = 402


class NoLicence(AgentError):
    """No licence key, cloud URL or store URL: nothing to ask the cloud about."""

    code = "no_licence"
    status = 409


class CloudUnreachable(AgentError):
    """The vendor cloud did not answer in time."""

    code = "cloud_unreachable"
    status = 503


class CloudRefused(AgentError):
    """The vendor cloud refused the call (its code is in the message)."""

    code = "cloud_refused"
    status = 502


class AgentUnreachable(AgentError):
    """The running agent could not be reached (``luxebrain-agent api``, the demo)."""

    code = "agent_unreachable"
    status = 503
