"""One error shape for every failure the API can answer, including Quart's own 404/405/413.

Domain errors (:class:`~luxebrain.errors.LuxeBrainError`) carry their code and status; HTTP
errors raised by the framework get a stable code from their status; a read of the agent's store
that SQLite refuses (a damaged file, an I/O error: writes already come out as ``StoreError``) is
the same ``503 store_error`` a refused write is; anything else is logged and answered as
``internal_error`` with no detail, so no traceback ever reaches a client.
"""

from __future__ import annotations

import logging
import sqlite3

from quart import Quart, Response, current_app
from werkzeug.exceptions import HTTPException

from connector_agent.errors import StoreError
from luxebrain.errors import LuxeBrainError, error_body

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def _json(body: dict[str, object], status: int) -> Response:
    response: Response = current_app.json.response(body)
    response.status_code = status
    return response


async def domain_error(error: LuxeBrainError) -> Response:
    return _json(error_body(error), error.status)


async def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    code = HTTP_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
    response = _json(error_body(code=code, message=error.name.lower()), status)
    allowed = getattr(error, "valid_methods", None)
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


async def store_unreadable(error: sqlite3.Error) -> Response:
    """What support needs to see: the store, not the code, is at fault (and retrying may help)."""
    log.error("the store could not be read: %s", error)
    return await domain_error(StoreError(f"the agent's store cannot be read ({error})"))


async def unexpected_error(error: Exception) -> Response:
    log.exception("unhandled error in %s", type(error).__name__)
    return _json(error_body(code="internal_error", message="internal error"), 500)


def register(app: Quart) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(LuxeBrainError, domain_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(sqlite3.Error, store_unreadable)
    app.register_error_handler(Exception, unexpected_error)
