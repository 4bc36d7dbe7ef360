"""End to end, as real processes: the cloud (``luxebrain-cloud``) and the agent
(``luxebrain-agent``). issue -> activate -> check-in -> revoke -> check-in -> the agent degrades;
the cloud goes down -> the agent keeps its paid features within the grace period."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from support.processes import free_port

BIN = Path(sys.executable).parent
FREE = ["bought_together", "popular", "trending"]


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(BIN / args[0]), *args[1:]], capture_output=True, text=True, timeout=60
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args}: exit {result.returncode}: {result.stderr}")
    return result


@pytest.fixture
def cloud_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cloud.sqlite'}"
    run("luxebrain-cloud", "migrate", "--database", url)
    run("luxebrain-cloud", "keys", "create", "--database", url)
    return url


@pytest.fixture
def cloud(cloud_db: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "luxebrain-cloud"),
            "serve",
            "--database",
            cloud_db,
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                break
        except requests.ConnectionError:
            assert time.monotonic() < deadline and process.poll() is None, "cloud did not start"
            time.sleep(0.1)
    yield url, process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


def issue(cloud_db: str, tenant: str) -> dict:
    out = run(
        "luxebrain-cloud",
        "licence",
        "issue",
        "--database",
        cloud_db,
        "--tenant",
        tenant,
        "--plan",
        "pro",
        "--stores",
        "1",
        "--days",
        "365",
        "--json",
    )
    return json.loads(out.stdout)


def agent(tmp_path: Path, name: str, cloud_url: str, key: str) -> Path:
    """An agent config pointed at the cloud, with the licence key set through the CLI."""
    folder = tmp_path / name
    folder.mkdir()
    config = folder / "agent.toml"
    config.write_text(
        f'[agent]\ndata_dir = "data"\n[woocommerce]\nstore_url = "https://{name}.example"\n'
        f'[licence]\ncloud_url = "{cloud_url}"\ncheckin_hours = 24\ngrace_days = 14\n'
    )
    run("luxebrain-agent", "licence", "set", key, "--config", str(config))
    return config


def agent_json(command: str, config: Path) -> dict:
    return json.loads(
        run("luxebrain-agent", "licence", command, "--config", str(config), "--json").stdout
    )


def test_issue_activate_checkin_revoke_degrade(tmp_path, cloud_db, cloud) -> None:
    url, _ = cloud
    licence = issue(cloud_db, "Acme")
    config = agent(tmp_path, "acme", url, licence["key"])

    state = agent_json("checkin", config)  # first check-in activates
    assert state["status"] == "active" and state["licence_id"] == licence["licence_id"]
    assert "forecasts" in state["features"] and "personalised" in state["features"]
    shown = json.loads(
        run(
            "luxebrain-cloud", "licence", "show", "--database", cloud_db, str(licence["licence_id"])
        ).stdout
    )
    assert [s["url"] for s in shown["stores"]] == ["https://acme.example"]
    assert shown["stores"][0]["last_seen_at"] is not None

    token = json.loads((config.parent / "data" / "licence.json").read_text())["token"]
    keys = tmp_path / "keys.pem"
    keys.write_text(run("luxebrain-cloud", "keys", "public", "--database", cloud_db).stdout)
    verified = run(
        "luxebrain-agent", "licence", "verify", token, "--public-key", str(keys), "--json"
    )
    assert json.loads(verified.stdout)["store_url"] == "https://acme.example"
    by_url = run(
        "luxebrain-agent",
        "licence",
        "verify",
        token,
        "--public-key",
        f"{url}/.well-known/luxebrain-keys.json",
        "--json",
    )
    assert json.loads(by_url.stdout)["licence_id"] == licence["licence_id"]

    run("luxebrain-cloud", "licence", "revoke", "--database", cloud_db, str(licence["licence_id"]))
    assert agent_json("status", config)["status"] == "active"  # until the next check-in
    state = agent_json("checkin", config)
    assert state["status"] == "revoked" and state["features"] == FREE
    assert agent_json("status", config)["features"] == FREE

    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    refused = run(
        "luxebrain-agent", "licence", "verify", tampered, "--public-key", str(keys), check=False
    )
    assert refused.returncode == 1
    assert refused.stderr.strip() == "Error: invalid token: bad signature"


def test_cloud_down_agent_keeps_features_within_grace(tmp_path, cloud_db, cloud) -> None:
    url, process = cloud
    config = agent(tmp_path, "globex", url, issue(cloud_db, "Globex")["key"])
    assert agent_json("checkin", config)["status"] == "active"

    process.terminate()
    process.wait(timeout=10)
    state = agent_json("checkin", config)
    assert state["status"] == "grace"
    assert "forecasts" in state["features"]
    assert "unreachable" in state["reason"]
    status = agent_json("status", config)
    assert status["status"] == "grace" and "forecasts" in status["features"]


def test_offline_shop_runs_on_a_token_minted_by_staff(tmp_path, cloud_db) -> None:
    licence = issue(cloud_db, "Offline Co")
    minted = json.loads(
        run(
            "luxebrain-cloud",
            "licence",
            "token",
            "--database",
            cloud_db,
            str(licence["licence_id"]),
            "--store-url",
            "https://offline.example",
            "--json",
        ).stdout
    )
    folder = tmp_path / "offline"
    folder.mkdir()
    (folder / "keys.pem").write_text(
        run("luxebrain-cloud", "keys", "public", "--database", cloud_db).stdout
    )
    config = folder / "agent.toml"
    config.write_text(
        '[agent]\ndata_dir = "data"\n[woocommerce]\nstore_url = "https://offline.example"\n'
        '[licence]\npublic_key = "keys.pem"\n'
    )
    run("luxebrain-agent", "licence", "install", minted["token"], "--config", str(config))
    state = agent_json("status", config)
    assert state["status"] == "active" and "forecasts" in state["features"]
    assert state["expires_at"] == licence["expires_at"]
