"""The application factory: settings, database, one error shape, one blueprint per area."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import pkgutil
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from quart import Blueprint, Quart, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, ValidationError

from cloud_api import logs
from cloud_api.config import from_environment
from cloud_api.db import MAX_INTEGER, connect_db
from cloud_api.errors import RateLimited
from luxebrain.errors import LuxeBrainError, error_body

log = logging.getLogger("luxebrain.cloud")


def create_app(test_config: Mapping[str, Any] | None = None) -> Quart:
    """Build the cloud app; ``test_config`` overrides environment settings."""
    app = Quart(__name__)
    app.config.from_mapping(from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    if app.config["JSON_LOGS"]:
        logs.configure()
    connect_db(app.config["DATABASE_URL"])
    app.url_map.converters["int"] = IdConverter  # before any route is added
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    app.register_error_handler(LuxeBrainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.before_serving(_database_threads(app.config["DB_THREADS"]))
    return app


class IdConverter(IntegerConverter):
    """Every route's ``<int:…>``: a path id above MAX_INTEGER names no row, so it is a 404 here
    rather than an overflow in the database driver (a 500)."""

    def to_python(self, value: str) -> Any:
        number = super().to_python(value)
        if number > MAX_INTEGER:
            raise ValidationError()
        return number


def _database_threads(count: int) -> Callable[[], Awaitable[None]]:
    """Size the pool that runs database work: requests mostly wait on the database there."""

    async def start() -> None:
        executor = ThreadPoolExecutor(count, thread_name_prefix="luxebrain-db")
        asyncio.get_running_loop().set_default_executor(executor)

    return start


def blueprints() -> list[Blueprint]:
    """Each ``cloud_api.api`` module's ``bp``: adding an area edits no shared file."""
    from cloud_api import api

    found = []
    for info in sorted(pkgutil.iter_modules(api.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{api.__name__}.{info.name}")
        if isinstance(getattr(module, "bp", None), Blueprint):
            found.append(module.bp)
    return found


async def _render(status: int, code: str, message: str, field: str | None = None) -> Response:
    if request.path.startswith("/console"):
        html = await render_template("error.html", status=status, code=code, message=message)
        return Response(html, status=status, content_type="text/html")
    response = jsonify(error_body(code=code, message=message, field=field))
    response.status_code = status
    return response


async def _domain_error(error: LuxeBrainError) -> Response:
    response = await _render(error.status, error.code, error.message, error.field)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


async def _http_error(error: HTTPException) -> Response:
    code = (error.name or "error").lower().replace(" ", "_")
    return await _render(error.code or 500, code, error.description or error.name)


async def _unexpected_error(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return await _render(500, "internal_error", "internal error; the incident was logged")
