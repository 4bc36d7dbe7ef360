"""The console's staff page: owners invite, change roles, deactivate and hand out reset links;
the invited person sets a password (and, as an admin, two-factor) on the link's open page."""

from __future__ import annotations

import html
import re

from cloud_api.db import transaction
from cloud_api.models import AuditEntry, Staff, StaffSession
from cloud_api.staff.totp import code_at

NEW_PASSWORD = "a much longer new passphrase"


async def _text(response) -> str:  # type: ignore[no-untyped-def]
    return (await response.get_data()).decode()


def _link(page: str) -> str:
    """The one-time link on the staff page, as a path with its query."""
    url = html.unescape(re.search(r'id="one-time-url">([^<]+)<', page).group(1))
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def _set_password(client, link: str, password: str):  # type: ignore[no-untyped-def]
    token = link.split("token=", 1)[1]
    return await client.post(link.split("?", 1)[0], form={"token": token, "password": password})


async def _login(client, email: str, password: str, code: str | None = None) -> int:  # type: ignore[no-untyped-def]
    body = {"email": email, "password": password, **({"code": code} if code else {})}
    return (await client.post("/api/v1/login", json=body)).status_code


async def test_an_owner_invites_and_the_invited_person_sets_a_password(client, sign_in) -> None:
    owner = await sign_in("owner")
    page = await client.get("/console/staff", headers=owner.headers)
    assert page.status_code == 200
    assert owner.email in (listing := await _text(page)) and "(you)" in listing
    invited = await client.post(
        "/console/staff", form={"email": " sam@vendor.example ", "role": "support"},
        headers=owner.headers,
    )
    assert invited.status_code == 200
    link = _link(await _text(invited))
    assert link.startswith("/console/welcome?token=")
    assert "invited" in await _text(await client.get("/console/staff", headers=owner.headers))

    form = await client.get(link)
    assert form.status_code == 200 and 'name="password"' in await _text(form)
    weak = await _set_password(client, link, "short")
    assert weak.status_code == 400
    assert "at least" in (weak_page := await _text(weak)) and 'name="token"' in weak_page
    done = await _set_password(client, link, NEW_PASSWORD)
    assert done.status_code == 200
    assert "sam@vendor.example (support) can now" in await _text(done)
    assert await _login(client, "sam@vendor.example", NEW_PASSWORD) == 200
    spent = await _set_password(client, link, "yet another long passphrase")
    assert spent.status_code == 400 and "already used" in await _text(spent)


async def test_an_invited_admin_gets_two_factor_once(client, sign_in, clock) -> None:
    owner = await sign_in("owner")
    invited = await client.post(
        "/console/staff", form={"email": "ada@vendor.example", "role": "admin"},
        headers=owner.headers,
    )
    done = await _text(await _set_password(client, _link(await _text(invited)), NEW_PASSWORD))
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', done).group(1)
    codes = re.search(r'id="recovery-codes">([^<]+)<', done).group(1).split()
    assert len(codes) == 8
    assert await _login(client, "ada@vendor.example", NEW_PASSWORD) == 401  # no code
    code = code_at(secret, clock.time())
    assert await _login(client, "ada@vendor.example", NEW_PASSWORD, code) == 200


async def test_role_changes_deactivation_and_reset_links_are_audited(client, sign_in) -> None:
    owner = await sign_in("owner")
    support = await sign_in("support", "sue@vendor.example")
    with transaction():
        sue = Staff.get(Staff.email == "sue@vendor.example")
    changed = await client.post(
        f"/console/staff/{sue.id}", form={"role": "read-only"}, headers=owner.headers
    )
    assert changed.status_code == 302
    page = await _text(await client.get(changed.headers["Location"], headers=owner.headers))
    assert "Done: account updated." in page
    # an admin needs two-factor first: refused, nothing changed
    refused = await client.post(
        f"/console/staff/{sue.id}", form={"role": "admin"}, headers=owner.headers
    )
    assert refused.status_code == 400 and "two-factor" in await _text(refused)
    sue_url = f"/console/staff/{sue.id}"
    off = await client.post(sue_url, form={"active": "no"}, headers=owner.headers)
    assert off.status_code == 302
    signed_out = await client.get("/console/", headers=support.headers)
    assert signed_out.status_code == 302 and signed_out.headers["Location"] == "/console/login"
    with transaction():
        sue = Staff.get(Staff.email == "sue@vendor.example")
        assert (sue.role, sue.active) == ("read-only", False)
    on = await client.post(sue_url, form={"active": "yes"}, headers=owner.headers)
    assert on.status_code == 302
    reset = await client.post(f"/console/staff/{sue.id}/reset", headers=owner.headers)
    link = _link(await _text(reset))
    assert link.startswith("/console/reset?token=")
    assert (await _set_password(client, link, NEW_PASSWORD)).status_code == 200
    assert await _login(client, "sue@vendor.example", NEW_PASSWORD) == 200
    with transaction():
        entries = AuditEntry.select().where(AuditEntry.target == f"staff:{sue.id}")
        actions = [e.action for e in entries]
    assert actions.count("staff.update") == 3
    assert "staff.reset_requested" in actions and "staff.reset_password" in actions


