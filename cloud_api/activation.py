"""Binding licences to stores: activate, deactivate, offline tokens, moves (check-ins: checkin.py).

A store slot is a row per (licence, site URL). Production stores count against ``max_stores``;
staging sites count only against ``max_staging``. A slot reserved without an agent (an offline
token, a move) has an empty instance id and binds to the first agent that activates there.

The agent operations check everything before their first write, so a refused call writes
nothing (the caller commits its rate-limit count either way).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud_api import audit
from cloud_api.binding import Binding, token_answer
from cloud_api.db import locked
from cloud_api.errors import Conflict, InvalidInput, NotFound, StoreLimitReached
from cloud_api.licences import ensure_usable
from cloud_api.models import Licence, Store
from cloud_api.times import DAY, iso

DEFAULT_TTL = 30 * DAY


class StoreNotActivated(Conflict):
    code = "store_not_activated"


class InstanceMismatch(Conflict):
    code = "instance_mismatch"


def normalise_url(url: Any, field: str = "store_url") -> str:
    """``HTTPS://Shop.Example/`` -> ``https://shop.example``; refuse anything but http(s) URLs."""
    if not isinstance(url, str) or len(url) > 500:
        raise InvalidInput("must be an http(s) URL", field=field)
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"must be an http(s) URL (got {url!r})", field=field)
    netloc = parts.hostname.lower() + (f":{parts.port}" if parts.port else "")
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


def agent_fields(body: dict[str, Any]) -> tuple[str, str, str]:
    """``(store URL, instance id, agent version)`` from an agent's body, validated."""
    return normalise_url(body.get("store_url")), _instance(body.get("instance_id")), _version(body)


def _version(body: dict[str, Any]) -> str:
    version = body.get("agent_version", "")
    if not isinstance(version, str) or len(version) > 50:
        raise InvalidInput("agent_version must be a short string", field="agent_version")
    return version


def _instance(value: Any) -> str:
    if not isinstance(value, str) or not 8 <= len(value) <= 100:
        raise InvalidInput(
            "instance_id must be a string of 8 to 100 characters", field="instance_id"
        )
    return value


def _slot(licence: Licence, url: str) -> Store | None:
    return Store.get_or_none((Store.licence == licence.id) & (Store.url == url))


def _lock(licence: Licence) -> None:
    """Serialise slot changes of one licence across workers (concurrent activations)."""
    locked(Licence.select(Licence.id).where(Licence.id == licence.id)).get()


def _reserve(
    licence: Licence,
    url: str,
    *,
    staging: bool,
    instance_id: str,
    offline: bool,
    actor: str,
    now: int,
) -> Store:
    """Take a free slot for ``url`` or raise StoreLimitReached (the caller holds the lock)."""
    in_use = [
        s
        for s in Store.select().where((Store.licence == licence.id) & Store.active)
        if s.staging == staging
    ]
    limit = licence.max_staging if staging else licence.max_stores
    if len(in_use) >= limit:
        kind = "staging site" if staging else "store"
        urls = ", ".join(s.url for s in in_use) or "none"
        raise StoreLimitReached(
            f"licence {licence.id} allows {limit} {kind}(s) and all are in use ({urls}); "
            "deactivate one or upgrade the plan"
        )
    store = _slot(licence, url) or Store(tenant=licence.tenant_id, licence=licence.id, url=url)
    store.instance_id, store.staging, store.offline = instance_id, staging, offline
    store.active, store.activated_at, store.deactivated_at = True, now, None
    store.save()
    audit.record(
        actor,
        "store.activate",
        f"store:{store.id}",
        now=now,
        tenant_id=licence.tenant_id,
        after={"url": url, "staging": staging, "offline": offline},
    )
    return store


def activate(
    licence: Licence,
    body: dict[str, Any],
    *,
    signer: Ed25519PrivateKey,
    now: int,
    ttl: int = DEFAULT_TTL,
) -> dict[str, Any]:
    """Idempotent for the same store and instance; a new store needs a free slot."""
    ensure_usable(licence, now)
    url, instance_id, version = agent_fields(body)
    staging = body.get("staging", False)
    if not isinstance(staging, bool):
        raise InvalidInput("staging must be true or false", field="staging")
    _lock(licence)
    store = _slot(licence, url)
    if store is None or not store.active:
        store = _reserve(
            licence,
            url,
            staging=staging,
            instance_id=instance_id,
            offline=False,
            actor=f"licence:{licence.id}",
            now=now,
        )
    elif store.instance_id not in ("", instance_id):
        raise InstanceMismatch(
            f"{url} is active with another agent instance; deactivate it first", field="instance_id"
        )
    return _seen(licence, store, instance_id, version, signer=signer, now=now, ttl=ttl)


