"""Webhooks as WooCommerce 7.8 runs them: queued, coalesced, built at send time, signed.

A write queues one pending delivery per (webhook, resource id); more writes before the queue runs
change nothing (the real store keeps one pending Action Scheduler job per pair). ``flush`` is the
WP-Cron run: it builds each body *now* (so a deleted order yields its REST error object), signs
it (base64 HMAC-SHA256 of the raw body), posts it once (no retries) in a shuffled order, and
disables a webhook at its 7th consecutive failure. Creating a webhook pings it, unsigned.
Deliveries and pings go only to URLs WordPress allows (``wp_http.py``); a refused one is a failure.
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
from .wp_http import REFUSED, AgentGuard, is_safe_url

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
        """WooCommerce's own test of the answer: a ping needs exactly 200
        (``WC_Webhook::deliver_ping``); a delivery succeeds on ``>= 200 && < 303``, so 301 and
        302 count (``WC_Webhook::log_delivery``; deliveries follow no redirects)."""
        if self.status is None:
            return False
        if self.topic == "ping":
            return self.status == 200
        return 200 <= self.status < 303

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
    its REST error object); it is called at send time. ``now`` is the store's clock (Unix
    seconds). ``guard`` stands for the LuxeBrain plugin's delivery filters: None until the
    store is paired with an agent (``WooDouble.pair_agent``).
    """

    def __init__(
        self,
        source_url: Callable[[], str],
        payload: Callable[[str, int], bytes],
        user_agent: str,
        *,
        now: Callable[[], float],
        timeout: float = 60.0,
        seed: int = 0,
    ) -> None:
        self.source_url = source_url
        self.payload = payload
        self.user_agent = user_agent
        self.now = now
        self.timeout = timeout
        self.guard: AgentGuard | None = None
        self.webhooks: dict[int, Webhook] = {}
        self.pending: dict[tuple[int, int], None] = {}
        self.delivered: list[Delivery] = []
        self.lock = threading.RLock()
        self.next_id = 1
        self._random = random.Random(seed)
        self._salt = secrets.token_bytes(32)  # the site's secret salt that wp_hash keys with

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
        """The creation ping: form-encoded ``webhook_id=N``, no signature, no X-WC headers and
        no delivery id. Only an answer of exactly 200 clears ``pending_delivery``."""
        body = f"webhook_id={hook.id}".encode()
        headers = {
            "User-Agent": self.user_agent,
            "Referer": hook.delivery_url,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        result = self._post(hook, "ping", 0, body, headers, delivery_id="")
        if result.ok:
            hook.pending_delivery = False
        return result

    def delivery_id(self, hook: Webhook) -> str:
        """``WC_Webhook::get_new_delivery_id``: ``wp_hash( $id . strtotime( 'now' ) )``, an
        HMAC-MD5 keyed with the site's salt. So every delivery of one webhook within one clock
        second carries the same id (the recorded product and its variation share one)."""
        message = f"{hook.id}{int(self.now())}".encode()
        return hmac.new(self._salt, message, hashlib.md5).hexdigest()

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
        """``WC_Webhook::deliver``: one signed POST, then ``log_delivery`` counts it."""
        delivery_id = self.delivery_id(hook)
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
            "X-WC-Webhook-Delivery-ID": delivery_id,
        }
        result = self._post(hook, hook.topic, resource_id, body, headers, delivery_id)
        self._count(hook, result)
        if hook.status == "active" and hook.pending_delivery:
            self.ping(hook)  # log_delivery saves the webhook, and saving re-pings an unanswered one
        return result

    def _count(self, hook: Webhook, result: Delivery) -> None:
        """``log_delivery``/``failed_delivery``: a success resets the count; a failure raises
        it, or disables the webhook when it is already above 5 (the 7th in a row)."""
        with self.lock:
            if result.ok:
                hook.failure_count = 0
            elif hook.failure_count > MAX_FAILURES:
                hook.status = "disabled"
            else:
                hook.failure_count += 1

    def _post(
        self,
        hook: Webhook,
        topic: str,
        resource_id: int,
        body: bytes,
        headers: dict[str, str],
        delivery_id: str,
    ) -> Delivery:
        """Send one request, unless WordPress refuses the URL: then nothing is sent and the
        outcome is ``wp_safe_remote_request``'s ``WP_Error`` code."""
        if is_safe_url(hook.delivery_url, self.source_url(), self.guard):
            status, error = self._send(hook.delivery_url, body, headers)
        else:
            status, error = None, REFUSED
        result = Delivery(hook.id, topic, resource_id, delivery_id, status, error)
        with self.lock:
            self.delivered.append(result)
        return result

    def _send(
        self, url: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int | None, str | None]:
        """One POST, no redirects followed: (status, None), or (None, the transport error)."""
        try:
            response = requests.post(
                url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            return None, type(exc).__name__
        return response.status_code, None
