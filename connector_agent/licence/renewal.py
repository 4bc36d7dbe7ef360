"""Check in with the licence cloud: activate when needed, store the fresh token, or record why not.

The outcome only ever lowers what the shop gets when the cloud *says* so (revoked, expired,
suspended, unknown key); an unreachable cloud keeps the current token and starts the grace
period instead.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization

from connector_agent.config import write_atomic
from connector_agent.licence import cloud
from connector_agent.licence.state import (
    KEYS_FILE_NAME,
    LicenceState,
    decide,
    instance_id,
    public_key_text,
    read_record,
    record_lock,
    write_record,
)
from connector_agent.licence.token import (
    TokenInvalid,
    fetch_public_keys,
    parse_public_keys,
    verify,
)
from luxebrain.clock import Clock

_DEGRADED = {
    "licence_revoked": "revoked",
    "licence_suspended": "revoked",
    "licence_expired": "expired",
}


def _agent_version() -> str:
    try:
        return version("luxebrain")
    except PackageNotFoundError:
        return "unknown"


def refresh_public_keys(config: Any) -> None:
    """Cache the cloud's published keys unless a key file is configured (best effort)."""
    source = config.licence.public_key
    if source and not source.startswith(("http://", "https://")):
        return
    url = source or f"{config.licence.cloud_url.rstrip('/')}/.well-known/luxebrain-keys.json"
    try:
        keys = parse_public_keys(fetch_public_keys(url))
    except (OSError, TokenInvalid, requests.RequestException):
        return
    pem = "".join(
        k.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        for k in keys.values()
    )
    write_atomic(Path(config.data_dir) / KEYS_FILE_NAME, pem)


def _exchange(config: Any, key: str, body: dict[str, Any]) -> dict[str, Any]:
    cloud_url = config.licence.cloud_url
    try:
        return cloud.call(cloud_url, "checkin", key, body)
    except cloud.Refused as refused:
        if refused.code != "store_not_activated":
            raise
    return cloud.call(cloud_url, "activate", key, body)


def checkin(config: Any, clock: Clock) -> LicenceState:
    """Activate if needed and refresh the token; never raises for cloud trouble.

    The record is locked from read to write (the cloud calls have short timeouts), so a
    concurrent check-in or ``licence install`` never loses its change.
    """
    with record_lock(config):
        return _checkin(config, clock)


def _checkin(config: Any, clock: Clock) -> LicenceState:
    record = read_record(config)
    now = int(clock.time())
    key = config.secrets.licence_key
    missing = [
        name
        for name, value in (
            ("licence key", key),
            ("licence.cloud_url", config.licence.cloud_url),
            ("store URL", config.store_url),
        )
        if not value
    ]
    if missing:
        record["reason"] = f"check-in skipped: no {', '.join(missing)}"
        write_record(config, record)
        return decide(record, public_key_text(config), config, now)
    refresh_public_keys(config)
    body = {
        "store_url": config.store_url,
        "instance_id": instance_id(record),
        "agent_version": _agent_version(),
    }
    record["last_attempt_at"] = now
    try:
        answer = _exchange(config, key, body)
        _accept(config, record, answer, now)
    except cloud.Unreachable as exc:
        record["unreachable_since"] = record.get("unreachable_since") or now
        record["reason"] = f"cloud unreachable: {exc}"
    except cloud.Refused as refused:
        record.pop("token", None)
        record["unreachable_since"] = None
        record["outcome"] = _DEGRADED.get(refused.code, "free")
        record["reason"] = f"{refused.code}: {refused.message}"
    write_record(config, record)
    return decide(record, public_key_text(config), config, now)


def _accept(config: Any, record: dict[str, Any], answer: dict[str, Any], now: int) -> None:
    """Keep the cloud's token only if it verifies and is bound to this store."""
    token = answer.get("token")
    keys_text = public_key_text(config)
    try:
        if not isinstance(token, str) or keys_text is None:
            raise TokenInvalid("no token or no public key")
        verify(token, parse_public_keys(keys_text), now=now, store_url=config.store_url)
    except TokenInvalid as exc:
        record["reason"] = f"the cloud's token was rejected: {exc.message}"
        return
    record.update(token=token, last_checkin_at=now, unreachable_since=None, outcome="ok", reason="")
