"""Value checks for the config schema: each takes a raw value and returns it typed, or raises.

A failing check raises ``ValueError("must be … (got …)")``; the loader prefixes the file and
key, e.g. ``agent.toml: sync.interval_minutes: must be a positive integer (got "x")``.

>>> positive_int("12"), boolean("off"), host_port("127.0.0.1:8765")
(12, False, '127.0.0.1:8765')
>>> int_between(1, 100)(101)
Traceback (most recent call last):
...
ValueError: must be an integer from 1 to 100 (got 101)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from luxebrain.digits import is_digits


def _fail(kind: str, value: Any) -> ValueError:
    shown = f'"{value}"' if isinstance(value, str) else repr(value)
    return ValueError(f"must be {kind} (got {shown})")


def positive_int(value: Any) -> int:
    number = _as_int(value, "a positive integer")
    if number <= 0:
        raise _fail("a positive integer", value)
    return number


def non_negative_int(value: Any) -> int:
    number = _as_int(value, "a non-negative integer")
    if number < 0:
        raise _fail("a non-negative integer", value)
    return number


def _as_int(value: Any, kind: str) -> int:
    if isinstance(value, bool):
        raise _fail(kind, value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and is_digits(value.strip().removeprefix("-")):
        return int(value.strip())
    raise _fail(kind, value)


def positive_float(value: Any) -> float:
    """A finite number above zero: ``inf`` seconds would overflow the timers that use it."""
    try:
        number = float(value) if not isinstance(value, bool) else -1.0
    except (TypeError, ValueError):
        raise _fail("a positive number", value) from None
    if not (number > 0 and math.isfinite(number)):
        raise _fail("a positive number", value)
    return number


def at_most(high: int, check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``check``, then a maximum: a huge interval or timeout passes the type check and crashes
    much later (a date out of range, an overflowing timer), so it is refused at load."""

    def capped(value: Any) -> Any:
        number = check(value)
        if number > high:
            raise _fail(f"at most {high}", value)
        return number

    return capped


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "1", "yes", "on"}:
        return True
    if isinstance(value, str) and value.lower() in {"false", "0", "no", "off"}:
        return False
    raise _fail("true or false", value)


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail("a string", value)
    return value


def optional_url(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail("an http(s) URL", value)
    if value == "":
        return value
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise _fail("an http(s) URL", value)
    if _port(value) == 0:
        raise _fail("an http(s) URL with a port from 1 to 65535", value)
    return value.rstrip("/")


def _port(value: str) -> int | None:
    """The URL's port (``None`` when it names none; 0 when it is out of range or not a number),
    checked here because urllib only complains when a request is made."""
    try:
        return urlparse(value).port
    except ValueError:
        return 0


def host_port(value: Any) -> str:
    if not isinstance(value, str) or ":" not in value:
        raise _fail("HOST:PORT", value)
    host, _, port = value.rpartition(":")
    if not host or not is_digits(port) or not 0 < int(port) < 65536:
        raise _fail("HOST:PORT", value)
    return value


def one_of(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise _fail("one of " + ", ".join(choices), value)
        return str(value)

    return check


def int_between(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        number = _as_int(value, f"an integer from {low} to {high}")
        if not low <= number <= high:
            raise _fail(f"an integer from {low} to {high}", value)
        return number

    return check


def fraction(value: Any) -> float:
    try:
        number = float(value) if not isinstance(value, bool) else -1.0
    except (TypeError, ValueError):
        raise _fail("a number from 0 to 1", value) from None
    if not 0 <= number <= 1:
        raise _fail("a number from 0 to 1", value)
    return number
