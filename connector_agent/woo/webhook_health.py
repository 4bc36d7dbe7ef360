"""Hourly webhook health: re-enable the agent's webhooks that WooCommerce switched off.

WooCommerce never retries a delivery; after the 7th consecutive failure (an agent that was down
for a while) it sets the webhook to ``disabled`` for good. Only webhooks that deliver to this
agent's intake path are touched; other integrations' webhooks are none of our business.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from connector_agent.woo.client import WooClient

log = logging.getLogger(__name__)

INTAKE_PATH = "/v1/webhooks/woocommerce"
PAGE = 100


@dataclass
class WebhookHealth:
    """``ours``: ids of the agent's webhooks; ``reenabled``: those switched back on."""

    ours: list[int] = field(default_factory=list)
    reenabled: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return f"webhooks: {len(self.ours)} ours, {len(self.reenabled)} re-enabled"


def is_ours(delivery_url: object) -> bool:
    return isinstance(delivery_url, str) and delivery_url.rstrip("/").endswith(INTAKE_PATH)


def check_webhooks(client: WooClient) -> WebhookHealth:
    """List the store's webhooks and set the agent's disabled ones back to ``active``."""
    health = WebhookHealth()
    for hook in client.list_all("webhooks", {}, PAGE):
        if not is_ours(hook.get("delivery_url")):
            continue
        health.ours.append(int(hook["id"]))
        if hook.get("status") == "disabled":
            client.put(f"webhooks/{hook['id']}", {"status": "active"})
            health.reenabled.append(int(hook["id"]))
            log.warning("re-enabled webhook %s (%s)", hook["id"], hook.get("topic"))
    return health
