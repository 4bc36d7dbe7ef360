"""import-orders appends a history idempotently, and the applier learns it like any event."""

from __future__ import annotations

import gzip

from click.testing import CliRunner

from connector_agent.applier import Applier
from connector_agent.cli import cli
from connector_agent.config import load_config
from connector_agent.eventlog import EventLog
from connector_agent.store import Store

CSV = (
    "order_id,customer_id,created_at,product_id,product_name,category,quantity,unit_price,"
    "currency,status\n"
    "1,c7,2026-01-02T10:00:00Z,A,Mug,,2,1.50,GBP,completed\n"
    "1,c7,2026-01-02T10:00:00Z,B,Bowl,,1,2.00,GBP,completed\n"
    "2,c8,2026-01-03T10:00:00Z,A,Mug,,1,1.50,GBP,completed\n"
    "2,c8,2026-01-03T10:00:00Z,B,Bowl,,1,2.00,GBP,completed\n"
    "C3,c8,2026-01-04T11:00:00Z,B,Bowl,,-1,2.00,GBP,cancelled\n"
)


def test_import_is_idempotent_and_learned(tmp_path, config_path):
    orders = tmp_path / "orders.csv.gz"
    with gzip.open(orders, "wt") as fh:
        fh.write(CSV)
    runner = CliRunner()
    first = runner.invoke(cli, ["import-orders", "--config", str(config_path), str(orders)])
    assert first.exit_code == 0, first.output
    assert "5 events read, 5 new, 0 known" in first.output
    again = runner.invoke(cli, ["import-orders", "--config", str(config_path), str(orders)])
    assert again.exit_code == 0 and "5 events read, 0 new, 5 known" in again.output

    config = load_config(config_path, environ={})
    store = Store.open(config.database_path)
    assert EventLog(store).last_seq() == 5
    applier = Applier(store, config)
    applier.load()
    assert applier.apply_pending() == 5
    brain = applier.brain
    assert [r.product_id for r in brain.recommend_for_product("A")][:1] == ["B"]
    assert brain.product("A")["name"] == "Mug"
    assert brain.segment_of("c8") is not None
    store.close()


def test_bad_file_is_one_line_error(tmp_path, config_path):
    orders = tmp_path / "orders.csv.gz"
    with gzip.open(orders, "wt") as fh:
        fh.write("order_id,quantity\n1,2\n")
    result = CliRunner().invoke(cli, ["import-orders", "--config", str(config_path), str(orders)])
    assert result.exit_code == 1
    assert "missing columns" in result.output
