"""Headless Chromium (Debian's) on a real WordPress with the plugin and a real agent: the product
page shows the widget, a click on a recommendation reaches the agent's event log. A screenshot
is saved to ``artifacts/browser/`` (or ``$LUXEBRAIN_ARTIFACTS/browser/``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

WORDPRESS_TESTS = Path(__file__).parents[1] / "wordpress"
sys.path.insert(0, str(WORDPRESS_TESTS))

from harness import missing_requirements  # noqa: E402
from stack import Stack, start_stack  # noqa: E402

from wp_plugin_bridge.build import build_zip  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("LUXEBRAIN_ARTIFACTS", Path(__file__).parents[2] / "artifacts"))
WAIT_MS = 15_000

pytestmark = [pytest.mark.browser, pytest.mark.wordpress]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    reason = missing_requirements() or (None if CHROMIUM.exists() else "no /usr/bin/chromium")
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("browser")
    running = start_stack(base, build_zip(base / "dist"), render="client")
    yield running
    running.close()


def test_product_page_widget_click_reaches_the_agent(stack: Stack) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    mug = stack.products[0]
    shot = ARTIFACTS / "browser" / "product-page-widget.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"], timeout=WAIT_MS
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(WAIT_MS)
            page.goto(mug["permalink"])
            item = page.locator(".luxebrain-widget__item").first
            item.wait_for(state="visible")
            clicked = int(item.get_attribute("data-product-id"))
            assert clicked != mug["id"]
            assert page.locator(".luxebrain-widget__name").count() >= 1
            page.screenshot(path=str(shot), full_page=True)
            with page.expect_navigation():
                item.locator("a").click()
            target = next(p for p in stack.products if p["id"] == clicked)
            assert page.url == target["permalink"]
        finally:
            browser.close()
    assert shot.stat().st_size > 0
    clicks = stack.wait_for_events("rec_click", 1)
    assert [str(clicked)] == [c.get("product_id") for c in clicks], clicks
    assert clicks[0].get("placement") == "product"
    views = [v.get("product_id") for v in stack.wait_for_events("view", 2)]
    assert str(mug["id"]) in views, "the product page reported its view"
    assert stack.wait_for_events("rec_impression", 1), "the widget reported its impression"

