"""orjson for every JSON body the agent's API reads or writes (the widget hot path included)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from quart.json.provider import JSONProvider


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


class OrjsonProvider(JSONProvider):
    """Quart's JSON provider on orjson; model answers (dataclasses, decimals) serialise as is."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return self.dumps_bytes(obj).decode()

    def dumps_bytes(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=_default)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Any:
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps_bytes(obj), mimetype="application/json")
