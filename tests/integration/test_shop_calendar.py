"""A sale synced from a New York shop late in its evening counts on the shop's own day."""

from __future__ import annotations

from datetime import UTC, datetime

from connector_agent.applier import Applier
from connector_agent.config import load_config
from connector_agent.demo.woo_double import WooDouble
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from connector_agent.woo import Syncer, WooClient
from connector_agent.woo.backoff import Backoff
from luxebrain.clock import FrozenClock


def test_an_evening_sale_in_new_york_is_on_the_new_york_day(tmp_path, config_path):
    clock = FrozenClock(datetime(2026, 3, 5, 2, 30, tzinfo=UTC))  # Wednesday 21:30 in New York
    store = Store.open(tmp_path / "agent.sqlite", clock=clock)
    applier = Applier(store, load_config(config_path), clock=clock)
    applier.load()
    with WooDouble.demo(limit_orders=40, clock=clock, timezone="America/New_York") as shop:
        shop.start()
        client = WooClient(shop.url, shop.consumer_key, shop.consumer_secret,
                           sleep=lambda _s: None, backoff=Backoff(0.01, 0.01), clock=clock)
        customer = next(iter(shop.state.customers))
        product = next(iter(shop.state.products))
        made = shop.create_order(customer, [(product, 2)])
        assert made["date_created"] == "2026-03-04T21:30:00"
        Syncer(client, store).run()
        applier.apply_pending()
    synced = [e for e in EventLog(store).read(limit=10_000) if e.key == str(made["id"])]
    assert [e.payload["utc_offset_minutes"] for e in synced] == [-300]
    forecast = applier.brain.forecast(str(product), 2)
    # the shop's today is Wednesday 4 March (UTC is already on Thursday)
    assert [day["date"] for day in forecast["days"]] == ["2026-03-05", "2026-03-06"]
    store.close()
