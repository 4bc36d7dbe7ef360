"""Structured logs: one JSON object per line, extra fields kept, tracebacks inside."""

from __future__ import annotations

import logging
import sys

import orjson

from cloud_api.logs import JsonFormatter


def test_records_become_one_json_line() -> None:
    record = logging.makeLogRecord(
        {
            "name": "luxebrain.cloud",
            "levelname": "WARNING",
            "msg": "licence %s refused",
            "args": (7,),
            "licence_id": 7,
        }
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = orjson.loads(line)
    assert entry["level"] == "warning" and entry["message"] == "licence 7 refused"
    assert entry["licence_id"] == 7 and entry["logger"] == "luxebrain.cloud"


def test_exceptions_are_kept_in_the_entry() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, "f", 1, "boom", (), exc_info=sys.exc_info()
        )
    entry = orjson.loads(JsonFormatter().format(record))
    assert "ValueError: bad" in entry["exc"]
