"""The console in headless Chromium: sign in with TOTP, issue, revoke, read the audit log,
invite an admin who sets a password and two-factor; posts without the CSRF token are refused."""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import sync_playwright

from cloud_api.db import transaction
from cloud_api.staff import accounts
from cloud_api.staff.totp import code_at

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """One Chromium for the module (starting it is the slow part)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_cloud):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_cloud)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def owner() -> dict:
    with transaction():
        _, shown = accounts.create(
            "owner@vendor.example", "owner", PASSWORD, actor="test", now=int(time.time())
        )
    return shown


def sign_in(  # type: ignore[no-untyped-def]
    page, secret: str, email: str = "owner@vendor.example", password: str = PASSWORD
) -> None:
    page.goto("/console/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.fill("input[name=code]", code_at(secret, time.time()))
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")


def test_sign_in_issue_revoke_and_audit(page, owner) -> None:
    sign_in(page, owner["totp_secret"])
    page.click("text=Issue licence")
    page.fill("input[name=tenant]", "Browser Boutique")
    page.select_option("select[name=plan]", "pro")
    page.fill("input[name=days]", "30")
    page.uncheck("input[name=trial]")
    page.click("button:has-text('Issue')")
    key = page.text_content("#licence-key") or ""
    assert key.startswith("lbk_")

    page.click("#licence-link")
    assert page.text_content("#licence-status") == "active"
    page.click("button:has-text('Revoke')")
    page.wait_for_selector("text=Done: licence revoked.")
    assert page.text_content("#licence-status") == "revoked"

    page.goto("/console/audit")
    rows = page.locator("#audit tr.entry")
    actions = [rows.nth(i).locator(".action").text_content() for i in range(rows.count())]
    assert actions[:2] == ["licence.revoke", "licence.issue"]
    assert "staff:owner@vendor.example" in (rows.nth(0).text_content() or "")


def test_posts_without_csrf_are_refused(page, owner) -> None:
    sign_in(page, owner["totp_secret"])
    page.click("text=Issue licence")
    page.fill("input[name=tenant]", "Target Shop")
    page.fill("input[name=days]", "30")
    page.click("button:has-text('Issue')")
    page.click("#licence-link")
    licence_url = page.url

    forged = page.request.post(f"{licence_url}/revoke", form={"do": "revoke"})
    assert forged.status == 403
    assert "csrf_failed" in forged.text()
    wrong = page.request.post(f"{licence_url}/revoke", form={"csrf_token": "guess"})
    assert wrong.status == 403
    page.reload()
    assert page.text_content("#licence-status") == "active"

    login_without_token = page.request.post(
        "/console/login", form={"email": "owner@vendor.example", "password": PASSWORD}
    )
    assert login_without_token.status == 403


def test_wrong_code_shows_an_error_and_no_session(page, owner) -> None:
    page.goto("/console/login")
    page.fill("input[name=email]", "owner@vendor.example")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", "000000")
    page.click("button[type=submit]")
    assert "wrong email, password or code" in (page.text_content("[role=alert]") or "")
    page.goto("/console/")
    assert page.url.endswith("/console/login")


def test_an_owner_invites_an_admin_who_sets_a_password_and_two_factor(  # type: ignore[no-untyped-def]
    page, owner, live_cloud
) -> None:
    sign_in(page, owner["totp_secret"])
    page.click("header >> text=Staff")
    page.fill("input[name=email]", "ada@vendor.example")
    page.select_option("fieldset select[name=role]", "admin")
    page.click("button:has-text('Invite')")
    link = (page.text_content("#one-time-url") or "").strip()
    assert "/console/welcome?token=" in link
    assert "invited" in (page.text_content("#staff") or "")

    # the invitee: another browser, no session
    invited = page.context.browser.new_context(base_url=live_cloud)
    try:
        welcome = invited.new_page()
        welcome.goto(link)
        welcome.fill("input[name=password]", "short")
        welcome.click("button:has-text('Set password')")
        assert "at least" in (welcome.text_content("[role=alert]") or "")
        welcome.fill("input[name=password]", "ada's own long passphrase")
        welcome.click("button:has-text('Set password')")
        assert "ada@vendor.example (admin) can now sign in" in (welcome.text_content("main") or "")
        secret = (welcome.text_content("#totp-secret") or "").strip()
        assert len((welcome.text_content("#recovery-codes") or "").split()) == 8
        sign_in(welcome, secret, "ada@vendor.example", "ada's own long passphrase")
    finally:
        invited.close()
    page.goto("/console/staff")  # a GET: reloading would post the invitation again
    row = page.text_content("#staff tr:has-text('ada@vendor.example')") or ""
    assert "admin" in row and "active" in row and "yes" in row
