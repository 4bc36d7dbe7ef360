"""Console pages for staff accounts: owners invite, change roles, deactivate and reset
(``/console/staff``, permission ``staff.manage``); the invited or reset person sets a password
on an open page reached by the one-time link (``/console/welcome``, ``/console/reset``).

Every operation is the staff JSON API's (``cloud_api.staff.accounts``), so both write the same
audit entries. A one-time link is shown once, to the owner who made it, to hand over out of band.
"""

from __future__ import annotations

from typing import Any

from quart import Response, current_app, render_template, request, url_for

from cloud_api.api.access import Ctx
from cloud_api.api.console import Page, Redirect, console_route
from cloud_api.api.console import bp as console_bp  # not `bp`: blueprints() would register it twice
from cloud_api.db import in_db
from cloud_api.errors import InvalidInput
from cloud_api.models import Staff
from cloud_api.staff import accounts, sessions
from cloud_api.staff.roles import ROLES
from cloud_api.times import now_s

#: the open page of each one-time token's purpose
PAGES = {"invite": "console.welcome_form", "reset": "console.reset_form"}


#: what the page says after a change (the ``done`` argument names one; other text shows nothing)
NOTICES = {"updated": "account updated"}


def _page(ctx: Ctx, **shown: Any) -> Page:
    staff = [accounts.staff_json(s) for s in Staff.select().order_by(Staff.email)]
    done = NOTICES.get(ctx.args.get("done", ""))
    context = {"staff": staff, "roles": ROLES, "done": done, "link": None}
    return Page("staff.html", {**context, **shown})


def _link(ctx: Ctx, staff: Staff, purpose: str, *, two_factor: bool = False) -> dict[str, Any]:
    token = sessions.one_time_token(
        staff,
        purpose,
        secret=sessions.app_secret(ctx.settings["SECRET_KEY"]),
        two_factor=two_factor,
    )
    return {
        "purpose": purpose,
        "email": staff.email,
        "two_factor": two_factor,
        "url": url_for(PAGES[purpose], token=token, _external=True),
    }


@console_route("/staff", "staff.manage")
def staff_list(ctx: Ctx) -> Page:
    return _page(ctx)


@console_route("/staff", "staff.manage", methods=("POST",))
def staff_invite(ctx: Ctx) -> Page:
    staff = accounts.invite(
        ctx.body.get("email", "").strip(), ctx.body.get("role"), actor=ctx.actor, now=ctx.now
    )
    return _page(ctx, link=_link(ctx, staff, "invite"))


@console_route("/staff/<int:staff_id>", "staff.manage", methods=("POST",))
def staff_update(ctx: Ctx, staff_id: int) -> Redirect:
    """A form sends ``role``, or ``active`` as ``yes``/``no``."""
    change: dict[str, Any] = {}
    if "role" in ctx.body:
        change["role"] = ctx.body["role"]
    if "active" in ctx.body:
        if ctx.body["active"] not in ("yes", "no"):
            raise InvalidInput("active must be yes or no", field="active")
        change["active"] = ctx.body["active"] == "yes"
    if not change:
        raise InvalidInput("nothing to change: send role or active", field="role")
    accounts.update(accounts.get(staff_id), change, by=ctx.staff, now=ctx.now)
    return Redirect("console.staff_list", {"done": "updated"})


@console_route("/staff/<int:staff_id>/reset", "staff.manage", methods=("POST",))
def staff_reset(ctx: Ctx, staff_id: int) -> Page:
    """A form may send ``two_factor=on``: the reset then enrols TOTP (needed before promoting
    a support or read-only account to admin or owner)."""
    staff = accounts.get(staff_id)
    two_factor = ctx.body.get("two_factor") == "on"
    accounts.reset_requested(staff, actor=ctx.actor, now=ctx.now, two_factor=two_factor)
    return _page(ctx, link=_link(ctx, staff, "reset", two_factor=two_factor))


# ---------------------------------------------------------------- the one-time links' pages


async def _password_form(
    purpose: str, token: str, *, error: str | None = None, status: int = 200
) -> Response:
    html = await render_template(
        "password.html", purpose=purpose, token=token, error=error, done=None, me=None
    )
    return Response(html, status=status, content_type="text/html")


async def _set_password(purpose: str) -> Response:
    form = (await request.form).to_dict()
    settings = dict(current_app.config)

    def run() -> tuple[dict[str, Any], dict[str, Any]]:
        staff, shown = accounts.redeem(
            form.get("token", ""),
            purpose,
            form.get("password"),
            secret=sessions.app_secret(settings["SECRET_KEY"]),
            max_age=settings["ONE_TIME_TOKEN_SECONDS"],
            now=now_s(settings["CLOCK"]),
        )
        return accounts.staff_json(staff), shown

    try:
        staff, shown = await in_db(run)
    except InvalidInput as exc:  # a weak password or a spent link: say so on the same form
        return await _password_form(purpose, form.get("token", ""), error=exc.message, status=400)
    html = await render_template(
        "password.html", purpose=purpose, token="", error=None, done=staff, shown=shown, me=None
    )
    return Response(html, content_type="text/html")


@console_bp.get("/welcome")
async def welcome_form() -> Response:
    return await _password_form("invite", request.args.get("token", ""))


@console_bp.post("/welcome")
async def welcome() -> Response:
    return await _set_password("invite")


@console_bp.get("/reset")
async def reset_form() -> Response:
    return await _password_form("reset", request.args.get("token", ""))


@console_bp.post("/reset")
async def reset() -> Response:
    return await _set_password("reset")
