"""The cloud's domain errors: each carries a stable ``code`` and an HTTP ``status``."""

from __future__ import annotations

from luxebrain.errors import LuxeBrainError


class CloudError(LuxeBrainError):
    """Root of every error the cloud reports to a client."""

    code, status = "cloud_error", 400


class InvalidInput(CloudError):
    code, status = "invalid_input", 400


class Unauthorized(CloudError):
    code, status = "unauthorized", 401


class Forbidden(CloudError):
    code, status = "forbidden", 403


class NotFound(CloudError):
    code, status = "not_found", 404


class Conflict(CloudError):
    code, status = "conflict", 409


class StoreLimitReached(CloudError):
    code, status = "store_limit_reached", 409


class LicenceUnusable(CloudError):
    """A licence that can mint no token: the agent degrades to the free feature set."""

    code, status = "licence_unusable", 403


class LicenceRevoked(LicenceUnusable):
    code = "licence_revoked"


class LicenceSuspended(LicenceUnusable):
    code = "licence_suspended"


class LicenceExpired(LicenceUnusable):
    code = "licence_expired"


class RateLimited(CloudError):
    code, status = "rate_limited", 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CsrfFailed(CloudError):
    code, status = "csrf_failed", 403


class NoSigningKey(CloudError):
    code, status = "no_signing_key", 503
