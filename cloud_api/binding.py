"""A licence bound to one store: exactly what a token says, whichever path read it.

Activation builds it from ORM rows; the check-in hot path reads it with one SQL query
(``cloud_api.checkin``). Both mint tokens through :func:`token_answer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud_api.billing import token_limits
from cloud_api.licences import status_of
from cloud_api.models import Licence, Store
from cloud_api.times import iso
from luxebrain.tokens import encode


@dataclass(frozen=True)
class Binding:
    id: int  # the licence id (named like Licence.id so licence status checks accept it)
    tenant_id: int
    tenant: str
    plan: str
    features: tuple[str, ...]
    status: str
    max_stores: int
    max_staging: int
    expires_at: int
    trial_ends_at: int | None
    store_id: int | None
    store_url: str
    instance_id: str
    staging: bool
    active: bool
    reduced_limits: dict[str, int]  # while over the plan's limits (billing.token_limits)

    @classmethod
    def of(cls, licence: Licence, store: Store) -> Binding:
        return cls(
            licence.id,
            licence.tenant_id,
            licence.tenant.name,
            licence.plan.name,
            tuple(sorted(licence.plan.features)),
            licence.status,
            licence.max_stores,
            licence.max_staging,
            licence.expires_at,
            licence.trial_ends_at,
            store.id,
            store.url,
            store.instance_id,
            store.staging,
            store.active,
            token_limits(licence.id),
        )


def claims(binding: Binding, *, now: int, exp: int) -> dict[str, Any]:
    return {
        "licence_id": binding.id,
        "tenant_id": binding.tenant_id,
        "tenant": binding.tenant,
        "plan": binding.plan,
        "features": list(binding.features),
        "limits": {
            "stores": binding.max_stores,
            "staging": binding.max_staging,
            **binding.reduced_limits,
        },
        "store_url": binding.store_url,
        "instance_id": binding.instance_id,
        "staging": binding.staging,
        "iat": now,
        "exp": exp,
        "trial_end": binding.trial_ends_at,
        "licence_exp": binding.expires_at,
    }


def token_answer(
    binding: Binding, signer: Ed25519PrivateKey, *, now: int, exp: int
) -> dict[str, Any]:
    """``{"token", "expires_at", "status"}`` as the agent endpoints answer."""
    token = encode(claims(binding, now=now, exp=exp), signer)
    return {"token": token, "expires_at": iso(exp), "status": status_of(binding, now)}
