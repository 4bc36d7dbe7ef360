"""Agent side of the fallbacks: the aggregates payload and mapping the list onto a catalogue."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from cloud_api import fallbacks as cloud
from connector_agent.cloud import aggregates, titles
from connector_agent.cloud.mapping import CatalogueIndex, Product, map_top_list
from connector_agent.eventlog import EventLog
from online_models.events import Event


@given(st.text(max_size=60))
def test_agent_and_cloud_normalise_titles_alike(text: str) -> None:
    assert titles.normalise_title(text) == cloud.normalise_title(text)
    assert cloud.normalise_title(titles.normalise_title(text)) == titles.normalise_title(text)


@given(st.lists(st.text(max_size=20), max_size=4))
def test_agent_and_cloud_normalise_categories_alike(path: list[str]) -> None:
    assert titles.normalise_category(path) == cloud.normalise_category(path)


CATALOGUE = [
    Product("p1", "White Enamel Mug", ("Kitchen",), "4006381333931"),
    Product("p2", "Oak Spoon", ("Kitchen",)),
    Product("p3", "Oak Spoon", ("Garden",)),
    Product("p4", "Blue Teapot Large", ("Kitchen",)),
]


def item(title: str, *, gtin: str | None = None, path=("Kitchen",), stores: int = 4) -> dict:  # type: ignore[no-untyped-def]
    return {"title": title, "gtin": gtin, "category_path": list(path), "stores": stores}


def test_gtin_first_then_category_then_title_similarity_and_unmatched_dropped() -> None:
    listed = [
        item("completely different name", gtin="04006381333931"),  # GTIN wins over the title
        item("spoon oak", path=("Garden",)),  # same title in two categories: the category decides
        item("larg teapot blue"),  # a typo and another word order
        item("red bicycle"),  # not sold here: dropped
        item("white enamel mug"),  # p1 is already taken by its GTIN
    ]
    mapped = map_top_list(listed, CatalogueIndex(CATALOGUE))
    assert [p for p, _ in mapped] == ["p1", "p3", "p4"]
    assert mapped[0][1] == "popular in 4 similar shops (LuxeBrain cloud)"


def test_a_title_below_the_threshold_is_not_mapped() -> None:
    assert map_top_list([item("blue kettle")], CatalogueIndex(CATALOGUE)) == []


def order(key: str, day: str, *lines: tuple[str, int], status: str = "completed",
          paid: bool = False) -> Event:
    payload = {
        "id": key,
        "status": status,
        "customer_id": "c1",
        "created_at": f"{day}T10:00:00Z",
        "paid_at": f"{day}T10:05:00Z" if paid else None,
        "line_items": [
            {
                "product_id": p,
                "name": f"Product {p.upper()}",
                "category": None,
                "quantity": q,
                "unit_price": "2.00",
            }
            for p, q in lines
        ],
    }
    return Event(0, "order.upserted", key, f"v-{key}", payload["created_at"], payload)


def test_the_aggregates_hold_only_item_facts_of_paid_orders_in_the_window(fresh_store) -> None:  # type: ignore[no-untyped-def]
    log = EventLog(fresh_store)
    log.append(
        [
            order("1", "2026-11-20", ("a", 2), ("b", 1)),
            order("2", "2026-11-21", ("a", 5)),
            order("3", "2026-11-21", ("c", 1), status="cancelled"),
            order("4", "2026-10-01", ("d", 1)),  # before the window
            order("5", "2026-11-26", ("e", 1)),  # today: not a whole day yet
            order("6", "2026-11-22", ("b", -1), ("f", 1)),
            order("7", "2026-11-23", ("g", 1), status="shipped", paid=True),  # a plugin's status
            order("8", "2026-11-23", ("h", 1), status="shipped"),  # no payment date: unpaid
        ]
    )
    body = aggregates.from_store(fresh_store, today=date(2026, 11, 26))
    assert body == {
        "schema": "luxebrain-fallback-aggregates/1",
        "window": {"start": "2026-10-27", "end": "2026-11-25"},
        "items": [
            {"category_path": [], "title": "a product", "orders": 2},
            {"category_path": [], "title": "b product", "orders": 1},
            {"category_path": [], "title": "f product", "orders": 1},
            {"category_path": [], "title": "g product", "orders": 1},
        ],
    }
    now = int(datetime(2026, 11, 26, 12, tzinfo=UTC).timestamp())
    assert cloud.parse_upload(body, now=now)[1][0]["orders"] == 2  # the cloud accepts it
