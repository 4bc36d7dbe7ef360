"""A signed client for the agent's own API: what `luxebrain-agent api` and the demo use.

It signs exactly as the WordPress plugin does (``wp_plugin_bridge.signing``), so a shop owner or a
support person can ask the running agent anything the plugin can, from a shell on the same host.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests

from connector_agent.config import AgentConfig
from connector_agent.errors import AgentUnreachable
from wp_plugin_bridge.signing import sign_headers


def call_agent(
    config: AgentConfig,
    method: str,
    path: str,
    body: Any = None,
    *,
    base_url: str | None = None,
    timeout: float = 10.0,
) -> tuple[int, Any]:
    """Send one signed request to the agent; return ``(status, parsed JSON or text)``."""
    base = (base_url or f"http://{config.api.bind}").rstrip("/")
    raw = b"" if body is None else orjson.dumps(body)
    split = urlsplit(path)
    path_qs = split.path + (f"?{split.query}" if split.query else "")
    headers = {"Content-Type": "application/json"}
    if config.secrets.shared_secret:
        headers.update(
            sign_headers(
                config.secrets.shared_secret,
                method,
                path_qs,
                raw,
                timestamp=int(time.time()),
                nonce=secrets.token_hex(16),
            )
        )
    try:
        response = requests.request(
            method.upper(), base + path_qs, data=raw or None, headers=headers, timeout=timeout
        )
    except requests.RequestException as exc:
        raise AgentUnreachable(f"{base}: agent not reachable ({type(exc).__name__})") from None
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text
