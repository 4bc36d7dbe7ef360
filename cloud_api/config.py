"""The cloud's settings: defaults, then ``LUXEBRAIN_CLOUD_*`` environment variables, then the
``test_config`` mapping given to ``create_app``.

Every worker on every host must get the same ``SECRET_KEY``, ``KEY_PASSPHRASE`` and
``PAYMENT_WEBHOOK_SECRET``; when
``SECRET_KEY`` is unset a random one is created once and kept in the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from luxebrain.clock import SystemClock
from luxebrain.digits import is_digits

ENV_PREFIX = "LUXEBRAIN_CLOUD_"

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": "sqlite:///luxebrain-cloud.sqlite",
    "SECRET_KEY": "",
    "KEY_PASSPHRASE": "",
    "PAYMENT_WEBHOOK_SECRET": "",  # the provider's signing secret; unset, every delivery is refused
    "TOKEN_TTL_SECONDS": 30 * 86400,
    "AGENT_RATE_LIMIT": 60,
    "AGENT_RATE_WINDOW_SECONDS": 3600,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_SECONDS": 900,
    "SESSION_SECONDS": 8 * 3600,
    "ONE_TIME_TOKEN_SECONDS": 48 * 3600,
    "SECURE_COOKIES": False,
    "JSON_LOGS": False,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "DB_THREADS": 16,
    "FORWARDED_HOPS": 0,
}
_INTS = {k for k, v in DEFAULTS.items() if isinstance(v, int) and not isinstance(v, bool)}


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Defaults overridden by ``LUXEBRAIN_CLOUD_<NAME>`` (and ``DATABASE_URL``)."""
    settings: dict[str, Any] = dict(DEFAULTS, CLOCK=SystemClock())
    if environ.get("DATABASE_URL"):
        settings["DATABASE_URL"] = environ["DATABASE_URL"]
    for name in DEFAULTS:
        raw = environ.get(ENV_PREFIX + name)
        if raw is None:
            continue
        if name in _INTS:
            if not is_digits(raw) or int(raw) < 1:
                raise ValueError(f"${ENV_PREFIX}{name}: must be a positive integer (got {raw!r})")
            settings[name] = int(raw)
        elif name in ("SECURE_COOKIES", "JSON_LOGS"):
            settings[name] = raw.lower() in ("1", "true", "yes")
        else:
            settings[name] = raw
    return settings
