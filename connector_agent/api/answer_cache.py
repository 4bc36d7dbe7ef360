"""A cache of the read routes' answers, valid until the models learn or the licence changes.

An answer depends only on the request's path and query, the models' state, the fallback list and
the licensed features, and the plugin asks the same questions again and again (the same product
pages), so each answer is kept, as response bytes, under ``(path, query)`` with the version
``Agent.answer_version`` gave when it was computed. An answer about a customer (a
``customer_id`` in the path or query) is versioned by the last applied event that could change
it, browsing included; any other answer only by the shop's records (``Brain.answers_changed_by``),
so the views and impressions that a product page's own widget reports do not throw away every
answer. No stale answer survives learning. Least recently used entries go first beyond
``maxsize``, in each of the two caches.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from quart import Response, current_app, request

from connector_agent.api.context import current_agent

CACHE = "luxebrain.answer_cache"
MAX_ENTRIES = 4096


class AnswerCache:
    """Response bytes by key, for one version of the models at a time."""

    def __init__(self, maxsize: int = MAX_ENTRIES) -> None:
        self.maxsize = maxsize
        self._version: Hashable = None
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable, version: Hashable) -> bytes | None:
        if version != self._version:
            self._entries.clear()
            self._version = version
            return None
        body = self._entries.get(key)
        if body is not None:
            self._entries.move_to_end(key)
        return body

    def put(self, key: Hashable, version: Hashable, body: bytes) -> None:
        if version != self._version:
            return
        self._entries[key] = body
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)


def cached(view: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Response]]:
    """Serve a read route's JSON answer from the app's :class:`AnswerCache` when current."""

    @functools.wraps(view)
    async def wrapper(*args: Any, **kwargs: Any) -> Response:
        agent = current_agent()
        # an empty customer_id is a guest (the plugin always sends the key): their answer is the
        # shop's, and browsing must not drop it
        about_a_customer = bool(request.args.get("customer_id")) or "customer_id" in (
            request.view_args or {}
        )
        cache: AnswerCache = current_app.extensions[CACHE][about_a_customer]
        version = agent.answer_version(about_a_customer=about_a_customer)
        key = (request.path, request.query_string)
        body = cache.get(key, version)
        if body is None:
            body = current_app.json.dumps_bytes(await view(*args, **kwargs))
            cache.put(key, version, body)
        return Response(body, content_type="application/json")

    return wrapper
