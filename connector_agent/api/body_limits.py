"""How large a request body may be: ``api.max_body_bytes`` everywhere but the webhook intake.

Quart fixes a request's body limit when the request is made (``MAX_CONTENT_LENGTH``), before
any view runs, so the one exception is made there, by path. A WooCommerce delivery is the whole
REST document of its record: about 530 bytes per order line, and a product's HTML description
has no bound. A 130-line order is 73 KB; refused with a 413, it counts as a failed delivery,
and WooCommerce disables the webhook after a few of them in a row.
"""

from __future__ import annotations

from typing import Any

from quart.wrappers.request import Request

__all__ = ["WEBHOOK_MAX_BYTES", "WEBHOOK_PATH", "LimitedRequest"]

WEBHOOK_PATH = "/v1/webhooks/woocommerce"
#: the largest delivery the intake reads (signed, so only the shop can send it)
WEBHOOK_MAX_BYTES = 8 * 1024 * 1024


class LimitedRequest(Request):
    """A request whose body limit is the app's, or :data:`WEBHOOK_MAX_BYTES` for deliveries."""

    def __init__(self, method: str, scheme: str, path: str, *args: Any, **kwargs: Any) -> None:
        limit = kwargs.get("max_content_length")
        if path == WEBHOOK_PATH and limit is not None:
            kwargs["max_content_length"] = max(limit, WEBHOOK_MAX_BYTES)
        super().__init__(method, scheme, path, *args, **kwargs)
