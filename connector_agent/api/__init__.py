"""The agent's local HTTP API: a Quart app factory over one :class:`~connector_agent.agent.Agent`.

Blueprints live one per module of this package (a module exposing ``blueprint``) and are
discovered here, so adding an area (the WooCommerce webhook intake, for one) edits no shared
file; they reach the agent with ``context.current_agent()``. Every route but
``auth.OPEN_PATHS`` needs a signed call; every failure has the one error shape. The app's
lifespan starts and stops the agent (models, applier, scheduler).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from quart import Quart

from connector_agent.api import auth, error_handlers
from connector_agent.api.answer_cache import CACHE, AnswerCache
from connector_agent.api.body_limits import LimitedRequest
from connector_agent.api.context import AGENT
from connector_agent.api.metrics import METRICS, ApiMetrics
from connector_agent.api.nonces import NonceBook
from connector_agent.api.orjson_provider import OrjsonProvider
from connector_agent.api.served import SERVED, ServedCounter

if TYPE_CHECKING:
    from connector_agent.agent import Agent

__all__ = ["create_app"]


def _blueprint_modules() -> list[ModuleType]:
    names = sorted(info.name for info in pkgutil.iter_modules(__path__))
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return [module for module in modules if hasattr(module, "blueprint")]


def create_app(agent: Agent, test_config: Mapping[str, Any] | None = None) -> Quart:
    """A Quart app serving ``agent``; ``test_config`` overrides Quart settings last."""
    app = Quart(__name__)
    app.request_class = LimitedRequest
    app.json = OrjsonProvider(app)
    app.config.update(MAX_CONTENT_LENGTH=agent.config.api.max_body_bytes)
    if test_config:
        app.config.update(test_config)
    app.extensions[AGENT] = agent
    app.extensions[auth.NONCES] = nonces = NonceBook(agent.store)
    # answers about a customer (True) and the rest, each versioned on its own
    app.extensions[CACHE] = {True: AnswerCache(), False: AnswerCache()}
    app.extensions[METRICS] = metrics = ApiMetrics(agent)
    metrics.install(app)
    app.extensions[SERVED] = served = ServedCounter(agent.store)
    served.install(app)
    app.before_request(auth.require_signed_call)
    error_handlers.register(app)
    for module in _blueprint_modules():
        app.register_blueprint(module.blueprint)
    app.before_serving(agent.start)
    app.after_serving(agent.stop)
    app.after_serving(nonces.flush)
    app.after_serving(served.flush)
    return app