async def test_bad_forms_change_nothing_and_only_owners_see_the_page(client, sign_in) -> None:
    owner = await sign_in("owner")
    with transaction():
        before = Staff.select().count()
    for form in ({"email": "not-an-email", "role": "support"},
                 {"email": "x@vendor.example", "role": "emperor"}):
        bad = await client.post("/console/staff", form=form, headers=owner.headers)
        assert bad.status_code == 400
    with transaction():
        assert Staff.select().count() == before
        me = Staff.get(Staff.email == owner.email)
    for form in ({"active": "maybe"}, {}):
        bad = await client.post(f"/console/staff/{me.id}", form=form, headers=owner.headers)
        assert bad.status_code == 400
    missing = await client.post("/console/staff/9999", form={"role": "support"},
                                headers=owner.headers)
    assert missing.status_code == 404
    assert (await _set_password(client, "/console/welcome?token=forged", NEW_PASSWORD)
            ).status_code == 400
    admin = await sign_in("admin")
    assert (await client.get("/console/staff", headers=admin.headers)).status_code == 403
    home = await _text(await client.get("/console/", headers=admin.headers))
    assert ">Staff</a>" not in home
    assert ">Staff</a>" in await _text(await client.get("/console/", headers=owner.headers))


async def test_a_read_only_account_is_promoted_after_a_reset_with_two_factor(
    client, sign_in, clock
) -> None:  # type: ignore[no-untyped-def]
    owner = await sign_in("owner")
    await sign_in("read-only", "rita@vendor.example")
    with transaction():
        rita = Staff.get(Staff.email == "rita@vendor.example").id
    url = f"/console/staff/{rita}"
    staff_page = await _text(await client.get("/console/staff", headers=owner.headers))
    assert 'name="two_factor"' in staff_page
    reset = await client.post(f"{url}/reset", form={"two_factor": "on"}, headers=owner.headers)
    assert "also sets up two-factor" in (reset_page := await _text(reset))
    done = await _text(await _set_password(client, _link(reset_page), NEW_PASSWORD))
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', done).group(1)
    promoted = await client.post(url, form={"role": "owner"}, headers=owner.headers)
    assert promoted.status_code == 302
    with transaction():
        assert Staff.get_by_id(rita).role == "owner"
    code = code_at(secret, clock.time())
    assert await _login(client, "rita@vendor.example", NEW_PASSWORD, code) == 200


async def test_an_owner_cannot_deactivate_or_demote_themselves_on_the_console(
    client, sign_in
) -> None:  # type: ignore[no-untyped-def]
    owner = await sign_in("owner")
    with transaction():
        me = Staff.get(Staff.email == owner.email).id
    for form in ({"active": "no"}, {"role": "support"}):
        refused = await client.post(f"/console/staff/{me}", form=form, headers=owner.headers)
        assert refused.status_code == 403
    with transaction():
        assert Staff.select().where((Staff.role == "owner") & Staff.active).count() == 1


async def test_done_notices_show_only_known_messages(client, sign_in, issue) -> None:
    owner = await sign_in("owner")
    lic = issue()
    forged = "revoke. Your session expired: sign in again at https://evil.example/console"

    async def notice(path: str, done: str) -> str:
        page = await client.get(path, query_string={"done": done}, headers=owner.headers)
        return await _text(page)

    for path in (f"/console/licences/{lic.id}", "/console/staff"):
        page = await notice(path, forged)
        assert 'class="notice"' not in page and "evil.example" not in page
    assert "Done: licence revoked." in await notice(f"/console/licences/{lic.id}", "revoke")
    assert "Done: account updated." in await notice("/console/staff", "updated")


async def _console_sign_in(client, make_staff) -> None:  # type: ignore[no-untyped-def]
    email, _ = make_staff("support", "sue@vendor.example")
    form_page = await _text(await client.get("/console/login"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form_page).group(1)
    form = {"csrf_token": csrf, "email": email, "password": "correct horse battery staple"}
    assert (await client.post("/console/login", form=form)).status_code == 302


def _forgets_the_session(response) -> bool:  # type: ignore[no-untyped-def]
    return any(
        c.startswith("lb_session=;") and "Max-Age=0" in c
        for c in response.headers.getlist("Set-Cookie")
    )


async def test_signing_out_forgets_the_cookie(client, make_staff) -> None:
    await _console_sign_in(client, make_staff)
    home = await _text(await client.get("/console/"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    out = await client.post("/console/logout", form={"csrf_token": csrf})
    assert out.status_code == 302 and out.headers["Location"] == "/console/login"
    assert _forgets_the_session(out)
    after = await client.get("/console/")
    assert after.status_code == 302 and after.headers["Location"] == "/console/login"


async def test_a_revoked_session_sends_the_browser_to_sign_in(client, make_staff) -> None:
    await _console_sign_in(client, make_staff)
    with transaction():
        StaffSession.delete().execute()  # e.g. the account was deactivated elsewhere
    page = await client.get("/console/audit")
    assert page.status_code == 302 and page.headers["Location"] == "/console/login"
    assert _forgets_the_session(page)
    assert (await client.get("/console/login")).status_code == 200
