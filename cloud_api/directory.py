"""Finding tenants and stores (console search, staff API listings)."""

from __future__ import annotations

from typing import Any

from cloud_api.errors import NotFound
from cloud_api.models import Licence, Store, Tenant
from cloud_api.times import iso


def tenant_json(tenant: Tenant) -> dict[str, Any]:
    return {"id": tenant.id, "name": tenant.name, "created_at": iso(tenant.created_at)}


def get_tenant(tenant_id: int) -> Tenant:
    tenant = Tenant.get_or_none(Tenant.id == tenant_id)
    if tenant is None:
        raise NotFound(f"no tenant {tenant_id}", field="tenant_id")
    return tenant


def search_tenants(query: str = "", *, limit: int = 100) -> list[Tenant]:
    rows = Tenant.select().order_by(Tenant.name)
    if query:
        rows = rows.where(Tenant.name.contains(query))
    return list(rows.limit(limit))


def search_stores(
    query: str = "", *, tenant_id: int | None = None, limit: int = 100
) -> list[Store]:
    rows = Store.select(Store, Licence).join(Licence).order_by(Store.url, Store.id)
    if query:
        rows = rows.where(Store.url.contains(query.lower()))
    if tenant_id is not None:
        rows = rows.where(Store.tenant == tenant_id)
    return list(rows.limit(limit))
