"""Several workers at once (threads with their own connections, as Hypercorn workers would be):
the store limit and the rate limit hold, because both are decided inside the database."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from cloud_api import activation, billing, licences, payments, ratelimit, usage
from cloud_api.billing import InvoiceLine
from cloud_api.db import transaction
from cloud_api.errors import RateLimited, StoreLimitReached
from cloud_api.models import Counter, Staff, Store
from cloud_api.payments import PaymentEvent
from cloud_api.signing import current_signer
from cloud_api.staff import accounts
from cloud_api.staff.totp import code_at
from tests.cloud.conftest import BACKEND, PASSWORD


def test_concurrent_activations_never_exceed_the_store_limit(app, issue, clock) -> None:
    lic = issue(stores=2)
    now = int(clock.time())

    def activate(n: int) -> str:
        body = {"store_url": f"https://shop{n}.example", "instance_id": f"inst-{n:04d}"}
        try:
            with transaction():
                licence = licences.get(lic.id)
                activation.activate(licence, body, signer=current_signer(), now=now)
            return "ok"
        except StoreLimitReached:
            return "refused"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(activate, range(12)))
    assert sorted(outcomes).count("ok") == 2
    with transaction():
        assert Store.select().where(Store.active).count() == 2


def test_concurrent_hits_are_all_counted(app, clock) -> None:
    now = int(clock.time())

    def hit(_: int) -> bool:
        try:
            with transaction():
                ratelimit.hit("agent:test", 25, 3600, now)
            return True
        except RateLimited:
            return False

    with ThreadPoolExecutor(8) as pool:
        allowed = list(pool.map(hit, range(40)))
    assert allowed.count(True) == 25
    with transaction():
        assert Counter.get_by_id("agent:test").count == 25  # refused hits roll back


def test_concurrent_activations_of_one_store_bind_one_instance(app, issue, clock) -> None:
    lic = issue(stores=3)
    now = int(clock.time())

    def activate(n: int) -> str:
        body = {"store_url": "https://same.example", "instance_id": f"inst-{n % 2:04d}"}
        try:
            with transaction():
                activation.activate(licences.get(lic.id), body, signer=current_signer(), now=now)
            return body["instance_id"]
        except activation.InstanceMismatch:
            return "mismatch"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(activate, range(10)))
    winners = {o for o in outcomes if o != "mismatch"}
    assert len(winners) == 1 and outcomes.count("mismatch") == 5
    with transaction():
        assert Store.select().count() == 1


def test_old_counters_are_pruned(app, clock) -> None:
    now = int(clock.time())
    with transaction():
        ratelimit.hit("old", 10, 60, now - 3 * 86400)
        ratelimit.hit("fresh", 10, 60, now)
        ratelimit.prune(now - 86400)
        assert [c.key for c in Counter.select()] == ["fresh"]


# ---------------------------------------------------------------- PostgreSQL only
# SQLite runs one writing transaction at a time (see cloud_api.db.transaction), so these races
# cannot happen there; on PostgreSQL the transactions below really overlap.

postgres_only = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL only")


def _at(year: int, month: int, day: int, hour: int = 3) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


@pytest.mark.postgres
@postgres_only
def test_usage_committed_while_a_close_runs_is_billed_by_the_next_close(app, issue, clock) -> None:
    lic = issue(plan="starter", trial=False, days=30)  # ends 2026-01-31 12:00
    with transaction():
        activation.activate(
            licences.get(lic.id),
            {"store_url": "https://shop.example", "instance_id": "inst-0001"},
            signer=current_signer(),
            now=int(clock.time()),
        )
        store = Store.get(Store.licence == lic.id)
    reported, release = threading.Event(), threading.Event()

    def agent_report() -> None:  # stamped 02:10:00, committed after the close at 02:10:01
        with transaction():
            usage.record(
                store, [{"day": "2026-01-31", "orders_synced": 777}], now=_at(2026, 2, 1, 2) + 600
            )
            reported.set()
            release.wait(10)

    thread = threading.Thread(target=agent_report)
    thread.start()
    assert reported.wait(10)
    with transaction():
        january = billing.close("2026-01", actor="cron", now=_at(2026, 2, 1, 2) + 601)
    release.set()
    thread.join()
    assert [ln["kind"] for ln in january["invoices"][0]["lines"]] == ["fee"]  # it saw no usage
    with transaction():
        billing.close("2026-02", actor="cron", now=_at(2026, 3, 1))
        billing.close("2026-03", actor="cron", now=_at(2026, 4, 1))
        counted = [
            (ln.kind, ln.quantity)
            for ln in InvoiceLine.select().where(
                (InvoiceLine.usage_period == "2026-01") & (InvoiceLine.metric == "orders_synced")
            )
        ]
    assert counted == [("adjustment", 777)]


def _at_once(n: int, work: Callable[[], str]) -> list[str]:
    """``work()`` in ``n`` threads released together, each in its own transaction; what each
    returned, or the name of the exception it raised (what a request would answer with a 500)."""
    barrier = threading.Barrier(n)

    def run(_: int) -> str:
        barrier.wait()
        try:
            with transaction():
                return work()
        except Exception as error:  # the outcome under test
            return type(error).__name__

    with ThreadPoolExecutor(n) as pool:
        return sorted(pool.map(run, range(n)))


@pytest.mark.postgres
@postgres_only
def test_one_payment_event_delivered_twice_at_once_is_a_duplicate(app, clock, issue) -> None:
    issue(plan="starter", tenant="T", trial=False)
    now = _at(2026, 2, 1)
    with transaction():
        (invoice,) = billing.close("2026-01", actor="t", now=now)["invoices"]
    for n in range(10):
        kind = "invoice.payment_failed" if n % 2 else "invoice.paid"
        event = {
            "id": f"evt_{n}",
            "type": kind,
            "data": {"object": {"metadata": {"luxebrain_invoice": invoice["number"]}}},
        }
        outcomes = _at_once(2, lambda e=event: payments.handle(e, now=now)["outcome"])
        assert "duplicate" in outcomes and set(outcomes) <= {"paid", "ignored", "duplicate"}
    with transaction():
        assert PaymentEvent.select().count() == 10


@pytest.mark.postgres
@postgres_only
def test_two_sign_ins_at_once_cannot_share_a_recovery_code_or_a_totp_code(
    app, make_staff, clock
) -> None:
    email, shown = make_staff("admin")

    def sign_in(code: str, now: int) -> str:
        accounts.authenticate(
            email,
            PASSWORD,
            code,
            client=f"c{threading.get_ident()}",
            now=now,
            max_failures=50,
            window=900,
        )
        return "ok"

    for code in shown["recovery_codes"]:
        now = int(clock.time())
        assert _at_once(2, lambda c=code, t=now: sign_in(c, t)) == ["Unauthorized", "ok"]
    for step in range(8):
        now = int(clock.time()) + step * 30 + 5
        code = code_at(shown["totp_secret"], now)
        assert _at_once(2, lambda c=code, t=now: sign_in(c, t)) == ["Unauthorized", "ok"]


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize("role", ["support", "admin"])  # password guesses; TOTP code guesses
async def test_parallel_sign_in_guesses_check_no_more_than_the_limit(
    app, client, make_staff, role
) -> None:  # type: ignore[no-untyped-def]
    """Counting after the slow password check let 31 parallel attempts check 20 passwords."""
    pool = ThreadPoolExecutor(app.config["DB_THREADS"])  # as many as a served app has
    asyncio.get_running_loop().set_default_executor(pool)
    email, shown = make_staff(role, f"{role}@vendor.example")
    limit = app.config["LOGIN_MAX_FAILURES"]

    async def attempt(n: int) -> int:
        if shown:  # the right password, a wrong code
            body = {"email": email, "password": PASSWORD, "code": f"not a code {n}"}
        else:
            body = {"email": email, "password": f"wrong guess number {n:02d}"}
        return (await client.post("/api/v1/login", json=body)).status_code

    statuses = await asyncio.gather(*(attempt(n) for n in range(30)))
    assert sorted(statuses) == [401] * limit + [429] * (30 - limit)
    right = {"email": email, "password": PASSWORD}
    assert (await client.post("/api/v1/login", json=right)).status_code == 429


@pytest.mark.postgres
@postgres_only
def test_two_owners_demoting_each_other_at_once_leave_one_owner(app, make_staff, clock) -> None:
    """The second demotion starts while the first is not committed yet: it must wait for it and
    then see that its target is the last owner (without the row locks both went through)."""
    make_staff("owner", "ana@vendor.example")
    make_staff("owner", "bob@vendor.example")
    now = int(clock.time())
    with transaction():
        ana = Staff.get(Staff.email == "ana@vendor.example")
        bob = Staff.get(Staff.email == "bob@vendor.example")
    first_changed = threading.Event()

    def demote(actor: Staff, target: Staff, *, first: bool) -> str:
        if not first:
            first_changed.wait(10)
        try:
            with transaction():
                accounts.update(accounts.get(target.id), {"role": "admin"}, by=actor, now=now)
                if first:
                    first_changed.set()
                    time.sleep(0.5)  # uncommitted while the other demotion runs
            return "ok"
        except Exception as error:  # the outcome under test
            return type(error).__name__

    with ThreadPoolExecutor(2) as pool:
        one = pool.submit(demote, ana, bob, first=True)
        other = pool.submit(demote, bob, ana, first=False)
        assert (one.result(), other.result()) == ("ok", "Conflict")
    with transaction():
        owners = Staff.select().where((Staff.role == "owner") & Staff.active)
        assert [s.email for s in owners] == ["ana@vendor.example"]


@pytest.mark.postgres
@postgres_only
def test_a_sign_in_that_prunes_counters_never_deadlocks_with_a_waiting_one(
    app, make_staff, clock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The first sign-in holds its client's counter while it prunes; the second holds a stale
    counter (its address) and waits for that client counter. Pruning must skip that row."""
    email, _ = make_staff("support")
    now = int(clock.time())
    stale_key = "login:email:other@vendor.example"
    with transaction():
        Counter.create(key=stale_key, window_start=now - 3 * 86400, count=1)
    verify = accounts.verify_password

    def slow_verify(password: str, stored: str) -> bool:
        time.sleep(0.3)  # the first sign-in holds its counters meanwhile
        return verify(password, stored)

    monkeypatch.setattr(accounts, "verify_password", slow_verify)

    def sign_in(address: str, delay: float) -> str:
        time.sleep(delay)
        try:
            with transaction():
                accounts.authenticate(
                    address, PASSWORD, None, client="c", now=now, max_failures=5, window=900
                )
            return "ok"
        except Exception as error:  # the outcome under test
            return type(error).__name__

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(sign_in, email, 0)
        second = pool.submit(sign_in, "other@vendor.example", 0.1)
        assert (first.result(), second.result()) == ("ok", "Unauthorized")
