"""Changes made in WooCommerce reach the models through sync and applier: a partial refund lowers
the customer's spend, a product taken out of the catalogue is no longer recommended."""

from __future__ import annotations

import re
from contextlib import contextmanager
from decimal import Decimal

from connector_agent.applier import Applier
from connector_agent.config import load_config
from connector_agent.demo.woo_double import WooDouble
from connector_agent.eventlog import EventLog
from connector_agent.store import Store
from connector_agent.woo import Syncer, WooClient
from connector_agent.woo.backoff import Backoff


def synced(tmp_path, config_path, frozen_clock):
    store = Store.open(tmp_path / "agent.sqlite", clock=frozen_clock)
    applier = Applier(store, load_config(config_path), clock=frozen_clock)
    applier.load()
    return store, applier


def client_of(shop: WooDouble, clock=None) -> WooClient:
    return WooClient(shop.url, shop.consumer_key, shop.consumer_secret,
                     sleep=lambda _s: None, backoff=Backoff(0.01, 0.01), clock=clock)


def sync(client: WooClient, store: Store, applier: Applier) -> None:
    """One sync run, then everything it appended learned."""
    Syncer(client, store).run()
    applier.apply_pending()


@contextmanager
def demo_shop_synced(tmp_path, config_path, frozen_clock, **demo):
    """The demo shop (``demo``: its options), served, synced and learned by a new agent."""
    store, applier = synced(tmp_path, config_path, frozen_clock)
    with WooDouble.demo(**demo) as shop:
        shop.start()
        client = client_of(shop, demo.get("clock"))
        sync(client, store, applier)
        yield shop, client, store, applier
    store.close()


def spent(applier: Applier, customer: str) -> Decimal:
    segment = applier.brain.segment_of(customer)
    assert segment is not None
    return Decimal(re.search(r"([-\d.]+) spent", segment["reason"]).group(1))


def test_a_partial_refund_lowers_spend_and_keeps_the_order(tmp_path, config_path, frozen_clock):
    store, applier = synced(tmp_path, config_path, frozen_clock)
    with WooDouble.demo(limit_orders=40) as shop:
        shop.start()
        client = client_of(shop)
        customer = next(iter(shop.state.customers))
        product = next(iter(shop.state.products))
        order = shop.create_order(customer, [(product, 4)])
        shop.update_order(order["id"], status="completed")
        sync(client, store, applier)
        before = spent(applier, str(customer))
        orders = applier.brain.segment_of(str(customer))["reason"].split(",")[1]
        shop.refund_order(order["id"], "3.25", "one was chipped")
        sync(client, store, applier)
    assert spent(applier, str(customer)) == before - Decimal("3.25")
    assert applier.brain.segment_of(str(customer))["reason"].split(",")[1] == orders
    store.close()


def test_a_product_hidden_from_the_catalogue_leaves_every_list(tmp_path, config_path,
                                                               frozen_clock):
    with demo_shop_synced(tmp_path, config_path, frozen_clock, limit_orders=200) as synced_:
        shop, client, store, applier = synced_
        best = applier.brain.popular(limit=1)[0].product_id
        anchor = applier.brain.recommend_for_product(best)[0].product_id
        shop.update_product(int(best), catalog_visibility="hidden")
        sync(client, store, applier)
        assert best not in [r.product_id for r in applier.brain.popular(limit=20)]
        assert best not in [r.product_id for r in applier.brain.recommend_for_product(anchor)]
        shop.update_product(int(best), catalog_visibility="visible")
        sync(client, store, applier)
        assert applier.brain.popular(limit=1)[0].product_id == best


def test_units_given_back_lower_the_products_forecast(tmp_path, config_path, frozen_clock):
    """Two shops alike but for one refund: money only in one, the same money for 3 of 4 units
    in the other. Only the second lowers the product's demand."""
    totals = {}
    for given_back in (False, True):
        store, applier = synced(tmp_path / str(given_back), config_path, frozen_clock)
        with WooDouble.demo(limit_orders=200, clock=frozen_clock, ending_now=True) as shop:
            shop.start()
            client = client_of(shop, frozen_clock)
            sync(client, store, applier)
            product = applier.brain.popular(limit=1)[0].product_id
            customer = next(iter(shop.state.customers))
            frozen_clock.advance(60)
            order = shop.create_order(customer, [(int(product), 4)])
            line = order["line_items"][0]
            amount = f"{line['price'] * 3:.2f}"
            units = [(line["id"], 3)] if given_back else []
            shop.refund_order(order["id"], amount, "broken", units)
            sync(client, store, applier)
        totals[given_back] = applier.brain.forecast(product, 30)["total"]
        store.close()
    assert totals[True] < totals[False]


def test_a_subscription_renewal_is_spend_and_no_recommendation(tmp_path, config_path,
                                                              frozen_clock):
    with demo_shop_synced(tmp_path, config_path, frozen_clock, limit_orders=200) as synced_:
        shop, client, store, applier = synced_
        customer = next(o.customer_id for o in shop.state.orders.values() if o.customer_id)
        # renewals must not lift a product into the list (the best stocked: it never runs out)
        stocked = max(shop.state.products.values(), key=lambda p: p.stock_quantity or 0)
        assert stocked.stock_quantity > 60
        rare = stocked.id
        popular = [r.product_id for r in applier.brain.popular(limit=10)]
        before = spent(applier, str(customer))
        for _ in range(30):
            order = shop.create_order(customer, [(rare, 2)], created_via="subscription")
            shop.update_order(order["id"], status="completed")
        sync(client, store, applier)
        payload = EventLog(store).last_payload("order", str(order["id"]))
        assert payload is not None and payload["created_via"] == "subscription"
        assert [r.product_id for r in applier.brain.popular(limit=10)] == popular
        assert spent(applier, str(customer)) > before
