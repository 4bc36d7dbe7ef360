"""The store's public documents: the ``/wp-json/`` and ``/wp-json/wc/v3`` indexes and
``/system_status``, served from copies of a real store's recordings (``demo/data``), with this
store's URL, versions and currency put in."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson

from .render import CURRENCY_SYMBOLS, HTML_SYMBOLS

DATA = Path(__file__).resolve().parent.parent / "data"
RECORDED_URL = "http://127.0.0.1:8088"
WP_VERSION = "6.1.9"


class SiteDocuments:
    def __init__(self, base_url: Callable[[], str], wc_version: str, currency: str) -> None:
        self.base_url = base_url
        self.wc_version = wc_version
        self.currency = currency

    def _load(self, name: str) -> str:
        path = DATA / name
        raw = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
        return raw.decode()

    @cached_property
    def _wc_v3(self) -> str:
        return self._load("wc_v3_index.json.gz")

    def index(self, path: str) -> dict[str, Any]:
        """``/wp-json/`` (``path == "/"``) or the ``wc/v3`` namespace index."""
        text = self._wc_v3 if path == "/wc/v3" else self._load("site_index.json")
        body: dict[str, Any] = orjson.loads(text.replace(RECORDED_URL, self.base_url()))
        if path == "/":
            body["name"] = "LuxeBrain demo store"
        return body

    def system_status(self) -> dict[str, Any]:
        body: dict[str, Any] = orjson.loads(
            self._load("system_status.json").replace(RECORDED_URL, self.base_url())
        )
        body["environment"]["version"] = self.wc_version
        body["environment"]["wp_version"] = WP_VERSION
        body["database"]["wc_database_version"] = self.wc_version
        body["settings"]["currency"] = self.currency
        body["settings"]["currency_symbol"] = HTML_SYMBOLS.get(
            self.currency, CURRENCY_SYMBOLS.get(self.currency, self.currency)
        )
        for plugin in body.get("active_plugins", []):
            if plugin.get("plugin", "").startswith("woocommerce/"):
                plugin["version"] = plugin["version_latest"] = self.wc_version
        return body