def _seen(
    licence: Licence,
    store: Store,
    instance_id: str,
    version: str,
    *,
    signer: Ed25519PrivateKey,
    now: int,
    ttl: int,
) -> dict[str, Any]:
    Store.update(
        instance_id=instance_id, last_seen_at=now, agent_version=version, offline=False
    ).where(Store.id == store.id).execute()
    store.instance_id = instance_id
    exp = min(now + ttl, licence.expires_at)
    return token_answer(Binding.of(licence, store), signer, now=now, exp=exp)


def deactivate(licence: Licence, body: dict[str, Any], *, now: int) -> dict[str, Any]:
    """Free the store's slot (the agent calls this on uninstall)."""
    url, instance_id, _ = agent_fields(body)
    store = _slot(licence, url)
    if store is None or not store.active or store.instance_id not in ("", instance_id):
        raise NotFound(f"{url} is not active on this licence with this instance", field="store_url")
    _release(licence, store, actor=f"licence:{licence.id}", now=now)
    return {"store_url": url, "active": False}


def release(licence: Licence, store_url: str, *, actor: str, now: int) -> dict[str, Any]:
    """Staff free a store's slot (e.g. the shop reinstalled its agent and lost its instance id)."""
    url = normalise_url(store_url)
    store = _slot(licence, url)
    if store is None or not store.active:
        raise NotFound(f"{url} is not active on licence {licence.id}", field="store_url")
    _release(licence, store, actor=actor, now=now)
    return {"store_url": url, "active": False}


def _release(licence: Licence, store: Store, *, actor: str, now: int) -> None:
    Store.update(active=False, deactivated_at=now).where(Store.id == store.id).execute()
    audit.record(
        actor,
        "store.deactivate",
        f"store:{store.id}",
        now=now,
        tenant_id=licence.tenant_id,
        before={"url": store.url, "active": True},
        after={"url": store.url, "active": False},
    )


def offline_token(
    licence: Licence, store_url: str, *, signer: Ed25519PrivateKey, actor: str, now: int
) -> dict[str, Any]:
    """A token valid until the licence expires, for a shop that cannot reach the cloud.

    It takes (or reuses) the store's slot, so it counts as an activation.
    """
    ensure_usable(licence, now)
    url = normalise_url(store_url)
    _lock(licence)
    store = _slot(licence, url)
    if store is None or not store.active:
        store = _reserve(
            licence, url, staging=False, instance_id="", offline=True, actor=actor, now=now
        )
    audit.record(
        actor,
        "licence.offline_token",
        f"licence:{licence.id}",
        now=now,
        tenant_id=licence.tenant_id,
        after={"store_url": url},
    )
    answer = token_answer(Binding.of(licence, store), signer, now=now, exp=licence.expires_at)
    return {"token": answer["token"], "expires_at": answer["expires_at"]}


def move(licence: Licence, from_url: str, to_url: str, *, actor: str, now: int) -> dict[str, Any]:
    """Deactivate the old store and reserve its slot for the new URL (bound at activation)."""
    old, new = normalise_url(from_url, "from_url"), normalise_url(to_url, "to_url")
    if old == new:
        raise InvalidInput("from_url and to_url are the same store", field="to_url")
    _lock(licence)
    store, target = _slot(licence, old), _slot(licence, new)
    if store is None or not store.active:
        raise NotFound(f"{old} is not active on licence {licence.id}", field="from_url")
    if target is not None and target.active:
        raise Conflict(f"{new} is already active on licence {licence.id}", field="to_url")
    _release(licence, store, actor=actor, now=now)
    moved = _reserve(
        licence, new, staging=store.staging, instance_id="", offline=False, actor=actor, now=now
    )
    return {"from_url": old, "to_url": moved.url, "staging": moved.staging}


def store_json(store: Store) -> dict[str, Any]:
    return {
        "id": store.id,
        "licence_id": store.licence_id,
        "tenant_id": store.tenant_id,
        "url": store.url,
        "instance_id": store.instance_id,
        "staging": store.staging,
        "offline": store.offline,
        "active": store.active,
        "activated_at": iso(store.activated_at),
        "deactivated_at": iso(store.deactivated_at),
        "last_seen_at": iso(store.last_seen_at),
        "agent_version": store.agent_version,
    }
