"""Staff accounts and the JSON API: sign-in with two factors, throttling, operations, audit."""

from __future__ import annotations

import pytest
from support.cloud import SHOP, agent_post

from cloud_api.db import transaction
from cloud_api.errors import Conflict
from cloud_api.models import AuditEntry, Staff
from cloud_api.staff import accounts
from cloud_api.staff.totp import code_at

PASSWORD = "correct horse battery staple"  # what the make_staff fixture sets


async def login(client, **body):  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/login", json=body)
    return response.status_code, await response.get_json()


async def test_owner_needs_the_totp_code_and_a_code_works_once(client, make_staff, clock) -> None:
    email, shown = make_staff("owner")
    assert (await login(client, email=email, password=PASSWORD))[0] == 401
    code = code_at(shown["totp_secret"], clock.time())
    status, body = await login(client, email=email, password=PASSWORD, code=code)
    assert status == 200 and body["staff"]["role"] == "owner" and body["staff"]["two_factor"]
    assert (await login(client, email=email, password=PASSWORD, code=code))[0] == 401


async def test_recovery_codes_work_once(client, make_staff) -> None:
    email, shown = make_staff("admin")
    code = shown["recovery_codes"][0]
    assert (await login(client, email=email, password=PASSWORD, code=code))[0] == 200
    assert (await login(client, email=email, password=PASSWORD, code=code))[0] == 401


async def test_support_without_totp_signs_in_with_a_password(client, make_staff) -> None:
    email, shown = make_staff("support")
    assert shown == {}
    assert (await login(client, email=email, password=PASSWORD))[0] == 200


async def test_login_is_throttled_per_address(app, client, make_staff) -> None:
    app.config["LOGIN_MAX_FAILURES"] = 3
    email, _ = make_staff("support")
    codes = [(await login(client, email=email, password="wrong password!"))[0] for _ in range(3)]
    assert codes == [401, 401, 401]
    status, body = await login(client, email=email, password=PASSWORD)
    assert status == 429 and body["error"]["code"] == "rate_limited"


async def test_wrong_password_and_unknown_email_look_the_same(client, make_staff) -> None:
    email, _ = make_staff("support")
    wrong = await login(client, email=email, password="not the password")
    unknown = await login(client, email="nobody@vendor.example", password="not the password")
    assert (
        wrong
        == unknown
        == (401, {"error": {"code": "unauthorized", "message": "wrong email, password or code"}})
    )


async def test_issue_extend_suspend_reactivate_revoke_with_audit(client, sign_in) -> None:
    admin = await sign_in("admin")
    h = admin.headers
    response = await client.post(
        "/api/v1/licences", headers=h, json={"tenant": "Acme", "plan": "pro", "days": 30}
    )
    issued = await response.get_json()
    assert response.status_code == 200 and issued["key"].startswith("lbk_")
    lid = issued["licence_id"]
    base = f"/api/v1/licences/{lid}"
    extended = await (await client.post(f"{base}/extend", headers=h, json={"days": 10})).get_json()
    assert extended["expires_at"] == "2026-02-10T12:00:00Z"
    assert (await (await client.post(f"{base}/suspend", headers=h, json={})).get_json())[
        "status"
    ] == "suspended"
    assert (await (await client.post(f"{base}/reactivate", headers=h, json={})).get_json())[
        "status"
    ] == "active"
    plan = await (await client.post(f"{base}/plan", headers=h, json={"plan": "starter"})).get_json()
    assert plan["plan"] == "starter"
    assert (await (await client.post(f"{base}/revoke", headers=h, json={})).get_json())[
        "status"
    ] == "revoked"
    again = await client.post(f"{base}/revoke", headers=h, json={})
    assert again.status_code == 409

    entries = (await (await client.get("/api/v1/audit", headers=h)).get_json())["entries"]
    mine = [e for e in entries if e["target"] == f"licence:{lid}"]
    assert [e["action"] for e in mine] == [
        "licence.revoke",
        "licence.change_plan",
        "licence.reactivate",
        "licence.suspend",
        "licence.extend",
        "licence.issue",
    ]
    assert all(e["actor"] == "staff:admin@vendor.example" for e in mine)
    assert mine[0]["before"]["status"] == "active" and mine[0]["after"]["status"] == "revoked"


