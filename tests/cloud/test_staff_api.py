"""Staff accounts and the JSON API: sign-in with two factors, throttling, operations, audit."""

from __future__ import annotations

import pytest

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
