"""Billing routes: a shop's own usage and invoices (licence key)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint

from cloud_api import billing, usage
from cloud_api.api.usage import licensed_get
from cloud_api.models import Licence

bp = Blueprint("billing", __name__, url_prefix="/v1")


def account(licence: Licence, now: int) -> dict[str, Any]:
    """What the shop owner sees on the plugin's LuxeBrain page: their tenant's data only."""
    tenant_id = licence.tenant_id
    return {
        "tenant": licence.tenant.name,
        "plan": billing.terms_of(licence.plan),
        "reduced_limits": billing.token_limits(licence.id),
        "usage": usage.summary(tenant_id=tenant_id),
        "invoices": [billing.invoice_json(i) for i in billing.invoices(tenant_id=tenant_id)],
    }


@bp.get("/agent/billing")
async def own_account() -> Any:
    """``{"tenant", "plan", "reduced_limits", "usage": [...], "invoices": [...]}``."""
    return await licensed_get(account)
