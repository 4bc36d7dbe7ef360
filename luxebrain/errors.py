"""The one error shape of every LuxeBrain HTTP API and CLI.

Every failure a client can see is ``{"error": {"code": ..., "message": ..., "field": ...}}``
(``field`` only when one applies). Domain errors subclass :class:`LuxeBrainError` with a stable
``code`` and an HTTP ``status``; the apps register one handler that renders them, and a catch-all
that renders anything else as ``internal_error`` without a traceback.

>>> class NotFound(LuxeBrainError):
...     code, status = "not_found", 404
>>> error_body(NotFound("no such product", field="product_id"))
{'error': {'code': 'not_found', 'message': 'no such product', 'field': 'product_id'}}
"""

from __future__ import annotations

from typing import Any, ClassVar


class LuxeBrainError(Exception):
    """Root of every error that crosses an API or CLI boundary."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def error_body(
    error: LuxeBrainError | None = None,
    *,
    code: str | None = None,
    message: str | None = None,
    field: str | None = None,
) -> dict[str, Any]:
    """The JSON body for an error: from a :class:`LuxeBrainError` or from explicit parts."""
    if error is not None:
        code, message, field = error.code, error.message, error.field
    body: dict[str, Any] = {"code": code or "error", "message": message or ""}
    if field:
        body["field"] = field
    return {"error": body}
