"""The LuxeBrain page's "Usage and invoices" in a real WordPress with a real running agent and a
served LuxeBrain cloud: the shop's own numbers (never another tenant's), and a clear empty state
when no licence is set or the agent is down, the page still 200."""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from agent_process import agent_cli
from harness import ADMIN_PASSWORD, skip_without_wordpress
from stack import PAGE, Stack, start_stack

from connector_agent.config import load_config, update_secrets
from connector_agent.licence import checkin
from luxebrain.clock import SystemClock
from tests.cloud.conftest import database_url, template  # noqa: F401  (the backend fixtures)
from tests.integration.test_cloud_e2e import cloud  # noqa: F401  (a served cloud, four keys)

pytestmark = pytest.mark.timeout(180)

FORGET = "delete_transient( 'luxebrain_account' ); return true;"  # as if the cache expired


@pytest.fixture(scope="module")
def stack(plugin_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    skip_without_wordpress()
    running = start_stack(tmp_path_factory.mktemp("stack"), plugin_zip)
    yield running
    running.close()


@pytest.fixture
def site(stack: Stack):  # the WordPress of the stack, for the wordpress marker
    return stack.site


def account_section(stack: Stack) -> str:
    admin = stack.site.login("admin", ADMIN_PASSWORD)
    page = admin.get(stack.site.url + PAGE, timeout=30)
    assert page.status_code == 200
    assert "<h2>Usage and invoices</h2>" in page.text
    return page.text.split("<h2>Usage and invoices</h2>", 1)[1].split("<h2>", 1)[0]


def wait_for_account(config_path: Path, *, within: float = 15) -> None:
    """Until the running agent has re-read its secrets (it looks at most once a second)."""
    deadline = time.monotonic() + within
    while agent_cli("api", "GET", "/v1/account", "--config", str(config_path)).exit_code != 0:
        assert time.monotonic() < deadline, "the agent never answered its account"
        time.sleep(0.2)


def test_without_a_licence_the_page_says_so(stack: Stack, site) -> None:
    section = account_section(stack)
    assert "No licence key is set on the agent." in section
    assert "<table" not in section


def test_the_page_shows_the_shops_own_usage_from_the_cloud(
    stack: Stack,
    site,
    cloud: tuple[str, list[str]],  # noqa: F811
) -> None:
    base, keys = cloud
    text = stack.config_path.read_text()
    stack.config_path.write_text(text.replace('cloud_url = ""', f'cloud_url = "{base}"', 1))
    update_secrets(stack.config_path, licence_key=keys[2])  # the running agent reloads both
    assert checkin(load_config(stack.config_path, environ={}), SystemClock()).status == "active"
    synced = agent_cli("cloud", "sync", "--config", str(stack.config_path), "--json")
    assert synced.exit_code == 0, synced.stderr
    assert orjson.loads(synced.stdout)["usage"]["days"] == 7
    wait_for_account(stack.config_path)
    site.php(FORGET)
    section = account_section(stack)
    month = datetime.now(UTC).strftime("%Y-%m")
    assert html.escape("Shop 2, plan pro") in section
    assert "Shop 0" not in section and "Shop 1" not in section and "Shop 3" not in section
    # the seeded orders were appended today; the agent's own cloud has no invoices yet
    assert f"<td>{month}</td><td>{site.url}</td><td>6</td>" in section
    assert "No invoices yet." in section


def test_with_the_agent_down_the_page_is_an_empty_state(stack: Stack, site) -> None:
    stack.agent.stop()
    site.php(FORGET)
    section = account_section(stack)
    assert "The LuxeBrain agent is unreachable, so usage and invoices cannot be shown" in section