async def test_search_tenants_stores_and_licences(client, sign_in, issue) -> None:
    viewer = await sign_in("read-only")
    issue(tenant="Acme Shoes")
    issue(tenant="Globex")
    tenants = (
        await (await client.get("/api/v1/tenants?q=acme", headers=viewer.headers)).get_json()
    )["tenants"]
    assert [t["name"] for t in tenants] == ["Acme Shoes"]
    detail = await (
        await client.get(f"/api/v1/tenants/{tenants[0]['id']}", headers=viewer.headers)
    ).get_json()
    assert [x["tenant"]["name"] for x in detail["licences"]] == ["Acme Shoes"]


async def test_invite_accept_and_password_reset_are_single_use(client, sign_in) -> None:
    owner = await sign_in("owner")
    invited = await (
        await client.post(
            "/api/v1/staff",
            headers=owner.headers,
            json={"email": "new@vendor.example", "role": "admin"},
        )
    ).get_json()
    assert invited["staff"]["pending"] is True
    token = invited["invite_token"]
    short = await client.post("/api/v1/staff/accept", json={"token": token, "password": "short"})
    assert short.status_code == 400
    accepted = await client.post(
        "/api/v1/staff/accept", json={"token": token, "password": PASSWORD}
    )
    body = await accepted.get_json()
    assert accepted.status_code == 200 and body["totp_secret"] and len(body["recovery_codes"]) == 8
    reused = await client.post("/api/v1/staff/accept", json={"token": token, "password": PASSWORD})
    assert (await reused.get_json())["error"]["message"] == "this invite token was already used"

    reset = await (
        await client.post(
            f"/api/v1/staff/{body['staff']['id']}/reset", headers=owner.headers, json={}
        )
    ).get_json()
    new_password = "another long passphrase"
    done = await client.post(
        "/api/v1/password-reset", json={"token": reset["reset_token"], "password": new_password}
    )
    assert done.status_code == 200
    again = await client.post(
        "/api/v1/password-reset", json={"token": reset["reset_token"], "password": new_password}
    )
    assert again.status_code == 400


async def test_disabling_staff_ends_their_sessions(client, sign_in) -> None:
    owner, support = await sign_in("owner"), await sign_in("support")
    me = await (await client.get("/api/v1/me", headers=support.headers)).get_json()
    await client.post(f"/api/v1/staff/{me['id']}", headers=owner.headers, json={"active": False})
    assert (await client.get("/api/v1/me", headers=support.headers)).status_code == 401


async def test_logout_ends_the_session(client, sign_in) -> None:
    viewer = await sign_in("read-only")
    assert (await client.post("/api/v1/logout", headers=viewer.headers, json={})).status_code == 200
    assert (await client.get("/api/v1/me", headers=viewer.headers)).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tenant": "A", "plan": "pro"}, "days"),
        ({"tenant": "A", "plan": "pro", "days": "9"}, "days"),
        ({"tenant": "", "plan": "pro", "days": 9}, "tenant"),
        ({"tenant": "A", "plan": "gold", "days": 9}, "plan"),
    ],
)
async def test_bad_issue_requests_change_nothing(client, sign_in, body, field) -> None:
    admin = await sign_in("admin")
    response = await client.post("/api/v1/licences", headers=admin.headers, json=body)
    assert response.status_code in (400, 404)
    assert (await response.get_json())["error"]["field"] == field
    listing = await (await client.get("/api/v1/licences", headers=admin.headers)).get_json()
    assert listing["licences"] == []


async def test_cookie_sessions_need_the_csrf_header(client, sign_in) -> None:
    admin = await sign_in("admin")
    client.set_cookie("localhost", "lb_session", admin.token)
    me = await (await client.get("/api/v1/me")).get_json()
    refused = await client.post("/api/v1/tenants", json={"name": "Acme"})
    assert refused.status_code == 403
    assert (await refused.get_json())["error"]["code"] == "csrf_failed"
    ok = await client.post(
        "/api/v1/tenants", json={"name": "Acme"}, headers={"X-CSRF-Token": me["csrf_token"]}
    )
    assert ok.status_code == 200


