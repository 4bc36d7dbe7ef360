"""What the cloud tests do as a shop's agent: the shop it registers and its authenticated POST."""

from __future__ import annotations

from typing import Any

SHOP = {"store_url": "https://shop.example", "instance_id": "inst-0001"}


async def agent_post(client: Any, path: str, key: str | None, body: dict) -> tuple[int, Any]:
    """POST ``body`` as the agent holding licence ``key`` (None: no credentials). ``path`` is
    absolute ("/v1/agent/usage") or an action under /v1/agent/ ("activate")."""
    if not path.startswith("/"):
        path = f"/v1/agent/{path}"
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = await client.post(path, json=body, headers=headers)
    return response.status_code, await response.get_json()
