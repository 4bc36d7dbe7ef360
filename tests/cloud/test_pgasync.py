"""The non-blocking PostgreSQL pool behind check-ins: statements prepared once per connection,
a failed statement drops its connection and the pool carries on."""

from __future__ import annotations

import asyncio
import os

import psycopg2
import pytest

from cloud_api.pgasync import AsyncPool

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        os.environ.get("LUXEBRAIN_TEST_DATABASE") != "postgresql", reason="PostgreSQL only"
    ),
]


async def test_prepared_once_and_survives_a_failed_statement(database_url: str) -> None:
    pool = AsyncPool(database_url, size=2)
    try:
        assert await pool.fetchone("lb_t_add", "SELECT {}::int + {}::int", (2, 3)) == (5,)
        assert await pool.fetchone("lb_t_add", "SELECT {}::int + {}::int", (4, 5)) == (9,)
        with pytest.raises(psycopg2.Error):
            await pool.fetchone("lb_t_div", "SELECT 1 / {}::int", (0,))
        rows = await asyncio.gather(
            *(pool.fetchone("lb_t_add", "SELECT {}::int + {}::int", (n, n)) for n in range(6))
        )
        assert rows == [(2 * n,) for n in range(6)]
        assert pool._opened <= 2
        setting = await pool.fetchone(
            "lb_t_sync", "SELECT current_setting({})", ("synchronous_commit",)
        )
        assert setting == ("off",)
    finally:
        pool.close()