async def test_throttle_counts_the_client_behind_trusted_proxies(app, client, make_staff) -> None:
    app.config.update(LOGIN_MAX_FAILURES=2, FORWARDED_HOPS=1)
    email, _ = make_staff("support")
    attacker = {"X-Forwarded-For": "198.51.100.7, 203.0.113.5"}
    for n in range(2):
        response = await client.post(
            "/api/v1/login",
            headers=attacker,
            json={"email": f"x{n}@vendor.example", "password": "nope"},
        )
        assert response.status_code == 401
    blocked = await client.post(
        "/api/v1/login", headers=attacker, json={"email": email, "password": PASSWORD}
    )
    assert blocked.status_code == 429
    other = await client.post(
        "/api/v1/login",
        headers={"X-Forwarded-For": "203.0.113.9"},
        json={"email": email, "password": PASSWORD},
    )
    assert other.status_code == 200


async def test_sessions_expire(app, client, sign_in, clock) -> None:
    viewer = await sign_in("read-only")
    clock.advance(app.config["SESSION_SECONDS"])
    response = await client.get("/api/v1/me", headers=viewer.headers)
    assert response.status_code == 401


async def test_offline_token_move_and_plan_change(client, sign_in, issue, clock) -> None:
    from connector_agent.licence.token import parse_public_keys, verify

    admin = await sign_in("admin")
    lic = issue(plan="pro", stores=1)
    base = f"/api/v1/licences/{lic.id}"
    keys = parse_public_keys(
        (await (await client.get("/.well-known/luxebrain-keys.pem")).get_data()).decode()
    )

    offline = await (
        await client.post(
            f"{base}/token", headers=admin.headers, json={"store_url": "https://offline.example"}
        )
    ).get_json()
    claims = verify(offline["token"], keys, now=clock.time(), store_url="https://offline.example")
    assert claims["exp"] == claims["licence_exp"] and claims["instance_id"] == ""
    shop = {"store_url": "https://second.example", "instance_id": "inst-0002"}
    assert (await agent_post(client, "activate", lic.key, shop))[0] == 409  # the slot is taken

    moved = await (
        await client.post(
            f"{base}/move",
            headers=admin.headers,
            json={"from_url": "https://offline.example", "to_url": "https://second.example"},
        )
    ).get_json()
    assert moved == {
        "from_url": "https://offline.example",
        "to_url": "https://second.example",
        "staging": False,
    }
    status, body = await agent_post(client, "activate", lic.key, shop)
    assert status == 200
    assert "forecasts" in verify(body["token"], keys, now=clock.time())["features"]

    await client.post(f"{base}/plan", headers=admin.headers, json={"plan": "starter"})
    status, body = await agent_post(client, "checkin", lic.key, shop)
    claims = verify(body["token"], keys, now=clock.time())
    assert claims["plan"] == "starter" and claims["features"] == ["personalised", "segments"]


async def test_staging_sites_are_flagged_in_their_token(client, issue, clock) -> None:
    from connector_agent.licence.token import parse_public_keys, verify

    lic = issue(plan="pro")
    body = {
        "store_url": "https://staging.shop.example",
        "instance_id": "inst-0003",
        "staging": True,
    }
    status, answer = await agent_post(client, "activate", lic.key, body)
    keys = parse_public_keys(
        (await (await client.get("/.well-known/luxebrain-keys.pem")).get_data()).decode()
    )
    assert status == 200 and verify(answer["token"], keys, now=clock.time())["staging"] is True


async def test_console_pages_are_not_cached_or_framed(client) -> None:
    response = await client.get("/console/login")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    missing = await client.get("/console/no-such-page")
    assert missing.status_code == 404 and missing.content_type.startswith("text/html")


async def test_move_onto_an_active_store_is_refused(client, sign_in, issue) -> None:
    admin = await sign_in("admin")
    lic = issue(plan="pro", stores=2)
    for n in (1, 2):
        shop = {"store_url": f"https://s{n}.example", "instance_id": f"inst-000{n}"}
        assert (await agent_post(client, "activate", lic.key, shop))[0] == 200
    response = await client.post(
        f"/api/v1/licences/{lic.id}/move",
        headers=admin.headers,
        json={"from_url": "https://s1.example", "to_url": "https://s2.example"},
    )
    assert response.status_code == 409
    assert (await response.get_json())["error"]["field"] == "to_url"


