"""WooCommerce-shaped REST errors: what the double answers when a request is refused.

WordPress renders every REST failure as ``{"code", "message", "data": {"status", ...}}``; the
double raises :class:`WooRestError` and the server turns it into exactly that body, so clients meet
the same error objects as against a real store.
"""

from __future__ import annotations

from typing import Any

from luxebrain.errors import LuxeBrainError


class WooRestError(LuxeBrainError):
    """A REST failure with WooCommerce's own ``code`` (e.g. ``woocommerce_rest_cannot_view``)."""

    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status = status  # type: ignore[misc]
        self.code = code  # type: ignore[misc]
        self.data = data

    def body(self) -> dict[str, Any]:
        """The JSON object WordPress sends for this error."""
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }


def invalid_param(name: str, message: str, detail_code: str) -> WooRestError:
    """WordPress's 400 for a query parameter that fails its schema."""
    return WooRestError(
        400,
        "rest_invalid_param",
        f"Invalid parameter(s): {name}",
        params={name: message},
        details={name: {"code": detail_code, "message": message, "data": None}},
    )


def invalid_id(resource: str) -> WooRestError:
    """The 404 for an id that does not exist (or is not of that resource)."""
    codes = {
        "order": ("woocommerce_rest_shop_order_invalid_id", "Invalid ID."),
        "product": ("woocommerce_rest_product_invalid_id", "Invalid ID."),
        "customer": ("woocommerce_rest_invalid_id", "Invalid resource ID."),
        "webhook": ("woocommerce_rest_shop_webhook_invalid_id", "Invalid ID."),
        "refund": ("woocommerce_rest_shop_order_refund_invalid_id", "Invalid ID."),
    }
    code, message = codes[resource]
    return WooRestError(404, code, message)


def no_route() -> WooRestError:
    return WooRestError(
        404, "rest_no_route", "No route was found matching the URL and request method."
    )
