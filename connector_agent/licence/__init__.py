"""The agent side of licences: offline token checks, check-ins, and the features they unlock."""

from __future__ import annotations

from connector_agent.licence.renewal import checkin
from connector_agent.licence.state import (
    FREE_FEATURES,
    PAID_FEATURES,
    LicenceState,
    install_token,
)
from connector_agent.licence.token import TokenInvalid, parse_public_keys, verify

__all__ = [
    "FREE_FEATURES",
    "PAID_FEATURES",
    "LicenceState",
    "TokenInvalid",
    "checkin",
    "install_token",
    "parse_public_keys",
    "verify",
]