async def test_staff_free_a_slot_after_an_agent_reinstall(client, sign_in, issue) -> None:
    admin = await sign_in("admin")
    lic = issue(plan="pro", stores=1)
    old = {"store_url": "https://shop.example", "instance_id": "inst-old-1"}
    new = {**old, "instance_id": "inst-new-2"}
    await agent_post(client, "activate", lic.key, old)
    assert (await agent_post(client, "activate", lic.key, new))[0] == 409
    freed = await client.post(
        f"/api/v1/licences/{lic.id}/deactivate-store",
        headers=admin.headers,
        json={"store_url": "https://shop.example"},
    )
    assert (await freed.get_json()) == {"store_url": "https://shop.example", "active": False}
    assert (await agent_post(client, "activate", lic.key, new))[0] == 200


async def test_console_licence_page_deactivates_a_store(client, sign_in, issue) -> None:
    admin = await sign_in("admin")
    lic = issue(plan="pro", stores=1)
    await agent_post(client, "activate", lic.key, SHOP)
    page = await client.get(f"/console/licences/{lic.id}", headers=admin.headers)
    html = (await page.get_data()).decode()
    assert "https://shop.example" in html and "Deactivate" in html
    response = await client.post(
        f"/console/licences/{lic.id}/deactivate-store",
        headers=admin.headers,
        form={"store_url": "https://shop.example"},
    )
    assert response.status_code == 302
    html = (
        await (await client.get(response.headers["Location"], headers=admin.headers)).get_data()
    ).decode()
    assert "No active stores." in html and "Done: store deactivated." in html


async def test_console_licence_history_includes_its_stores(client, sign_in, issue) -> None:
    viewer = await sign_in("read-only")
    lic = issue(plan="pro", stores=1)
    await agent_post(client, "activate", lic.key, SHOP)
    html = (
        await (await client.get(f"/console/licences/{lic.id}", headers=viewer.headers)).get_data()
    ).decode()
    assert "store.activate" in html and "licence.issue" in html


async def test_a_used_totp_code_is_refused_for_as_long_as_it_stays_valid(
    client, make_staff, clock
) -> None:
    email, shown = make_staff("admin")
    assert int(clock.time()) % 120 == 0
    clock.advance(119)  # the last second of a 30 s step, and of what was a 120 s replay window
    code = code_at(shown["totp_secret"], clock.time())
    assert (await login(client, email=email, password=PASSWORD, code=code))[0] == 200
    assert (await login(client, email=email, password=PASSWORD, code=code))[0] == 401
    for seconds in (1, 30):  # accepted up to one step late (drift): still used, still refused
        clock.advance(seconds)
        assert (await login(client, email=email, password=PASSWORD, code=code))[0] == 401
    later = code_at(shown["totp_secret"], clock.time())
    assert (await login(client, email=email, password=PASSWORD, code=later))[0] == 200


async def test_plan_creation_is_audited_and_malformed_features_are_a_400(client, sign_in) -> None:
    owner = await sign_in("owner")
    body = {"name": "growth", "features": ["forecasts"], "price_cents": 4900}
    assert (await client.post("/api/v1/plans", json=body, headers=owner.headers)).status_code == 200
    audit = await client.get("/api/v1/audit?action=plan.create", headers=owner.headers)
    (entry,) = (await audit.get_json())["entries"]
    assert (entry["actor"], entry["target"].startswith("plan:"), entry["after"]) == (
        "staff:owner@vendor.example",
        True,
        {
            "name": "growth",
            "features": ["forecasts"],
            "limits": {"stores": 1, "staging": 1},
            "trial_days": 0,
            "price_cents": 4900,
            "currency": "EUR",
        },
    )
    for features in ([{}], [1, "forecasts"], [None]):
        bad = await client.post(
            "/api/v1/plans", json={"name": "g2", "features": features}, headers=owner.headers
        )
        assert bad.status_code == 400
        assert (await bad.get_json())["error"] == {
            "code": "invalid_input",
            "message": "features must be a list of feature names",
            "field": "features",
        }
    listed = await (await client.get("/api/v1/plans", headers=owner.headers)).get_json()
    assert [p["name"] for p in listed["plans"]] == ["growth", "pro", "pro-trial", "starter"]


