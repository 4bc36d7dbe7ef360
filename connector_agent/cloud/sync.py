"""The agent's daily cloud round: report usage, upload aggregates, fetch and map the fallback list.

Each step stands alone: a step the cloud refuses or cannot answer is reported in the result and
the others still run. Aggregates go at most once a day (the cloud refuses more anyway). The mapped
fallback list is kept in ``<data_dir>/cloud_fallback.json`` so a restarted agent has it at once;
only a licence with the ``cloud_fallback`` feature fetches it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import orjson
import requests

from connector_agent.cloud import aggregates, usage
from connector_agent.cloud.mapping import CatalogueIndex, Product, map_top_list
from connector_agent.config import AgentConfig, write_atomic
from connector_agent.licence import LicenceState
from connector_agent.licence.cloud import TIMEOUT_SECONDS, Refused, Unreachable, call
from connector_agent.licence.state import saved_instance_id
from connector_agent.store import Store
from luxebrain.clock import Clock

log = logging.getLogger(__name__)

STATE_FILE = "cloud_fallback.json"
#: aggregates are sent at most once per this many seconds (the cloud allows one per 20 h)
UPLOAD_INTERVAL = 20 * 3600
FALLBACK_ITEMS = 200


class CloudNotConfigured(Exception):
    """No cloud URL, licence key or store URL: nothing to talk to."""


def _state_path(config: AgentConfig) -> Path:
    return Path(config.data_dir) / STATE_FILE


def read_state(config: AgentConfig) -> dict[str, Any]:
    try:
        state = orjson.loads(_state_path(config).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return state if isinstance(state, dict) else {}


def saved_fallback(config: AgentConfig) -> list[tuple[str, str]]:
    """The last mapped list, for ``brain.set_fallback`` at start-up (empty when none)."""
    items = read_state(config).get("fallback", [])
    return (
        [(str(p), str(r)) for p, r in items if isinstance(p, str)]
        if isinstance(items, list)
        else []
    )


def _identity(config: AgentConfig) -> tuple[str, str, dict[str, str]]:
    cloud_url, key = config.licence.cloud_url, config.secrets.licence_key
    if not (cloud_url and key and config.store_url):
        raise CloudNotConfigured("no licence.cloud_url, licence key or store URL")
    shop = {"store_url": config.store_url, "instance_id": saved_instance_id(config)}
    return cloud_url, key, shop


def _get(
    cloud_url: str, path: str, key: str, params: dict[str, Any], timeout: float = TIMEOUT_SECONDS
) -> dict[str, Any]:
    url = f"{cloud_url.rstrip('/')}{path}"
    try:
        response = requests.get(
            url, params=params, timeout=timeout, headers={"Authorization": f"Bearer {key}"}
        )
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise Unreachable(f"{url}: {type(exc).__name__}") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise Unreachable(f"{url}: HTTP {response.status_code}")
    if response.status_code != 200 or not isinstance(document, dict):
        error = document.get("error", {}) if isinstance(document, dict) else {}
        raise Refused(str(error.get("code", "refused")), str(error.get("message", "")))
    return document


def catalogue(store: Store) -> list[Product]:
    """The shop's live products as the mapping sees them."""
    rows = store.db.conn.execute(
        "SELECT id, name, categories, gtin FROM products"
        " WHERE deleted_at IS NULL AND COALESCE(status, 'publish') = 'publish'"
    )
    products = []
    for product_id, name, categories, gtin in rows:
        names = [c.get("name") for c in orjson.loads(categories or "[]") if isinstance(c, dict)]
        path = tuple(str(n) for n in names[:1] if n)
        products.append(Product(str(product_id), name or "", path, gtin or None))
    return products


class CloudSync:
    """One agent's cloud round; each method is one step."""

    def __init__(self, config: AgentConfig, store: Store, clock: Clock) -> None:
        self.config = config
        self.store = store
        self.clock = clock

    def report_usage(self) -> dict[str, Any]:
        cloud_url, key, shop = _identity(self.config)
        days = usage.daily_usage(self.store, today=self.clock.now().date())
        return call(cloud_url, "usage", key, {**shop, "usage": days})

    def upload_aggregates(self, *, force: bool = False) -> dict[str, Any] | None:
        """Send the aggregates unless they were sent within the day; ``None`` when skipped."""
        cloud_url, key, shop = _identity(self.config)
        state, now = read_state(self.config), int(self.clock.time())
        if not force and now - int(state.get("aggregates_sent_at", 0)) < UPLOAD_INTERVAL:
            return None
        body = aggregates.from_store(self.store, today=self.clock.now().date())
        answer = call(cloud_url, "fallbacks/aggregates", key, {**shop, **body})
        self._save(aggregates_sent_at=now)
        return answer

    def fetch_fallback(self) -> list[tuple[str, str]]:
        """Fetch the vertical's list, map it onto the catalogue, keep it; the mapped items."""
        cloud_url, key, _ = _identity(self.config)
        listed = _get(cloud_url, "/v1/agent/fallbacks", key, {"limit": FALLBACK_ITEMS})
        items = listed.get("items")
        mapped = map_top_list(
            items if isinstance(items, list) else [], CatalogueIndex(catalogue(self.store))
        )
        self._save(fallback=mapped, fallback_fetched_at=int(self.clock.time()))
        return mapped

    def account(self, *, timeout: float = TIMEOUT_SECONDS) -> dict[str, Any]:
        """The shop's own usage and invoices (``GET /v1/agent/billing``), for the plugin's page;
        ``timeout`` is shorter when a page waits on the answer."""
        cloud_url, key, _ = _identity(self.config)
        return _get(cloud_url, "/v1/agent/billing", key, {}, timeout)

    def run(self, licence: LicenceState, *, force: bool = False) -> dict[str, Any]:
        """All steps; ``{"usage"|"aggregates"|"fallback": answer or {"error": …}}``."""
        steps: dict[str, Any] = {
            "usage": self.report_usage,
            "aggregates": lambda: self.upload_aggregates(force=force),
        }
        if "cloud_fallback" in licence.features:
            steps["fallback"] = lambda: {"mapped": len(self.fetch_fallback())}
        result: dict[str, Any] = {}
        for name, step in steps.items():
            try:
                result[name] = step()
            except (Refused, Unreachable, CloudNotConfigured) as exc:
                log.warning("cloud %s: %s", name, exc)
                result[name] = {"error": str(exc)}
        return result

    def _save(self, **values: Any) -> None:
        state = {**read_state(self.config), **values}
        write_atomic(_state_path(self.config), orjson.dumps(state).decode())
