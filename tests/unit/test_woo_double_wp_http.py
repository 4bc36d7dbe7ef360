"""WordPress's check of a webhook delivery URL (wp_http_validate_url) and the LuxeBrain plugin's
guard (class-luxebrain-webhook-guard.php), as the local WooCommerce applies them."""

from __future__ import annotations

import pytest

from connector_agent.demo.woo_double.wp_http import AgentGuard, is_safe_url

HOME = "http://127.0.0.1:8088"  # where the recorded store ran
AGENT = AgentGuard("http://127.0.0.1:8765")


def resolve(host: str) -> str:
    """A resolver with no network: a few names, and OSError for the rest."""
    known = {"localhost": "127.0.0.1", "shop.example": "93.184.216.34", "lan.box": "192.168.1.9"}
    if host not in known:
        raise OSError(f"unknown host {host}")
    return known[host]


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("http://127.0.0.1:8765/v1/webhooks/woocommerce", False),  # the site's host, odd port
        ("http://127.0.0.1/hook", True),  # the site's own host, no port: not checked as local
        ("http://127.0.0.1:8088/hook", True),  # the site's own host and port
        ("http://127.0.0.1:8080/hook", True),  # 80, 443 and 8080 are safe ports
        ("http://localhost/hook", False),  # another name for a loopback address
        ("http://10.1.2.3/hook", False),
        ("http://172.20.0.1/hook", False),
        ("http://192.168.0.5/hook", False),
        ("http://0.0.0.0/hook", False),
        ("http://169.254.1.1/hook", True),  # link-local is not among WordPress's ranges
        ("http://lan.box/hook", False),  # a name that resolves to a private address
        ("http://shop.example/hook", True),
        ("https://shop.example:8443/hook", False),
        ("http://nowhere.invalid/hook", False),  # gethostbyname fails
        ("http://user:pw@shop.example/hook", False),
        ("http://[::1]/hook", False),
        ("ftp://shop.example/hook", False),
        ("http://shop.example:99999/hook", False),
    ],
)
def test_wordpress_alone(url: str, safe: bool) -> None:
    assert is_safe_url(url, HOME, None, resolve) is safe


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("http://127.0.0.1:8765/v1/webhooks/woocommerce", True),
        ("http://127.0.0.1:8765/any/other/path", True),  # the guard compares the origin only
        ("http://127.0.0.1:8766/v1/webhooks/woocommerce", False),  # another port
        ("https://127.0.0.1:8765/v1/webhooks/woocommerce", False),  # another scheme
        ("http://localhost:8765/v1/webhooks/woocommerce", False),  # another host name
        ("http://10.1.2.3:8765/hook", False),
        ("http://[::1]:8765/hook", False),  # refused before any filter runs
    ],
)
def test_with_the_plugins_guard(url: str, safe: bool) -> None:
    assert is_safe_url(url, HOME, AGENT, resolve) is safe


def test_the_guard_lets_a_private_host_through_by_name_and_default_port() -> None:
    """An agent on another (private) host: http_request_host_is_external says yes for it, and
    with no explicit port the port check never runs."""
    guard = AgentGuard("http://lan.box")
    assert is_safe_url("http://lan.box/v1/webhooks/woocommerce", HOME, guard, resolve)
    assert is_safe_url("http://LAN.box:80/v1/webhooks/woocommerce", HOME, guard, resolve)
    assert not is_safe_url("http://lan.box:81/v1/webhooks/woocommerce", HOME, guard, resolve)
    assert not is_safe_url("http://10.1.2.3/v1/webhooks/woocommerce", HOME, guard, resolve)
