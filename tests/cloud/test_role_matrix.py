"""Every route × every role, anonymous, and a licence key: allowed or refused as the roles say.

Staff routes declare one permission (``ROUTE_PERMISSIONS``); this test walks the app's URL map,
so a new staff route without a declared permission fails here.
"""

from __future__ import annotations

import pytest
from support.cloud import SHOP

from cloud_api.api.access import ROUTE_PERMISSIONS
from cloud_api.staff.roles import GRANTS, ROLES, can

PUBLIC = {
    "staff_api.login",
    "staff_api.accept_invite",
    "staff_api.reset_password",
    "console.login_form",
    "console.login",
    "console.welcome_form",
    "console.welcome",
    "console.reset_form",
    "console.reset",
}
STAFF_PREFIXES = ("/api/v1", "/console")


def test_permission_table_follows_the_issue() -> None:
    assert GRANTS["owner"] - GRANTS["admin"] == {"staff.manage"}
    assert GRANTS["support"] == {"read", "licence.extend", "licence.suspend", "licence.reactivate"}
    assert GRANTS["read-only"] == {"read"}
    for role in ("support", "read-only"):
        assert not can(role, "licence.revoke") and not can(role, "licence.change_plan")
        assert not can(role, "plan.manage") and not can(role, "licence.issue")


def staff_rules(app):  # type: ignore[no-untyped-def]
    rules = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(STAFF_PREFIXES) or rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            rules.append((rule, method))
    # sessions end last, so the other calls still have one
    return sorted(rules, key=lambda r: (r[0].endpoint.endswith("logout"), r[0].rule, r[1]))


def test_every_staff_route_declares_a_permission(app) -> None:
    missing = [r.endpoint for r, _ in staff_rules(app) if r.endpoint not in ROUTE_PERMISSIONS]
    assert missing == []


@pytest.fixture
async def world(app, client, sign_in, issue):  # type: ignore[no-untyped-def]
    lic = issue(tenant="Acme")
    other = issue(tenant="Globex")
    principals = {role: await sign_in(role) for role in ROLES}
    me = await (await client.get("/api/v1/me", headers=principals["support"].headers)).get_json()
    return {"licence_id": lic.id, "tenant_id": 1, "staff_id": me["id"]}, principals, other


@pytest.mark.parametrize("who", [*ROLES, "anonymous", "licence-key"])
async def test_role_route_matrix(app, client, world, sign_in, who) -> None:
    values, principals, other = world
    if who in ROLES:
        headers = principals[who].headers
    elif who == "licence-key":
        headers = {"Authorization": f"Bearer {other.key}"}
    else:
        headers = {}
    seen = []
    for rule, method in staff_rules(app):
        url = rule.build(values, append_unknown=False)[1]
        if rule.endpoint.endswith("logout") and who in ROLES:  # each logout gets its own session
            fresh = await sign_in(who, f"{who}-{rule.endpoint}@vendor.example")
            headers = fresh.headers
        if method == "GET":
            response = await client.get(url, headers=headers)
        elif rule.rule.startswith("/console"):
            response = await client.post(url, headers=headers, form={})
        else:
            response = await client.post(url, headers=headers, json={})
        status = response.status_code
        permission = ROUTE_PERMISSIONS[rule.endpoint]
        if who in ("anonymous", "licence-key") and method == "GET" and rule.rule.startswith(
            "/console"
        ):  # a console page sends whoever is not signed in to the sign-in page
            expected_ok = status == 302 and response.headers["Location"] == "/console/login"
        elif who in ("anonymous", "licence-key"):
            expected_ok = status == 401
        elif can(who, permission):
            expected_ok = status not in (401, 403, 500)
        else:
            expected_ok = status == 403
        seen.append((method, rule.rule, permission, status, expected_ok))
    wrong = [s for s in seen if not s[-1]]
    assert wrong == [], wrong
    assert len(seen) >= 35


async def test_staff_tokens_cannot_use_agent_endpoints(client, sign_in) -> None:
    owner = await sign_in("owner")
    for action in ("activate", "checkin", "deactivate"):
        response = await client.post(f"/v1/agent/{action}", json=SHOP, headers=owner.headers)
        assert response.status_code == 401
