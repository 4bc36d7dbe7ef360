"""The plugin against a REAL running agent (``luxebrain-agent run``), paired through Connect and
``luxebrain-agent pair``: rendered recommendations, forwarded events, insights, privacy,
Disconnect."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from agent_process import agent_cli
from harness import ADMIN_PASSWORD, form_nonce, skip_without_wordpress
from stack import PAGE, Stack, start_stack


@pytest.fixture(scope="module")
def stack(plugin_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    skip_without_wordpress()
    running = start_stack(tmp_path_factory.mktemp("stack"), plugin_zip, render="server")
    yield running
    running.close()


@pytest.fixture
def site(stack: Stack):  # the WordPress of the stack, for the wordpress marker
    return stack.site


def _recommended_names(page: str) -> list[str]:
    return re.findall(r'<span class="luxebrain-widget__name">(.*?)</span>', page)


def test_product_page_hook_renders_the_agents_recommendations_escaped(
    stack: Stack, site
) -> None:
    mug = stack.products[0]
    page = requests.get(mug["permalink"], timeout=20)
    assert page.status_code == 200
    names = _recommended_names(page.text)
    assert names, "the product-page hook rendered no recommendation"
    assert html.escape('Teapot "Earl"') in names, "bought together with the mug most often"
    assert "<Saucer>" not in page.text.split("luxebrain-widget", 1)[1]
    by_id = {p["id"]: p for p in stack.products}
    for item in page.text.split('class="luxebrain-widget__item"')[1:]:
        product_id = int(item.split('data-product-id="', 1)[1].split('"', 1)[0])
        assert product_id != mug["id"], "the product in view is never recommended"
        assert f'href="{by_id[product_id]["permalink"]}"' in item
        assert '<span class="amount">&euro;10.00</span>' in item or "€10.00" in item


def test_shortcode_renders_the_agents_recommendations_escaped(stack: Stack, site) -> None:
    teapot = stack.products[1]
    url = site.php(
        "$id = wp_insert_post( array( 'post_type' => 'page', 'post_status' => 'publish',"
        " 'post_title' => 'Picks', 'post_content' => '[luxebrain_recommendations "
        f"placement=\"product\" product=\"{teapot['id']}\" limit=\"2\"]' ) );"
        " return get_permalink( $id );"
    )
    page = requests.get(url, timeout=20)
    assert page.status_code == 200
    names = _recommended_names(page.text)
    assert 1 <= len(names) <= 2
    assert html.escape("Mug & <Saucer>") in names
    assert "Mug & <Saucer>" not in page.text


def test_rest_proxy_forwards_signed_events_into_the_agents_event_log(stack: Stack, site) -> None:
    mug, teapot = stack.products[0], stack.products[1]
    click = str(uuid.uuid4())
    batch = {
        "session_id": "session-42",
        "events": [
            {"id": str(uuid.uuid4()), "type": "view", "product_id": mug["id"]},
            {"id": click, "type": "rec_click", "product_id": teapot["id"],
             "placement": "product", "source": "co_purchase",
             "recommended_ids": [teapot["id"]]},
        ],
    }
    for _ in range(2):  # a retried batch is not counted twice
        answer = requests.post(f"{site.url}/wp-json/luxebrain/v1/events", json=batch, timeout=20)
        assert answer.status_code == 202
    assert answer.json()["duplicates"] == 2
    clicks = [e for e in stack.wait_for_events("rec_click", 1) if e["key"] == click]
    assert len(clicks) == 1
    assert str(teapot["id"]) in str(clicks[0])


def test_events_carry_the_logged_in_customer_never_the_visitors_claim(stack: Stack, site) -> None:
    shopper = site.login("shopper", "shopper-password-1")
    page = shopper.get(stack.products[2]["permalink"], timeout=20).text
    nonce = re.search(r'"nonce":"([0-9a-f]+)"', page).group(1)
    event_id = str(uuid.uuid4())
    answer = shopper.post(
        f"{site.url}/wp-json/luxebrain/v1/events",
        json={"session_id": "session-77", "customer_id": "1",
              "events": [{"id": event_id, "type": "view", "product_id": stack.products[2]["id"]}]},
        headers={"X-WP-Nonce": nonce},
        timeout=20,
    )
    assert answer.status_code == 202
    views = [v for v in stack.wait_for_events("view", 2) if v["key"] == event_id]
    assert len(views) == 1
    assert views[0].get("customer_id") == str(site.users["shopper"]), views[0]


def test_add_to_cart_is_forwarded_with_the_visitors_session(stack: Stack, site) -> None:
    plate = stack.products[3]
    page = requests.get(
        f"{site.url}/?add-to-cart={plate['id']}",
        cookies={"luxebrain_sid": "session-cart-1"},
        timeout=20,
    )
    assert page.status_code == 200
    added = stack.wait_for_events("add_to_cart", 1)
    assert [str(plate["id"])] == [e.get("product_id") for e in added], added
    assert "session-cart-1" in str(added[0])


def test_widget_route_returns_rendered_items(stack: Stack, site) -> None:
    mug = stack.products[0]
    answer = requests.get(
        f"{site.url}/wp-json/luxebrain/v1/widgets/product",
        params={"product_id": mug["id"], "limit": 2},
        timeout=20,
    ).json()
    assert answer["placement"] == "product"
    assert 1 <= len(answer["items"]) <= 2
    assert all(item["id"] != str(mug["id"]) for item in answer["items"])
    assert 'class="luxebrain-widget__item"' in answer["html"]


def test_admin_sees_connected_status_and_insights(stack: Stack, site) -> None:
    admin = site.login("admin", ADMIN_PASSWORD)
    status = admin.get(site.url + PAGE, timeout=20).text
    assert "<td>Connected</td>" in status
    assert "<th scope=\"row\">Models ready</th><td>yes</td>" in status
    assert stack.agent.url in status
    insights = admin.get(site.url + "/wp-admin/admin.php?page=luxebrain-insights", timeout=30)
    assert insights.status_code == 200
    for title in ("Running out soon", "Customer segments", "Price suggestions",
                  "Flagged orders", "Widget analytics"):
        assert f"<h2>{title}</h2>" in insights.text
    assert "luxebrain-unreachable" not in insights.text
    analytics = insights.text.split("<h2>Widget analytics</h2>", 1)[1]
    assert "<th>Placement</th>" in analytics
    assert "<td>product</td>" in analytics, "the click sent earlier is counted"


def test_privacy_exporter_and_eraser_reach_the_agent(stack: Stack, site) -> None:
    export = "return LuxeBrain_Privacy::export( 'shopper@example.com' );"
    exported = site.php(export)
    assert exported["done"] is True
    groups = [item["group_id"] for item in exported["data"]]
    assert groups == ["luxebrain-customer", "luxebrain-orders"], "the subscriber's one order"
    profile = {f["name"]: f["value"] for f in exported["data"][0]["data"]}
    assert (profile["email"], profile["first_name"]) == ("shopper@example.com", "Sam")
    erased = site.php("return LuxeBrain_Privacy::erase( 'shopper@example.com' );")
    assert erased == {"items_removed": True, "items_retained": False, "messages": [],
                      "done": True}
    after = str(site.php(export))
    assert "shopper@example.com" not in after
    assert "Sam" not in after


def test_privacy_tools_reach_a_guests_orders_by_billing_email(stack: Stack, site) -> None:
    # order 1 of the seeded shop is a guest checkout billed to buyer1@example.com
    export = "return LuxeBrain_Privacy::export( 'buyer1@example.com' );"
    exported = site.php(export)
    assert [item["group_id"] for item in exported["data"]] == ["luxebrain-orders"]
    fields = {f["name"]: f["value"] for f in exported["data"][0]["data"]}
    assert fields["id"] == "1" and fields["customer_id"] == "null"
    erased = site.php("return LuxeBrain_Privacy::erase( 'buyer1@example.com' );")
    assert erased == {"items_removed": True, "items_retained": False, "messages": [],
                      "done": True}
    assert site.php(export) == {"data": [], "done": True}
    # an address the agent never saw: nothing removed, nothing retained
    nobody = site.php("return LuxeBrain_Privacy::erase( 'nobody@example.com' );")
    assert nobody["items_removed"] is False and nobody["items_retained"] is False


def test_disconnect_unpairs_the_agent_and_removes_access(stack: Stack, site) -> None:
    admin = site.login("admin", ADMIN_PASSWORD)
    nonce = form_nonce(admin.get(site.url + PAGE, timeout=20).text, "luxebrain_disconnect")
    page = admin.post(
        site.url + "/wp-admin/admin-post.php",
        data={"action": "luxebrain_disconnect", "_wpnonce": nonce},
        timeout=30,
    )
    assert "Disconnected: the agent was told" in page.text
    assert site.php("return get_option( 'luxebrain_connection' );") is False
    refused = agent_cli("api", "GET", "/v1/status", "--config", str(stack.config_path))
    assert refused.exit_code == 1
    assert "not_paired" in refused.stdout