async def test_numbers_in_queries_and_forms_must_be_ascii_digits(client, sign_in, issue) -> None:
    from cloud_api.config import from_environment

    admin = await sign_in("admin")
    for path, field in (
        ("/api/v1/licences?limit=%C2%B2", "limit"),  # "²": str.isdigit() says yes, int() no
        ("/api/v1/licences?tenant_id=%D9%A3", "tenant_id"),  # "٣", an Arabic-Indic 3
        ("/api/v1/stores?tenant_id=%C2%B2", "tenant_id"),
        ("/api/v1/usage?tenant_id=%C2%B2", "tenant_id"),
        ("/api/v1/invoices?tenant_id=%C2%B2", "tenant_id"),
        ("/api/v1/audit?limit=ten", "limit"),
    ):
        response = await client.get(path, headers=admin.headers)
        assert response.status_code == 400, path
        assert (await response.get_json())["error"]["field"] == field
    assert (await client.get("/api/v1/licences?limit=2", headers=admin.headers)).status_code == 200
    lic = issue()
    form = await client.post(
        f"/console/licences/{lic.id}/extend", form={"days": "\u00b2"}, headers=admin.headers
    )
    assert form.status_code == 400
    with pytest.raises(ValueError, match="SESSION_SECONDS: must be a positive integer"):
        from_environment({"LUXEBRAIN_CLOUD_SESSION_SECONDS": "\u00b2"})


async def _staff_id(email: str) -> int:
    with transaction():
        return int(Staff.get(Staff.email == email).id)


async def test_successful_sign_ins_do_not_use_up_the_clients_allowance(app, client, make_staff):  # type: ignore[no-untyped-def]
    app.config["LOGIN_MAX_FAILURES"] = 2
    email, _ = make_staff("support")
    assert (await login(client, email=email, password="wrong password!"))[0] == 401
    for _ in range(4):  # each attempt is counted first and a success takes its count back
        assert (await login(client, email=email, password=PASSWORD))[0] == 200
    # the failure before them still counts for the client: two more are one too many
    assert (await login(client, email="x@vendor.example", password="nope"))[0] == 401
    assert (await login(client, email="y@vendor.example", password="nope"))[0] == 429


@pytest.mark.parametrize("state", ["unknown", "deactivated", "invited"])
async def test_a_sign_in_without_a_usable_account_still_checks_one_password_hash(
    client, sign_in, make_staff, monkeypatch, state
) -> None:  # type: ignore[no-untyped-def]
    """Skipping the slow hash for such accounts would time-stamp which addresses exist."""
    owner = await sign_in("owner")
    email = "nobody@vendor.example"
    if state == "deactivated":
        email, _ = make_staff("support", "gone@vendor.example")
        staff_id = await _staff_id(email)
        update = {"active": False}
        await client.post(f"/api/v1/staff/{staff_id}", json=update, headers=owner.headers)
    elif state == "invited":
        email = "new@vendor.example"
        body = {"email": email, "role": "support"}
        invited = await client.post("/api/v1/staff", json=body, headers=owner.headers)
        assert invited.status_code == 200
    checked: list[str] = []

    def spy(password: str, stored: str) -> bool:
        checked.append(stored)
        return verify(password, stored)

    verify = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", spy)
    assert (await login(client, email=email, password=PASSWORD))[0] == 401
    assert len(checked) == 1 and checked[0].startswith("scrypt$")


async def test_a_support_account_is_promoted_after_a_reset_with_two_factor(
    client, sign_in, clock
) -> None:  # type: ignore[no-untyped-def]
    owner = await sign_in("owner")
    await sign_in("support", "sue@vendor.example")
    sue = await _staff_id("sue@vendor.example")
    promote = {"role": "admin"}
    refused = await client.post(f"/api/v1/staff/{sue}", json=promote, headers=owner.headers)
    assert refused.status_code == 400
    assert "two-factor" in (await refused.get_json())["error"]["message"]
    reset = await client.post(
        f"/api/v1/staff/{sue}/reset", json={"two_factor": True}, headers=owner.headers
    )
    token = (await reset.get_json())["reset_token"]
    new_password = "a much longer new passphrase"
    redeem = {"token": token, "password": new_password}
    done = await client.post("/api/v1/password-reset", json=redeem)
    shown = await done.get_json()
    assert done.status_code == 200 and shown["staff"]["two_factor"]
    assert len(shown["recovery_codes"]) == 8
    promoted = await client.post(f"/api/v1/staff/{sue}", json=promote, headers=owner.headers)
    assert promoted.status_code == 200 and (await promoted.get_json())["role"] == "admin"
    code = code_at(shown["totp_secret"], clock.time())
    status, body = await login(client, email="sue@vendor.example", password=new_password, code=code)
    assert status == 200 and body["staff"]["role"] == "admin"
    with transaction():
        asked = AuditEntry.get(AuditEntry.action == "staff.reset_requested")
    assert asked.after == {"two_factor": True}


