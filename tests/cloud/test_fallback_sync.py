"""The agent's cloud round when the cloud is missing or unreachable, and the saved fallback list."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import orjson

from connector_agent.cloud import job
from connector_agent.cloud.sync import STATE_FILE, CloudSync, saved_fallback
from connector_agent.config import load_config, update_secrets
from connector_agent.licence import LicenceState
from connector_agent.store import Store


def test_an_unreachable_cloud_is_reported_per_step_and_nothing_is_saved(
    config_path: Path,
    frozen_clock,  # type: ignore[no-untyped-def]
) -> None:
    update_secrets(config_path, licence_key="lbk_" + "x" * 32)
    config = load_config(
        config_path, environ={"LUXEBRAIN_LICENCE__CLOUD_URL": "http://127.0.0.1:9"}
    )
    store = Store.open(config.database_path, clock=frozen_clock)
    try:
        licence = SimpleNamespace(features=frozenset({"cloud_fallback"}))
        result = CloudSync(config, store, frozen_clock).run(licence)  # type: ignore[arg-type]
    finally:
        store.close()
    assert set(result) == {"usage", "aggregates", "fallback"}
    assert all("ConnectionError" in answer["error"] for answer in result.values())
    assert not (config.data_dir / STATE_FILE).exists()


def test_without_a_cloud_url_the_round_says_so(config_path: Path, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    config = load_config(config_path, environ={})
    store = Store.open(config.database_path, clock=frozen_clock)
    try:
        result = CloudSync(config, store, frozen_clock).run(LicenceState.load(config, frozen_clock))
    finally:
        store.close()
    assert result == {
        "usage": {"error": "no licence.cloud_url, licence key or store URL"},
        "aggregates": {"error": "no licence.cloud_url, licence key or store URL"},
    }  # a free licence does not fetch the list


def test_the_saved_list_reaches_the_brain_at_start(config_path: Path) -> None:
    config = load_config(config_path, environ={})
    config.data_dir.mkdir(parents=True, exist_ok=True)
    saved = {"fallback": [["p1", "popular in 4 similar shops (LuxeBrain cloud)"]]}
    (config.data_dir / STATE_FILE).write_bytes(orjson.dumps(saved))
    given = []
    agent = SimpleNamespace(config=config, scheduler=None, set_fallback=given.append)
    job.install(agent)  # type: ignore[arg-type]
    assert given == [[("p1", "popular in 4 similar shops (LuxeBrain cloud)")]]
    assert saved_fallback(config) == given[0]


def test_before_any_check_in_every_cloud_round_names_the_same_instance(
    config_path: Path,
) -> None:
    """The id was made afresh for every round and never saved, so the cloud saw a new
    installation each time until the first licence check-in wrote one."""
    from connector_agent.cloud.sync import _identity
    from connector_agent.licence.state import read_record

    update_secrets(config_path, licence_key="lbk_" + "x" * 32)
    config = load_config(config_path, environ={"LUXEBRAIN_LICENCE__CLOUD_URL": "http://127.0.0.1:9"})
    first, second = _identity(config)[2], _identity(config)[2]
    assert first["instance_id"] == second["instance_id"]
    assert read_record(config)["instance_id"] == first["instance_id"]
