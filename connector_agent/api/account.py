"""``GET /v1/account``: the shop's own usage and invoices from the cloud, for the plugin's page.

The agent asks the cloud with its licence key (``GET /v1/agent/billing``), so the answer can only
ever be this licence's tenant. The call is blocking HTTP, so it runs in a worker thread; both the
HTTP call and the wait for it give up after ``TIMEOUT_SECONDS``; the plugin caches the answer.
Failures have stable codes the plugin turns into an empty state: ``no_licence`` (409: no licence
key, cloud URL or store URL), ``cloud_unreachable`` (503) and ``cloud_refused`` (502, the cloud's
own code in the message).
"""

from __future__ import annotations

import asyncio
from typing import Any

from quart import Blueprint

from connector_agent.api.context import current_agent
from connector_agent.cloud.sync import CloudNotConfigured, CloudSync
from connector_agent.errors import CloudRefused, CloudUnreachable, NoLicence
from connector_agent.licence.cloud import Refused, Unreachable

#: the plugin's page waits on this answer, so give up well before its own timeout
TIMEOUT_SECONDS = 5.0

blueprint = Blueprint("account", __name__, url_prefix="/v1")


@blueprint.get("/account")
async def account() -> dict[str, Any]:
    """``{"tenant", "plan", "reduced_limits", "usage": [...], "invoices": [...]}`` as the cloud
    answers it for this licence."""
    agent = current_agent()
    cloud = CloudSync(agent.config, agent.store, agent.clock)
    try:
        asked = asyncio.to_thread(cloud.account, timeout=TIMEOUT_SECONDS)
        return await asyncio.wait_for(asked, TIMEOUT_SECONDS)
    except CloudNotConfigured:
        raise NoLicence(
            "no licence key, cloud URL or store URL is set: run luxebrain-agent licence set"
        ) from None
    except (Unreachable, TimeoutError):
        raise CloudUnreachable("the LuxeBrain cloud cannot be reached; try again later") from None
    except Refused as exc:
        raise CloudRefused(f"the LuxeBrain cloud refused: {exc.code}") from None
