"""The admin side in a real WordPress: capabilities, nonces, the Settings API, no WooCommerce."""

from __future__ import annotations

import re
from pathlib import Path

import requests
from harness import (
    ADMIN_PASSWORD,
    WordPressSite,
    form_nonce,
    hidden_fields,
    skip_without_wordpress,
)

PAGE = "/wp-admin/admin.php?page=luxebrain"


def _settings(site: WordPressSite) -> dict:
    return site.php("return LuxeBrain_Settings::all();")


def _settings_form(session: requests.Session, site: WordPressSite) -> dict[str, str]:
    html = session.get(site.url + PAGE, timeout=20).text
    form = re.search(r'<form method="post" action="options.php">(.*?)</form>', html, re.S)
    assert form, "settings form missing"
    return hidden_fields(form.group(1))


def test_admin_sees_page_with_status_connect_and_widget_settings(
    site: WordPressSite, admin: requests.Session
) -> None:
    html = admin.get(site.url + PAGE, timeout=20).text
    assert "<h1>LuxeBrain</h1>" in html
    assert "Not connected" in html
    assert 'value="luxebrain_connect"' in html
    assert "Click Connect to get the one-line command" in html
    for placement in ("product", "cart", "thankyou", "shortcode"):
        assert f'name="luxebrain_settings[widgets][{placement}][limit]"' in html
    assert 'name="luxebrain_settings[licence_key]"' in html


def test_settings_are_saved_through_the_settings_api(
    site: WordPressSite, admin: requests.Session
) -> None:
    fields = _settings_form(admin, site)
    response = admin.post(
        site.url + "/wp-admin/options.php",
        data={
            **fields,
            "luxebrain_settings[render]": "server",
            "luxebrain_settings[timeout]": "1.5",
            "luxebrain_settings[rate_limit]": "300",
            "luxebrain_settings[licence_key]": "lic.eyJhYmMiOjF9.c2ln",
            "luxebrain_settings[widgets][cart][title]": "Complete your order",
            "luxebrain_settings[widgets][cart][limit]": "6",
        },
        timeout=20,
    )
    assert response.status_code == 200
    saved = _settings(site)
    assert (saved["render"], saved["timeout"], saved["rate_limit"]) == ("server", 1.5, 300)
    assert saved["licence_key"] == "lic.eyJhYmMiOjF9.c2ln"
    assert saved["widgets"]["cart"] == {
        "enabled": False,
        "title": "Complete your order",
        "limit": 6,
    }


def test_bad_settings_are_refused_whole(site: WordPressSite, admin: requests.Session) -> None:
    before = _settings(site)
    fields = _settings_form(admin, site)
    response = admin.post(
        site.url + "/wp-admin/options.php",
        data={**fields, "luxebrain_settings[render]": "client",
              "luxebrain_settings[timeout]": "99"},
        timeout=20,
    )
    assert "The agent timeout must be a number of seconds from 1 to 10." in response.text
    assert _settings(site) == before


def test_subscriber_cannot_see_or_change_anything(
    site: WordPressSite, admin: requests.Session, shopper: requests.Session
) -> None:
    before = _settings(site)
    fields = _settings_form(admin, site)
    page = shopper.get(site.url + PAGE, timeout=20)
    assert page.status_code == 403
    changed = shopper.post(
        site.url + "/wp-admin/options.php",
        data={**fields, "luxebrain_settings[render]": "client"},
        timeout=20,
    )
    assert changed.status_code == 403
    connect = shopper.post(
        site.url + "/wp-admin/admin-post.php",
        data={"action": "luxebrain_connect", "_wpnonce": fields["_wpnonce"]},
        timeout=20,
        allow_redirects=False,
    )
    assert connect.status_code == 403
    assert _settings(site) == before
    assert site.php("return get_option( 'luxebrain_pairing' );") is False


def test_actions_need_a_valid_nonce(site: WordPressSite, admin: requests.Session) -> None:
    response = admin.post(
        site.url + "/wp-admin/admin-post.php",
        data={"action": "luxebrain_connect", "_wpnonce": "0123456789"},
        timeout=20,
        allow_redirects=False,
    )
    assert response.status_code == 403
    assert site.php("return get_option( 'luxebrain_pairing' );") is False
    nonce = form_nonce(admin.get(site.url + PAGE, timeout=20).text, "luxebrain_connect")
    ok = admin.post(
        site.url + "/wp-admin/admin-post.php",
        data={"action": "luxebrain_connect", "_wpnonce": nonce},
        timeout=20,
        allow_redirects=False,
    )
    assert ok.status_code == 302
    assert site.php("return LuxeBrain_Pairing::pending();") is True


def test_insights_page_without_an_agent_says_so(
    site: WordPressSite, admin: requests.Session
) -> None:
    html = admin.get(site.url + "/wp-admin/admin.php?page=luxebrain-insights", timeout=20).text
    assert "Connect this shop to a LuxeBrain agent to see insights." in html


def test_without_woocommerce_an_admin_notice_and_no_fatal(
    plugin_zip: Path, tmp_path: Path
) -> None:
    skip_without_wordpress()
    bare = WordPressSite.create(tmp_path, plugin_zip, woocommerce=False)
    try:
        session = bare.login("admin", ADMIN_PASSWORD)
        dashboard = session.get(bare.url + "/wp-admin/", timeout=20)
        assert dashboard.status_code == 200
        assert "LuxeBrain needs WooCommerce." in dashboard.text
        assert requests.get(bare.url + "/", timeout=20).status_code == 200
        rest = requests.get(bare.url + "/wp-json/luxebrain/v1/widgets/cart", timeout=20)
        assert rest.status_code == 404
        assert "luxebrain" not in bare.debug_log().lower()
    finally:
        bare.close()
