"""``POST /v1/events``: validated batches land in the event log once, and show in analytics."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_api_support import Api, error_of, order, product

from connector_agent.api.events import InvalidEvent, parse_batch
from luxebrain.clock import FrozenClock


@pytest.fixture
def api(config_path: Path, frozen_clock: FrozenClock) -> Iterator[Api]:
    api = Api(config_path, frozen_clock)
    yield api
    api.close()


def event(kind: str = "view", product_id: Any = 12, **extra: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": kind, "product_id": product_id, **extra}


def batch(*events: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"session_id": "sess-0001", "events": list(events), **extra}


async def test_a_batch_is_appended_with_the_contract_payload(api: Api) -> None:
    shown = event(
        "rec_impression",
        12,
        placement="product",
        source="co_purchase",
        recommended_ids=[3, "4"],
        occurred_at="2026-11-26T11:59:00Z",
    )
    answer = await api.ok("POST", "/v1/events", json=batch(event(), shown, customer_id=7))
    assert answer == {"accepted": 2, "duplicates": 0}
    view, impression = api.agent.log.read()
    assert view.kind == "view" and view.occurred_at == "2026-11-26T12:00:00Z"
    assert impression.key == shown["id"] and impression.occurred_at == "2026-11-26T11:59:00Z"
    assert impression.payload == {
        "session_id": "sess-0001",
        "customer_id": "7",
        "product_id": "12",
        "placement": "product",
        "source": "co_purchase",
        "recommended_ids": ["3", "4"],
    }


async def test_the_answer_is_202(api: Api) -> None:
    response = await api.post("/v1/events", json=batch(event()))
    assert response.status_code == 202


async def test_a_retried_batch_counts_nothing_twice(api: Api) -> None:
    body = batch(event(), event("add_to_cart"))
    assert (await api.ok("POST", "/v1/events", json=body))["accepted"] == 2
    assert await api.ok("POST", "/v1/events", json=body) == {"accepted": 0, "duplicates": 2}
    assert api.agent.log.last_seq() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[]", "body"),
        ({"events": [event()]}, "session_id"),
        (batch(event(), session_id="short"), "session_id"),
        (batch(event(), customer_id=-1), "customer_id"),
        (batch(), "events"),
        ({"session_id": "sess-0001", "events": {"a": 1}}, "events"),
        (batch(*[event() for _ in range(51)]), "events"),
        (batch("view"), "events[0]"),
        (batch(event(), {**event(), "id": "not-a-uuid"}), "events[1].id"),
        (batch(event("purchase")), "events[0].type"),
        (batch(event(["view"])), "events[0].type"),
        (batch(event(product_id=None)), "events[0].product_id"),
        (batch(event(product_id=0)), "events[0].product_id"),
        (batch(event(product_id=True)), "events[0].product_id"),
        (batch(event(placement="footer")), "events[0].placement"),
        (batch(event(source="Not OK!")), "events[0].source"),
        (batch(event(recommended_ids="1,2")), "events[0].recommended_ids"),
        (batch(event(recommended_ids=list(range(1, 52)))), "events[0].recommended_ids"),
        (batch(event(recommended_ids=[1, "a b"])), "events[0].recommended_ids"),
        (batch(event(occurred_at="yesterday")), "events[0].occurred_at"),
        (batch(event(occurred_at="2026-11-26T12:00:00")), "events[0].occurred_at"),
        (batch(event(occurred_at="2026-11-26T12:06:00Z")), "events[0].occurred_at"),
        (batch(event(occurred_at="0614-11-23T05:19:48Z")), "events[0].occurred_at"),  # fuzz
    ],
)
async def test_a_bad_batch_is_400_naming_the_field_and_changes_nothing(
    api: Api, body: Any, field: str
) -> None:
    raw = body if isinstance(body, bytes) else None
    response = await api.post("/v1/events", body=raw, json=None if raw else body)
    assert response.status_code == 400
    error = await error_of(response)
    assert error["code"] == "invalid_event" and error["field"] == field
    assert api.agent.log.last_seq() == 0


async def test_browsing_events_show_in_the_analytics(api: Api) -> None:
    shown = [
        event("rec_impression", 1, placement="product", recommended_ids=[2, 3]) for _ in range(4)
    ]
    clicked = event("rec_click", 2, placement="product", source="co_purchase")
    await api.ok("POST", "/v1/events", json=batch(*shown, clicked, customer_id="ann"))
    api.learn([order("o1", "ann", "2", at="2026-11-26T13:00:00Z")])
    api.clock.advance(3600)
    report = await api.ok("GET", "/v1/insights/analytics?days=7")
    assert report["attribution_days"] == 7
    assert report["placements"]["product"] == {
        "impressions": 4,
        "items_shown": 8,
        "clicks": 1,
        "ctr": 0.25,
        "attributed_orders": 1,
        "attributed_revenue": "10.00",
    }


async def test_browsing_events_reach_the_models(api: Api) -> None:
    api.license("personalised")
    api.learn([product(p, p.title()) for p in ("1", "2", "3")])
    api.learn([order(f"o{i}", f"c{i}", "1", "2") for i in range(5)])
    before = api.agent.brain.stats()["mf_customers"]
    await api.ok("POST", "/v1/events", json=batch(event("add_to_cart", 3), customer_id="zed"))
    api.agent.applier.apply_pending()
    assert api.agent.brain.stats()["mf_customers"] == before + 1


async def test_the_analytics_period_is_validated(api: Api) -> None:
    response = await api.get("/v1/insights/analytics?days=0")
    assert response.status_code == 400
    assert (await error_of(response))["field"] == "days"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
event_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.uuids().map(str) | json_values,
        "type": st.sampled_from(["view", "rec_click", "purchase"]) | json_values,
        "product_id": st.integers(-2, 5) | json_values,
        "placement": st.sampled_from(["cart", "footer"]) | json_values,
        "source": json_values,
        "recommended_ids": json_values,
        "occurred_at": st.just("2026-11-26T11:00:00Z") | json_values,
    },
)
batch_like = st.fixed_dictionaries(
    {},
    optional={
        "session_id": st.just("sess-0001") | json_values,
        "customer_id": json_values,
        "events": st.lists(event_like, max_size=3) | json_values,
    },
)


@settings(max_examples=200, deadline=None)
@given(body=batch_like | json_values)
def test_any_json_body_is_either_a_batch_or_a_400(body: Any) -> None:
    try:
        events = parse_batch(orjson.dumps(body), "2026-11-26T12:00:00Z")
    except InvalidEvent as error:
        assert error.field
    else:
        assert 1 <= len(events) <= 50
        assert all(e.payload["session_id"] == "sess-0001" for e in events)
