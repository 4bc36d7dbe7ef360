"""Console pages of part 2: invoices and the close, usage, the fallback lists."""

from __future__ import annotations

from datetime import UTC, datetime

from support.cloud import SHOP


async def test_invoices_usage_and_fallback_pages(client, issue, sign_in, clock) -> None:
    lic = issue(plan="starter", trial=False)
    agent = {"Authorization": f"Bearer {lic.key}"}
    await client.post("/v1/agent/activate", json=SHOP, headers=agent)
    usage = {**SHOP, "usage": [{"day": "2026-01-01", "orders_synced": 1234}]}
    await client.post("/v1/agent/usage", json=usage, headers=agent)
    clock.advance(datetime(2026, 2, 1, 1, tzinfo=UTC).timestamp() - clock.time())
    admin = await sign_in("admin")

    page = await client.get("/console/usage?period=2026-01", headers=admin.headers)
    assert page.status_code == 200
    assert "https://shop.example" in (html := (await page.get_data()).decode())
    assert "<td>1234</td>" in html

    closed = await client.post(
        "/console/billing/close", form={"period": "2026-01"}, headers=admin.headers
    )
    assert (closed.status_code, closed.headers["Location"]) == (
        302,
        "/console/billing?period=2026-01",
    )
    page = await client.get("/console/billing?period=2026-01", headers=admin.headers)
    html = (await page.get_data()).decode()
    assert "LB-2026-01-" in html and "31.34 EUR" in html  # 29.00 fee + 2.34 overage
    assert "orders_synced: 1234 / 1000" in html

    bad = await client.post("/console/billing/close", form={"period": "x"}, headers=admin.headers)
    assert bad.status_code == 400 and "YYYY-MM" in (await bad.get_data()).decode()

    page = await client.get("/console/fallbacks", headers=admin.headers)
    assert "Nothing published for this vertical." in (await page.get_data()).decode()
    published = await client.post(
        "/console/fallbacks/publish", form={"k": "3"}, headers=admin.headers
    )
    assert published.status_code == 302

    reader = await sign_in("read-only")
    refused = await client.post(
        "/console/billing/close", form={"period": "2026-01"}, headers=reader.headers
    )
    assert refused.status_code == 403
