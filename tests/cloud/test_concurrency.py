"""Several workers at once (threads with their own connections, as Hypercorn workers would be):
the store limit and the rate limit hold, because both are decided inside the database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from cloud_api import activation, licences, ratelimit
from cloud_api.db import transaction
from cloud_api.errors import RateLimited, StoreLimitReached
from cloud_api.models import Counter, Store
from cloud_api.signing import current_signer


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
