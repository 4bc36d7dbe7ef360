"""Unauthenticated routes: the public signing keys (JSON and PEM) and the health check."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, jsonify

from cloud_api.db import in_db
from cloud_api.signing import public_keys

bp = Blueprint("wellknown", __name__)


@bp.get("/.well-known/luxebrain-keys.json")
async def keys_json() -> Any:
    """``{"keys": [{"kid", "alg": "Ed25519", "status", "public_key": PEM}]}``, current first."""
    keys = await in_db(public_keys)
    return jsonify(
        {
            "keys": [
                {"kid": k.kid, "alg": "Ed25519", "status": k.status, "public_key": k.pem}
                for k in keys
            ]
        }
    )


@bp.get("/.well-known/luxebrain-keys.pem")
async def keys_pem() -> Response:
    keys = await in_db(public_keys)
    return Response("".join(k.pem for k in keys), content_type="application/x-pem-file")


@bp.get("/healthz")
async def healthz() -> Any:
    return jsonify({"status": "ok"})
