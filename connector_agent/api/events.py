"""``POST /v1/events``: browsing events from the plugin, validated and appended to the event log.

Body: ``{"session_id", "customer_id"?, "events": [{"id" (UUID), "type", "product_id",
"placement"?, "source"?, "recommended_ids"?, "occurred_at"?}]}`` → ``202 {"accepted",
"duplicates"}``. The client's UUID is the event's key (its version is fixed), so a retried batch
counts nothing twice. The whole batch is checked before anything is appended: one bad event
refuses the batch (400 ``invalid_event`` naming the field) and changes nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from quart import Blueprint, request

from connector_agent.api.context import current_agent
from connector_agent.api.params import is_id, json_object
from connector_agent.config import PLACEMENTS
from connector_agent.errors import BadRequest
from connector_agent.eventlog import MAX_CLOCK_AHEAD
from online_models.events import BROWSING_KINDS, Event, EventError, format_time, parse_time

MAX_EVENTS = 50
MAX_RECOMMENDED = 50
#: a browser's queued events arrive within minutes; anything older is a bad clock or forged
MAX_AGE = timedelta(days=365)
VERSION = "1"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SESSION_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")
SOURCE_RE = re.compile(r"^[a-z0-9_:-]{1,40}$")

blueprint = Blueprint("events", __name__, url_prefix="/v1")


class InvalidEvent(BadRequest):
    code = "invalid_event"


def _id(value: Any, field: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and is_id(value):
        return value
    raise InvalidEvent(f"{field}: must be an id (a positive integer or a short code)", field=field)


def _event(raw: Any, where: str, batch: dict[str, Any], now: str) -> Event:
    if not isinstance(raw, dict):
        raise InvalidEvent(f"{where}: must be an object", field=where)
    key = raw.get("id")
    if not isinstance(key, str) or not _UUID.fullmatch(key.lower()):
        raise InvalidEvent(f"{where}.id: must be a UUID", field=f"{where}.id")
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in BROWSING_KINDS:
        raise InvalidEvent(
            f"{where}.type: must be one of {', '.join(sorted(BROWSING_KINDS))}",
            field=f"{where}.type",
        )
    placement = raw.get("placement")
    if placement is not None and placement not in PLACEMENTS:
        raise InvalidEvent(
            f"{where}.placement: must be one of {', '.join(PLACEMENTS)}",
            field=f"{where}.placement",
        )
    source = raw.get("source")
    if source is not None and (not isinstance(source, str) or not SOURCE_RE.fullmatch(source)):
        raise InvalidEvent(
            f"{where}.source: must be a short lowercase name", field=f"{where}.source"
        )
    shown = raw.get("recommended_ids") or []
    if not isinstance(shown, list) or len(shown) > MAX_RECOMMENDED:
        raise InvalidEvent(
            f"{where}.recommended_ids: must be a list of at most {MAX_RECOMMENDED} ids",
            field=f"{where}.recommended_ids",
        )
    payload = {
        **batch,
        "product_id": _id(raw.get("product_id"), f"{where}.product_id"),
        "placement": placement,
        "source": source,
        "recommended_ids": [_id(v, f"{where}.recommended_ids") for v in shown],
    }
    return Event(0, kind, key.lower(), VERSION, _occurred_at(raw, where, now), payload)


def _occurred_at(raw: dict[str, Any], where: str, now: str) -> str:
    value = raw.get("occurred_at")
    if value is None:
        return now
    field = f"{where}.occurred_at"
    try:
        moment = parse_time(value)
    except EventError:
        raise InvalidEvent(f"{field}: must be a UTC ISO 8601 time", field=field) from None
    if moment > parse_time(now) + MAX_CLOCK_AHEAD:
        raise InvalidEvent(f"{field}: is in the future", field=field)
    if moment < parse_time(now) - MAX_AGE:
        raise InvalidEvent(f"{field}: is more than a year ago", field=field)
    return format_time(moment)


def parse_batch(body: bytes, now: str) -> list[Event]:
    """The batch's events, or InvalidEvent for the first thing wrong with it."""
    data = json_object(body, InvalidEvent)
    session = data.get("session_id")
    if not isinstance(session, str) or not SESSION_RE.fullmatch(session):
        raise InvalidEvent(
            "session_id: must be 8 to 64 letters, digits or dashes", field="session_id"
        )
    customer = data.get("customer_id")
    batch = {
        "session_id": session,
        "customer_id": None if customer is None else _id(customer, "customer_id"),
    }
    raw_events = data.get("events")
    if not isinstance(raw_events, list) or not 1 <= len(raw_events) <= MAX_EVENTS:
        raise InvalidEvent(f"events: must be a list of 1 to {MAX_EVENTS} events", field="events")
    return [_event(raw, f"events[{i}]", batch, now) for i, raw in enumerate(raw_events)]


@blueprint.post("/events")
async def post_events() -> tuple[dict[str, int], int]:
    agent = current_agent()
    events = parse_batch(await request.get_data(), agent.clock.iso())
    added = agent.log.append(events)
    if added:
        agent.events_appended()
    return {"accepted": len(added), "duplicates": len(events) - len(added)}, 202
