"""The check-in hot path: every agent, every few hours, so it is written for few round trips.

It counts the call against the licence's rate limit, reads the licence, tenant, plan, store
slot (by key hash and URL) and the reduced limits of an over-limit flag from the latest billing
close, and records last-seen when the slot is this agent's; then Python decides (rate limit,
revocation, expiry, binding) and mints the token.

* PostgreSQL: one statement (data-modifying CTEs, prepared once per connection) on a
  non-blocking connection of its own (``cloud_api.pgasync``).
* SQLite: three statements in one transaction, in a worker thread.

Plain SQL because building these queries through the ORM, and planning them, cost more CPU than
the rest of the request (measured with bench/cloud.py). Refused check-ins still count and still
record last-seen: the agent *was* seen.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud_api import prepared, ratelimit
from cloud_api.activation import InstanceMismatch, StoreNotActivated, agent_fields
from cloud_api.binding import Binding, token_answer
from cloud_api.errors import Unauthorized
from cloud_api.licences import KEY_PREFIX, ensure_usable, hash_key
from cloud_api.pgasync import AsyncPool

COUNTER_PREFIX = "agent:"  # one counter per licence for every agent endpoint (api/agent.py)

_FOUND = """
SELECT l.id, l.tenant_id, t.name AS tenant, p.name AS plan, p.features, l.status, l.max_stores,
       l.max_staging, l.expires_at, l.trial_ends_at, s.id AS store_id, s.instance_id, s.staging,
       s.active, f.reduced_limits
FROM licence l
JOIN tenant t ON t.id = l.tenant_id
JOIN plan p ON p.id = l.plan_id
LEFT JOIN store s ON s.licence_id = l.id AND s.url = {}
LEFT JOIN usage_flag f ON f.licence_id = l.id AND f.policy = 'reduce'
    AND f.period = (SELECT MAX(period) FROM billing_close)
WHERE l.key_hash = {}
"""
# params: url, key hash, counter prefix, window start, instance id, now, version, instance id
_ONE_STATEMENT = f"""
WITH found AS ({_FOUND}),
hit AS (
    INSERT INTO counter (key, window_start, count)
    SELECT CAST({{}} AS text) || found.id, CAST({{}} AS bigint), 1 FROM found
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN counter.window_start = excluded.window_start
                THEN counter.count + 1 ELSE 1 END,
        window_start = excluded.window_start
    RETURNING count
),
seen AS (
    UPDATE store SET instance_id = {{}}, last_seen_at = {{}}, agent_version = {{}}, offline = false
    FROM found
    WHERE store.id = found.store_id AND found.active AND found.instance_id IN ('', {{}})
    RETURNING store.id
)
SELECT found.*, (SELECT count FROM hit) FROM found
"""
_SEEN = (
    "UPDATE store SET instance_id = {}, last_seen_at = {}, agent_version = {}, offline = {} "
    "WHERE id = {}"
)


def _binding(row: tuple[Any, ...], url: str) -> Binding:
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
        reduced_limits,
    ) = row[:15]
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
        orjson.loads(reduced_limits) if reduced_limits else {},
    )


def _record_sqlite(
    key: str, url: str, instance_id: str, version: str, now: int, window: int
) -> tuple[Binding, int]:
    """Count, read and record last-seen in the caller's transaction (SQLite)."""
    row = prepared.run("lb_checkin_find", _FOUND, (url, hash_key(key))).fetchone()
    if row is None:
        raise Unauthorized("unknown licence key")
    binding = _binding(row, url)
    counted = ratelimit.add(f"{COUNTER_PREFIX}{binding.id}", window, now)
    if binding.active and binding.instance_id in ("", instance_id):
        prepared.run("lb_checkin_seen", _SEEN, (instance_id, now, version, False, binding.store_id))
    return binding, counted


async def _record_postgres(
    pool: AsyncPool, key: str, url: str, instance_id: str, version: str, now: int, window: int
) -> tuple[Binding, int]:
    """Count, read and record last-seen in one statement (PostgreSQL, non-blocking)."""
    start = ratelimit.window_start(now, window)
    params = (url, hash_key(key), COUNTER_PREFIX, start, instance_id, now, version, instance_id)
    row = await pool.fetchone("lb_checkin", _ONE_STATEMENT, params)
    if row is None:
        raise Unauthorized("unknown licence key")
    return _binding(row, url), int(row[15])


def _answer(
    binding: Binding,
    counted: int,
    url: str,
    instance_id: str,
    *,
    signer: Ed25519PrivateKey,
    now: int,
    ttl: int,
    rate_limit: int,
    rate_window: int,
) -> dict[str, Any]:
    """Decide on what was read: rate limit, licence state, store binding; then the token."""
    ratelimit.enforce(counted, rate_limit, rate_window, now)
    ensure_usable(binding, now)
    if binding.store_id is None or not binding.active:
        raise StoreNotActivated(f"{url} is not activated on this licence", field="store_url")
    if binding.instance_id not in ("", instance_id):
        raise InstanceMismatch(f"{url} is active with another agent instance", field="instance_id")
    bound = replace(binding, instance_id=instance_id)
    return token_answer(bound, signer, now=now, exp=min(now + ttl, binding.expires_at))


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
    """SQLite: a fresh token for an activated store; records last-seen and the agent version.

    ``body`` may carry more (usage reports, later); unknown keys are ignored.
    """
    url, instance_id, version = agent_fields(body)
    _check_key(key)
    binding, counted = _record_sqlite(key, url, instance_id, version, now, rate_window)
    return _answer(
        binding,
        counted,
        url,
        instance_id,
        signer=signer,
        now=now,
        ttl=ttl,
        rate_limit=rate_limit,
        rate_window=rate_window,
    )


async def checkin_postgres(
    pool: AsyncPool,
    key: str,
    body: dict[str, Any],
    *,
    signer: Ed25519PrivateKey,
    now: int,
    ttl: int,
    rate_limit: int,
    rate_window: int,
) -> dict[str, Any]:
    """PostgreSQL: the same as :func:`checkin`, without leaving the event loop."""
    url, instance_id, version = agent_fields(body)
    _check_key(key)
    binding, counted = await _record_postgres(
        pool, key, url, instance_id, version, now, rate_window
    )
    return _answer(
        binding,
        counted,
        url,
        instance_id,
        signer=signer,
        now=now,
        ttl=ttl,
        rate_limit=rate_limit,
        rate_window=rate_window,
    )


def _check_key(key: str) -> None:
    if not key.startswith(KEY_PREFIX):
        raise Unauthorized("missing or malformed licence key")