async def test_an_owner_cannot_change_their_own_role_or_active_flag(client, sign_in) -> None:
    owner = await sign_in("owner")
    me = await _staff_id(owner.email)
    for change in ({"role": "read-only"}, {"active": False}, {"role": "owner"}):
        refused = await client.post(f"/api/v1/staff/{me}", json=change, headers=owner.headers)
        assert refused.status_code == 403, change
    with transaction():
        assert (Staff.get_by_id(me).role, Staff.get_by_id(me).active) == ("owner", True)
    assert (await client.get("/api/v1/staff", headers=owner.headers)).status_code == 200


def test_no_change_leaves_the_team_without_an_active_owner(app, make_staff, clock) -> None:
    """Two owners demoting each other (the second with a stale view of the first): one stays."""
    make_staff("owner", "ana@vendor.example")
    make_staff("owner", "bob@vendor.example")
    now = int(clock.time())
    with transaction():
        ana, bob = Staff.get(Staff.email == "ana@vendor.example"), Staff.get(
            Staff.email == "bob@vendor.example"
        )
        accounts.update(bob, {"role": "admin"}, by=ana, now=now)
    for change in ({"role": "admin"}, {"active": False}):
        with pytest.raises(Conflict, match="no active owner"), transaction():
            accounts.update(accounts.get(ana.id), change, by=bob, now=now)
    with transaction():
        owners = Staff.select().where((Staff.role == "owner") & Staff.active)
        assert [s.email for s in owners] == ["ana@vendor.example"]


async def test_ids_and_numbers_beyond_64_bits_are_a_404_or_a_400(client, sign_in, issue) -> None:
    """They used to reach sqlite3 and overflow there (a 500)."""
    admin = await sign_in("admin")
    lic = issue()
    huge = str(2**64)
    for path in (f"/api/v1/tenants/{huge}", f"/api/v1/licences/{huge}", f"/console/tenants/{huge}"):
        response = await client.get(path, headers=admin.headers)
        assert response.status_code == 404, path
    vertical = await client.post(
        f"/api/v1/tenants/{huge}/vertical", json={"vertical": "garden"}, headers=admin.headers
    )
    assert vertical.status_code == 404
    assert (await vertical.get_json())["error"]["code"] == "not_found"
    for path, field in (
        (f"/api/v1/stores?tenant_id={huge}", "tenant_id"),
        (f"/api/v1/audit?tenant_id={huge}", "tenant_id"),
        (f"/api/v1/usage/days?store_id={huge}&period=2026-01", "store_id"),
        (f"/api/v1/licences?limit={'9' * 5000}", "limit"),
    ):
        response = await client.get(path, headers=admin.headers)
        assert response.status_code == 400, path
        assert (await response.get_json())["error"]["field"] == field
    largest = str(2**63 - 1)
    in_range = await client.get(f"/api/v1/licences/{largest}", headers=admin.headers)
    assert in_range.status_code == 404  # a valid id of no licence
    plan = {"name": "huge", "features": [], "price_cents": 2**64 - 1}  # orjson reads it
    priced = await client.post("/api/v1/plans", json=plan, headers=admin.headers)
    assert priced.status_code == 400
    assert (await priced.get_json())["error"]["field"] == "price_cents"
    form = await client.post(
        f"/console/licences/{lic.id}/extend", form={"days": huge}, headers=admin.headers
    )
    assert form.status_code == 400


async def test_staff_posts_without_arguments_take_an_empty_body(client, sign_in, issue) -> None:
    admin = await sign_in("admin")
    lic = issue()
    suspended = await client.post(f"/api/v1/licences/{lic.id}/suspend", headers=admin.headers)
    assert suspended.status_code == 200 and (await suspended.get_json())["status"] == "suspended"
    assert (await client.post("/api/v1/logout", headers=admin.headers)).status_code == 200
    assert (await client.get("/api/v1/me", headers=admin.headers)).status_code == 401
    # a body that is there must still be an object, and routes that need one still say so
    bad = await client.post("/api/v1/tenants", data=b"[]", headers=admin.headers)
    assert bad.status_code == 400
    assert (await client.post("/api/v1/login")).status_code == 400
