"""``POST /v1/unpair``: the plugin's *Disconnect* (DESIGN.md, "Pairing").

The call is signed with the current shared secret; the agent then forgets the shared secret,
the webhook secret and the WooCommerce keys, so every later signed call answers ``not_paired``
until ``luxebrain-agent pair`` runs again.
"""

from __future__ import annotations

from quart import Blueprint

from connector_agent.api.context import current_agent

FORGOTTEN = ("shared_secret", "webhook_secret", "consumer_key", "consumer_secret")

blueprint = Blueprint("pairing", __name__, url_prefix="/v1")


@blueprint.post("/unpair")
async def unpair() -> dict[str, object]:
    current_agent().forget_secrets(FORGOTTEN)
    return {"unpaired": True, "forgotten": list(FORGOTTEN)}
