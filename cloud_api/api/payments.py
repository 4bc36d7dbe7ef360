"""The payment provider's webhook (``Stripe-Signature``); see ``cloud_api/payments.py``."""

from __future__ import annotations

from typing import Any

import orjson
from quart import Blueprint, current_app, jsonify, request

from cloud_api import payments
from cloud_api.db import in_db
from cloud_api.errors import InvalidInput
from cloud_api.times import now_s

bp = Blueprint("payments", __name__, url_prefix="/v1/payments")


@bp.post("/webhook")
async def webhook() -> Any:
    """Verify the signature over the raw body, then apply the event once.

    200 ``{"event_id", "outcome"}`` (``paid``, ``failed``, ``duplicate``, ``ignored``);
    400 ``signature_invalid`` for a missing, wrong or stale signature.
    """
    body = await request.get_data()
    now = now_s(current_app.config["CLOCK"])
    payments.verify(
        request.headers.get("Stripe-Signature", ""),
        body,
        current_app.config.get("PAYMENT_WEBHOOK_SECRET", ""),
        now=now,
    )
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidInput("the body must be a JSON event") from None
    return jsonify(await in_db(payments.handle, event, now=now))
