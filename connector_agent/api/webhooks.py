"""``POST /v1/webhooks/woocommerce``: WooCommerce's signed deliveries, appended to the event log.

Open to unsigned callers as far as the plugin<->agent signature goes (``auth.OPEN_PATHS``):
a delivery carries its own ``X-WC-Webhook-Signature``, checked over the raw body with the
webhook secret (not the shared secret). Answers:

* ``200 {"status": "ping"}`` — WooCommerce's unsigned creation ping (``webhook_id=N``);
* ``200 {"status": "appended" | "ignored" | "duplicate", "appended": n, "topic", "reason"?}``
  — error-object bodies, unknown ids of a delete, unsynced topics and replayed delivery ids are
  acknowledged and change nothing (WooCommerce disables a webhook after repeated non-2xx);
* ``401 bad_webhook_signature`` — a missing or wrong signature; nothing changes;
* ``400 bad_request`` — a signed body that is not a record.

The work is one SQLite transaction, so the answer is fast; the applier learns afterwards. An order
naming a refund whose units are not held yet starts a sync at once (only it reads them), and a
delete is checked against the shop at once (a late delivery may follow the restore that undid it).
"""

from __future__ import annotations

from quart import Blueprint, current_app, request

from connector_agent.api.auth import NONCES
from connector_agent.api.context import current_agent
from connector_agent.woo.webhooks import receive

blueprint = Blueprint("webhooks", __name__, url_prefix="/v1/webhooks")


@blueprint.post("/woocommerce")
async def woocommerce() -> tuple[dict[str, object], int]:
    agent = current_agent()
    raw_body = await request.get_data(cache=True)
    nonces = current_app.extensions[NONCES]

    def remember(delivery_id: str) -> bool:
        # kept as long as the nonce book keeps nonces (it prunes rows past its window)
        return bool(nonces.remember(delivery_id, agent.clock.time()))

    outcome = receive(
        request.headers,
        raw_body,
        secret=agent.config.secrets.webhook_secret,
        log=agent.log,
        now=agent.clock.iso(),
        remember_delivery=remember,
    )
    if outcome.events:
        agent.events_appended()
    if outcome.refunds_unread:
        agent.sync_soon()  # the units a refund gave back are read by a sync, not delivered
    if outcome.deleted:
        agent.check_deletes_soon(outcome.deleted)  # a late delete may bury a restored record
    return outcome.as_json(), 200
