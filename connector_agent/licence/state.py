"""What the shop may use right now, decided offline from the stored token and check-in record.

``<data_dir>/licence.json`` (mode 0600) holds the last token the cloud minted, the agent's
instance id and the outcome of the last check-in. Loading it never touches the network, so the
local API can gate features on every request.
"""

from __future__ import annotations

import contextlib
import json
import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connector_agent.config import file_lock, write_atomic
from connector_agent.licence.token import TokenInvalid, parse_public_keys, verify
from luxebrain.clock import Clock

FREE_FEATURES = frozenset({"popular", "trending", "bought_together"})
PAID_FEATURES = frozenset(
    {"personalised", "forecasts", "segments", "pricing", "anomalies", "cloud_fallback"}
)
DAY = 86400
FILE_NAME = "licence.json"
KEYS_FILE_NAME = "licence-keys.pem"


def record_path(config: Any) -> Path:
    return Path(config.data_dir) / FILE_NAME


def read_record(config: Any) -> dict[str, Any]:
    """The stored record (empty when there is none or it is unreadable)."""
    try:
        record = json.loads(record_path(config).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def write_record(config: Any, record: dict[str, Any]) -> None:
    """Replace the record (atomically; callers that read it first hold :func:`record_lock`)."""
    write_atomic(record_path(config), json.dumps(record, indent=2, sort_keys=True) + "\n")


def record_lock(config: Any) -> contextlib.AbstractContextManager[None]:
    """The lock around a read-modify-write of the record: a check-in and ``licence install``
    at the same moment must not lose each other's change."""
    return file_lock(record_path(config))


def instance_id(record: dict[str, Any]) -> str:
    """This agent installation's id, created once and kept in the record."""
    if not isinstance(record.get("instance_id"), str):
        record["instance_id"] = uuid.uuid4().hex
    return record["instance_id"]


def saved_instance_id(config: Any) -> str:
    """This installation's id as the record keeps it, written there when it is new: a caller
    that only reads the record (the cloud sync, before any check-in) would otherwise send the
    cloud a new id every time."""
    with record_lock(config):
        record = read_record(config)
        if not isinstance(record.get("instance_id"), str):
            instance_id(record)
            write_record(config, record)
        return record["instance_id"]


def public_key_text(config: Any) -> str | None:
    """The verification keys: the configured file, else the copy fetched from the cloud."""
    source = config.licence.public_key
    if source and not source.startswith(("http://", "https://")):
        path = Path(source)
        if not path.is_absolute():
            path = Path(config.path).parent / path
    else:
        path = Path(config.data_dir) / KEYS_FILE_NAME
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


@dataclass(frozen=True)
class LicenceState:
    """The licence as the agent sees it. ``features`` always includes the free ones."""

    status: str  # free | active | trial | grace | expired | revoked
    features: frozenset[str] = FREE_FEATURES
    reason: str = ""
    plan: str | None = None
    licence_id: int | None = None
    store_url: str | None = None
    expires_at: int | None = None
    trial_ends_at: int | None = None
    grace_until: int | None = None
    last_checkin_at: int | None = None
    now: float = field(default=0.0, repr=False)

    @property
    def trial_days_left(self) -> int | None:
        """Whole days left in the trial (rounded up), ``None`` outside a trial."""
        if self.trial_ends_at is None or self.status not in ("trial", "grace"):
            return None
        return max(0, math.ceil((self.trial_ends_at - self.now) / DAY))

    @classmethod
    def load(cls, config: Any, clock: Clock) -> LicenceState:
        """Decide from ``licence.json`` and the public keys alone (no network)."""
        return decide(read_record(config), public_key_text(config), config, clock.time())

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "features": sorted(self.features),
            "reason": self.reason,
            "plan": self.plan,
            "licence_id": self.licence_id,
            "store_url": self.store_url,
            "expires_at": _iso(self.expires_at),
            "trial_ends_at": _iso(self.trial_ends_at),
            "trial_days_left": self.trial_days_left,
            "grace_until": _iso(self.grace_until),
            "last_checkin_at": _iso(self.last_checkin_at),
        }


