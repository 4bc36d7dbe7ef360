"""The check-in hot path: every agent, every few hours, so it is written for few round trips.

One query reads the licence, its tenant, plan and the store slot by key hash and URL; one upsert
counts the call against the licence's rate limit; one update records last-seen. Plain SQL here
because building these queries through the ORM cost more CPU than the rest of the request, and
prepared once per connection because planning the lookup cost more than running it (measured
with ``bench/cloud.py``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud_api import prepared, ratelimit
from cloud_api.activation import (
    InstanceMismatch,
    StoreNotActivated,
    agent_fields,
)
from cloud_api.binding import Binding, token_answer
from cloud_api.db import relaxed_commit
from cloud_api.errors import Unauthorized
from cloud_api.licences import KEY_PREFIX, ensure_usable, hash_key

_LOOKUP = """
SELECT l.id, l.tenant_id, t.name, p.name, p.features, l.status, l.max_stores, l.max_staging,
       l.expires_at, l.trial_ends_at, s.id, s.instance_id, s.staging, s.active
FROM licence l
JOIN tenant t ON t.id = l.tenant_id
JOIN plan p ON p.id = l.plan_id
LEFT JOIN store s ON s.licence_id = l.id AND s.url = {}
WHERE l.key_hash = {}
"""
_SEEN = (
    "UPDATE store SET instance_id = {}, last_seen_at = {}, agent_version = {}, offline = {} "
    "WHERE id = {}"
)


def lookup(key: str, url: str) -> Binding:
    """The licence behind ``key`` and its slot for ``url`` (``store_id`` None if it has none)."""
    if not key.startswith(KEY_PREFIX):
        raise Unauthorized("missing or malformed licence key")
    row = prepared.run("lb_checkin_lookup", _LOOKUP, (url, hash_key(key))).fetchone()
    if row is None:
        raise Unauthorized("unknown licence key")
    (
        licence_id,
        tenant_id,
        tenant,
        plan,
        features,
        status,
        max_stores,
        max_staging,
        expires_at,
        trial_ends_at,
        store_id,
        instance_id,
        staging,
        active,
    ) = row
    return Binding(
        licence_id,
        tenant_id,
        tenant,
        plan,
        tuple(sorted(orjson.loads(features))),
        status,
        max_stores,
        max_staging,
        expires_at,
        trial_ends_at,
        store_id,
        url,
        instance_id or "",
        bool(staging),
        bool(active),
    )


def checkin(
    key: str,
    body: dict[str, Any],
    *,
    signer: Ed25519PrivateKey,
    now: int,
    ttl: int,
    rate_limit: int,
    rate_window: int,
) -> dict[str, Any]:
    """A fresh token for an activated store; records last-seen and the agent version.

    ``body`` may carry more (usage reports, later); unknown keys are ignored. Everything is
    checked before the one write, and that write is telemetry: its commit does not wait for
    the disk.
    """
    url, instance_id, version = agent_fields(body)
    binding = lookup(key, url)
    ratelimit.hit(f"agent:{binding.id}", rate_limit, rate_window, now)
    ensure_usable(binding, now)
    if binding.store_id is None or not binding.active:
        raise StoreNotActivated(f"{url} is not activated on this licence", field="store_url")
    if binding.instance_id not in ("", instance_id):
        raise InstanceMismatch(f"{url} is active with another agent instance", field="instance_id")
    relaxed_commit()
    prepared.run("lb_checkin_seen", _SEEN, (instance_id, now, version, False, binding.store_id))
    bound = replace(binding, instance_id=instance_id)
    return token_answer(bound, signer, now=now, exp=min(now + ttl, binding.expires_at))
