"""Webhooks as WooCommerce 7.8 runs them: queued, coalesced, built at send time, signed.

A write queues one pending delivery per (webhook, resource id); more writes before the queue runs
change nothing (the real store keeps one pending Action Scheduler job per pair). ``flush`` is the
WP-Cron run: it builds each body *now* (so a deleted order yields its REST error object), signs
it (base64 HMAC-SHA256 of the raw body), posts it once (no retries) in a shuffled order, and
disables a webhook at its 7th consecutive failure. Creating a webhook pings it, unsigned.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from .model import Webhook

MAX_FAILURES = 5  # disabled when the count is already above this (the 7th failure)
TOPICS = tuple(
    f"{r}.{e}"
    for r in ("order", "product", "customer")
    for e in ("created", "updated", "deleted", "restored")
    if not (r == "customer" and e == "restored")
)


def signature(secret: str, body: bytes) -> str:
    """``X-WC-Webhook-Signature``: base64 of HMAC-SHA256(secret, raw body)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of one delivery attempt."""

    webhook_id: int
    topic: str
    resource_id: int
    delivery_id: str
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def as_dict(self) -> dict[str, Any]:
        return {
            "webhook_id": self.webhook_id,
            "topic": self.topic,
            "resource_id": self.resource_id,
            "delivery_id": self.delivery_id,
            "status": self.status,
            "error": self.error,
            "ok": self.ok,
        }


class WebhookHub:
    """Registered webhooks, the pending queue and delivery.

    ``payload(resource, resource_id)`` returns the body bytes of ``GET`` on that resource (or
    its REST error object); it is called at send time.
    """

    def __init__(
        self,
        source_url: Callable[[], str],
        payload: Callable[[str, int], bytes],
        user_agent: str,
        *,
        timeout: float = 60.0,
        seed: int = 0,
    ) -> None:
        self.source_url = source_url
        self.payload = payload
        self.user_agent = user_agent
        self.timeout = timeout
        self.webhooks: dict[int, Webhook] = {}
        self.pending: dict[tuple[int, int], None] = {}
        self.delivered: list[Delivery] = []
        self.lock = threading.RLock()
        self.next_id = 1
        self._random = random.Random(seed)

    def notify(self, resource: str, event: str, resource_id: int) -> None:
        topic = f"{resource}.{event}"
        with self.lock:
            for hook in self.webhooks.values():
                if hook.topic == topic and hook.status == "active":
                    self.pending.setdefault((hook.id, resource_id), None)

    def allocate_id(self) -> int:
        """The next webhook id (taken once, so concurrent creations never share one)."""
        with self.lock:
            self.next_id += 1
            return self.next_id - 1

    def add(self, hook: Webhook) -> Delivery | None:
        """Register a webhook and ping it (when active), as ``POST /webhooks`` does."""
        with self.lock:
            self.webhooks[hook.id] = hook
            self.next_id = max(self.next_id, hook.id + 1)
        return self.ping(hook) if hook.status == "active" else None

    def ping(self, hook: Webhook) -> Delivery:
        """The creation ping: form-encoded ``webhook_id=N``, no signature, no X-WC headers."""
        body = f"webhook_id={hook.id}".encode()
        headers = {
            "User-Agent": self.user_agent,
            "Referer": hook.delivery_url,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        result = self._post(hook, "ping", 0, body, headers)
        hook.pending_delivery = not result.ok
        return result

    def flush(self) -> list[Delivery]:
        """Send every pending delivery now (one attempt each)."""
        with self.lock:
            jobs = list(self.pending)
            self.pending.clear()
        self._random.shuffle(jobs)
        results = []
        for hook_id, resource_id in jobs:
            hook = self.webhooks.get(hook_id)
            if hook is None or hook.status != "active":
                continue
            results.append(self._deliver(hook, resource_id))
        return results

    def _deliver(self, hook: Webhook, resource_id: int) -> Delivery:
        if hook.event == "deleted":
            body = b'{"id":%d}' % resource_id
        else:
            body = self.payload(hook.resource, resource_id)
        headers = {
            "User-Agent": self.user_agent,
            "Referer": hook.delivery_url,
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": self.source_url() + "/",
            "X-WC-Webhook-Topic": hook.topic,
            "X-WC-Webhook-Resource": hook.resource,
            "X-WC-Webhook-Event": hook.event,
            "X-WC-Webhook-Signature": signature(hook.secret, body),
            "X-WC-Webhook-ID": str(hook.id),
        }
        result = self._post(hook, hook.topic, resource_id, body, headers)
        with self.lock:
            if result.ok:
                hook.failure_count = 0
            elif hook.failure_count > MAX_FAILURES:
                hook.status = "disabled"
            else:
                hook.failure_count += 1
        if not result.ok and hook.pending_delivery:
            self.ping(hook)  # a failure saves the webhook, and saving re-pings an unanswered one
        return result

    def _post(
        self, hook: Webhook, topic: str, resource_id: int, body: bytes, headers: dict[str, str]
    ) -> Delivery:
        delivery_id = secrets.token_hex(16)
        if topic != "ping":
            headers["X-WC-Webhook-Delivery-ID"] = delivery_id
        try:
            response = requests.post(
                hook.delivery_url,
                data=body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
            result = Delivery(hook.id, topic, resource_id, delivery_id, response.status_code, None)
        except requests.RequestException as exc:
            result = Delivery(hook.id, topic, resource_id, delivery_id, None, type(exc).__name__)
        with self.lock:
            self.delivered.append(result)
        return result