def _iso(ts: int | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decide(record: dict[str, Any], keys_text: str | None, config: Any, now: float) -> LicenceState:
    """The pure decision: token + check-in record + keys + time -> state."""
    outcome = record.get("outcome")
    last = record.get("last_checkin_at")
    token = record.get("token")
    if not token:
        if outcome in ("revoked", "expired"):
            return LicenceState(
                outcome, reason=record.get("reason", ""), now=now, last_checkin_at=last
            )
        return LicenceState(
            "free", reason=record.get("reason", "no licence token"), now=now, last_checkin_at=last
        )
    if keys_text is None:
        return LicenceState("free", reason="no public key to verify the licence token", now=now)
    store_url = config.store_url or None
    try:
        claims = verify(
            token, parse_public_keys(keys_text), now=now, store_url=store_url, allow_expired=True
        )
    except TokenInvalid as exc:
        return LicenceState("free", reason=f"licence token rejected: {exc.message}", now=now)
    base = dict(
        plan=claims.get("plan"),
        licence_id=claims.get("licence_id"),
        store_url=claims.get("store_url"),
        expires_at=claims["exp"],
        trial_ends_at=claims.get("trial_end"),
        last_checkin_at=last,
        now=now,
    )
    trial_end = claims.get("trial_end")
    if isinstance(trial_end, int) and now >= trial_end:
        return LicenceState("expired", reason="the trial has ended", **base)
    paid = FREE_FEATURES | (frozenset(claims["features"]) & PAID_FEATURES)
    grace_until = _grace_until(claims, record.get("unreachable_since"), config.licence.grace_days)
    if grace_until is not None:
        if now < grace_until:
            return LicenceState(
                "grace",
                paid,
                reason="the licence cloud is unreachable",
                grace_until=grace_until,
                **base,
            )
        return LicenceState(
            "expired",
            reason="grace period over: the cloud was unreachable",
            grace_until=grace_until,
            **base,
        )
    if now >= claims["exp"]:
        return LicenceState("expired", reason="the licence token has expired", **base)
    return LicenceState("trial" if isinstance(trial_end, int) else "active", paid, **base)


def _grace_until(claims: dict[str, Any], unreachable_since: Any, grace_days: int) -> int | None:
    """When the grace period for an unreachable cloud ends (``None``: no grace period).

    docs/cloud/README.md: the last good token's features last until ``max(token expiry, first
    failed check-in + grace_days)``. Grace covers a cloud that went away while the token was
    still good: a token that had already expired when the first check-in failed (an agent
    switched off for weeks) gets none, and grace never outlasts the licence (``licence_exp``).
    """
    exp = claims["exp"]
    if not isinstance(unreachable_since, int) or unreachable_since >= exp:
        return None
    grace_until = max(exp, unreachable_since + grace_days * DAY)
    licence_exp = claims.get("licence_exp")
    if isinstance(licence_exp, int) and not isinstance(licence_exp, bool):
        grace_until = min(grace_until, max(exp, licence_exp))
    return grace_until


def install_token(config: Any, token: str, clock: Clock) -> LicenceState:
    """Store a token minted offline by the vendor (for a shop that cannot reach the cloud).

    It must verify with the configured public key and be for this store; otherwise
    TokenInvalid says why and nothing changes.
    """
    keys_text = public_key_text(config)
    if keys_text is None:
        raise TokenInvalid("no public key: set licence.public_key to the vendor's PEM file")
    verify(
        token, parse_public_keys(keys_text), now=clock.time(), store_url=config.store_url or None
    )
    with record_lock(config):
        record = read_record(config)
        record.update(
            token=token.strip(), outcome="ok", reason="offline token", unreachable_since=None
        )
        write_record(config, record)
    return decide(record, keys_text, config, clock.time())
