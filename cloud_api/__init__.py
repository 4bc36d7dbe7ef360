"""LuxeBrain's vendor cloud: tenants, stores, licences, signing keys and staff (Quart + peewee)."""

from __future__ import annotations

from cloud_api.app import create_app
from cloud_api.db import connect_db
from cloud_api.errors import (
    CloudError,
    Conflict,
    Forbidden,
    InvalidInput,
    LicenceExpired,
    LicenceRevoked,
    LicenceSuspended,
    LicenceUnusable,
    NotFound,
    RateLimited,
    StoreLimitReached,
    Unauthorized,
)

__all__ = [
    "CloudError",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "LicenceExpired",
    "LicenceRevoked",
    "LicenceSuspended",
    "LicenceUnusable",
    "NotFound",
    "RateLimited",
    "StoreLimitReached",
    "Unauthorized",
    "connect_db",
    "create_app",
]
