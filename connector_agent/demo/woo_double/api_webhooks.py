"""The ``/webhooks`` routes: list, create (which pings), read, update (re-enable), delete.

Re-enabling a webhook (``status: active``) keeps its failure count (``WC_Webhook::set_status``
does not touch it; only a successful delivery resets it), so a webhook disabled after 7 failures
is disabled again by its next one. Saving an active webhook pings it when its last ping was not
answered 200 or its delivery URL changed (``WC_Webhook_Data_Store::update``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import WooRestError, invalid_id
from .fields import apply_fields, parse_fields
from .listing import boolean, page_response, paginate
from .messages import Request, Response
from .model import Webhook
from .render import Renderer
from .webhooks import TOPICS, WebhookHub


class WebhookRoutes:
    def __init__(self, hub: WebhookHub, renderer: Renderer, now: Callable[[], int]) -> None:
        self.hub, self.renderer, self.now = hub, renderer, now

    def list(self, request: Request, _: re.Match[str]) -> Response:
        status = request.query.get("status", "all")
        with self.hub.lock:
            rows = [w for w in self.hub.webhooks.values() if status in ("all", w.status)]
            rows.sort(key=lambda w: (w.created, w.id), reverse=True)
            page = paginate(rows, request.query)
            body = [self.renderer.webhook(w) for w in page.items]
        fields = parse_fields(request.query.get("_fields"))
        return page_response(
            self.renderer.base_url, request, page, [apply_fields(b, fields) for b in body]
        )

    def _webhook(self, m: re.Match[str]) -> Webhook:
        hook = self.hub.webhooks.get(int(m["id"]))
        if hook is None:
            raise invalid_id("webhook")
        return hook

    def get(self, _: Request, m: re.Match[str]) -> Response:
        return Response(200, self.renderer.webhook(self._webhook(m)))

    def create(self, request: Request, _: re.Match[str]) -> Response:
        data = request.values()
        topic, url = data.get("topic"), data.get("delivery_url")
        if topic not in TOPICS:
            raise WooRestError(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): topic",
                params={"topic": "Webhook topic unknown. Please select a valid topic"},
            )
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise WooRestError(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): delivery_url",
                params={"delivery_url": "delivery_url is not a valid URL."},
            )
        now = self.now()
        hook = Webhook(
            self.hub.allocate_id(),
            str(data.get("name") or f"Webhook {topic}"),
            topic,
            url,
            str(data.get("secret") or ""),
            now,
            now,
            status=str(data.get("status", "active")),
        )
        self.hub.add(hook)
        return Response(201, self.renderer.webhook(hook))

    def update(self, request: Request, m: re.Match[str]) -> Response:
        data = request.values()
        hook = self._webhook(m)
        status = data.get("status")
        if status is not None and status not in ("active", "paused", "disabled"):
            raise WooRestError(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): status",
                params={"status": "status is not one of active, paused, disabled."},
            )
        with self.hub.lock:
            old_url = hook.delivery_url
            if status is not None:
                hook.status = status
            for key in ("name", "delivery_url", "secret"):
                if key in data:
                    setattr(hook, key, str(data[key]))
            hook.modified = self.now()
        if hook.status == "active" and (hook.pending_delivery or hook.delivery_url != old_url):
            self.hub.ping(hook)
        return Response(200, self.renderer.webhook(hook))

    def delete(self, request: Request, m: re.Match[str]) -> Response:
        if not boolean(request.query, "force"):
            raise WooRestError(
                501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing."
            )
        hook = self._webhook(m)
        with self.hub.lock:
            del self.hub.webhooks[hook.id]
        return Response(200, self.renderer.webhook(hook))
