"""The agent side of licences: offline state decisions, check-in outcomes, the CLI commands."""

from __future__ import annotations

import json
import os
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connector_agent.cli import cli
from connector_agent.config import load_config, update_secrets
from connector_agent.licence import (
    FREE_FEATURES,
    LicenceState,
    checkin,
    cloud,
    install_token,
    renewal,
)
from connector_agent.licence.state import read_record, write_record
from luxebrain.clock import FrozenClock
from luxebrain.tokens import encode

DAY = 86400
START = datetime(2026, 3, 1, tzinfo=UTC)
T0 = int(START.timestamp())
SHOP = "https://shop.example"


@pytest.fixture
def signer() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def config_path(tmp_path: Path, signer: Ed25519PrivateKey) -> Path:
    pem = signer.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "keys.pem").write_bytes(pem)
    path = tmp_path / "agent.toml"
    path.write_text(
        '[agent]\ndata_dir = "data"\n[woocommerce]\nstore_url = "https://shop.example"\n'
        '[licence]\ncloud_url = "http://cloud.invalid"\npublic_key = "keys.pem"\n'
        "grace_days = 14\n"
    )
    return path


def config(path: Path):  # type: ignore[no-untyped-def]
    return load_config(path, environ={})


def token(signer: Ed25519PrivateKey, **extra: object) -> str:
    claims = {
        "licence_id": 3,
        "plan": "pro",
        "features": ["forecasts", "personalised"],
        "store_url": SHOP,
        "iat": T0,
        "exp": T0 + 30 * DAY,
        "trial_end": None,
        **extra,
    }
    return encode(claims, signer)


def store_token(path: Path, value: str, **record: object) -> None:
    write_record(config(path), {"token": value, "instance_id": "inst-0001", **record})


def test_no_token_is_the_free_feature_set(config_path: Path, clock: FrozenClock) -> None:
    state = LicenceState.load(config(config_path), clock)
    assert state.status == "free"
    assert state.features == FREE_FEATURES == {"popular", "trending", "bought_together"}
    assert state.to_json()["features"] == ["bought_together", "popular", "trending"]


def test_valid_token_unlocks_its_paid_features(config_path, clock, signer) -> None:
    store_token(config_path, token(signer))
    state = LicenceState.load(config(config_path), clock)
    assert state.status == "active"
    assert state.features == FREE_FEATURES | {"forecasts", "personalised"}
    assert state.trial_days_left is None
    assert state.to_json()["expires_at"] == "2026-03-31T00:00:00Z"


def test_trial_shows_days_left_then_falls_back_to_free(config_path, clock, signer) -> None:
    store_token(config_path, token(signer, trial_end=T0 + 14 * DAY))
    state = LicenceState.load(config(config_path), clock)
    assert (state.status, state.trial_days_left) == ("trial", 14)
    clock.advance(13.5 * DAY)
    assert LicenceState.load(config(config_path), clock).trial_days_left == 1
    clock.advance(DAY)
    state = LicenceState.load(config(config_path), clock)
    assert state.status == "expired" and state.features == FREE_FEATURES


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda s: token(s, store_url="https://other.example"), "issued for https://other"),
        (lambda s: token(Ed25519PrivateKey.generate()), "unknown key"),
        (lambda s: token(s)[:-6] + "AAAAAA", "bad signature"),
        (lambda s: "not-a-token", "malformed"),
    ],
)
def test_untrusted_tokens_degrade_to_free_with_a_reason(
    config_path, clock, signer, make, reason
) -> None:
    store_token(config_path, make(signer))
    state = LicenceState.load(config(config_path), clock)
    assert state.status == "free" and state.features == FREE_FEATURES
    assert reason in state.reason


def test_expired_token_is_expired(config_path, clock, signer) -> None:
    store_token(config_path, token(signer))
    clock.advance(30 * DAY)
    state = LicenceState.load(config(config_path), clock)
    assert state.status == "expired" and state.features == FREE_FEATURES


@pytest.fixture
def fake_cloud(monkeypatch, signer):  # type: ignore[no-untyped-def]
    """Replace the HTTP calls: ``answers[action]`` is a dict, or an exception to raise."""
    calls: list[tuple[str, dict]] = []
    answers: dict[str, object] = {}

    def call(cloud_url: str, action: str, key: str, body: dict) -> dict:
        calls.append((action, body))
        answer = answers[action]
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]

    monkeypatch.setattr(cloud, "call", call)
    monkeypatch.setattr(renewal, "refresh_public_keys", lambda config: None)
    return calls, answers


def test_checkin_activates_when_needed_and_stores_the_token_0600(
    config_path, clock, signer, fake_cloud
) -> None:
    calls, answers = fake_cloud
    update_secrets(config_path, licence_key="lbk_" + "k" * 32)
    answers["checkin"] = cloud.Refused("store_not_activated", "activate first")
    answers["activate"] = {"token": token(signer), "expires_at": "…", "status": "active"}
    state = checkin(config(config_path), clock)
    assert state.status == "active"
    assert [a for a, _ in calls] == ["checkin", "activate"]
    assert calls[0][1]["store_url"] == SHOP and len(calls[0][1]["instance_id"]) == 32
    path = Path(config(config_path).data_dir) / "licence.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_record(config(config_path))["last_checkin_at"] == T0


def test_revocation_at_checkin_degrades_to_free(config_path, clock, signer, fake_cloud) -> None:
    _, answers = fake_cloud
    update_secrets(config_path, licence_key="lbk_" + "k" * 32)
    store_token(config_path, token(signer))
    answers["checkin"] = cloud.Refused("licence_revoked", "licence 3 was revoked")
    state = checkin(config(config_path), clock)
    assert state.status == "revoked" and state.features == FREE_FEATURES
    assert "revoked" in state.reason
    assert LicenceState.load(config(config_path), clock).status == "revoked"


def test_unreachable_cloud_keeps_features_for_the_grace_period(
    config_path, clock, signer, fake_cloud
) -> None:
    _, answers = fake_cloud
    update_secrets(config_path, licence_key="lbk_" + "k" * 32)
    store_token(config_path, token(signer, exp=T0 + DAY))
    answers["checkin"] = cloud.Unreachable("connection refused")
    state = checkin(config(config_path), clock)
    assert state.status == "grace" and "forecasts" in state.features
    assert state.to_json()["grace_until"] == "2026-03-15T00:00:00Z"
    clock.advance(10 * DAY)  # token expired, still within 14 days of the first failure
    state = checkin(config(config_path), clock)
    assert state.status == "grace" and "forecasts" in state.features
    clock.advance(4 * DAY)
    state = checkin(config(config_path), clock)
    assert state.status == "expired" and state.features == FREE_FEATURES


def test_a_successful_checkin_ends_the_grace_period(config_path, clock, signer, fake_cloud) -> None:
    _, answers = fake_cloud
    update_secrets(config_path, licence_key="lbk_" + "k" * 32)
    store_token(config_path, token(signer), unreachable_since=T0 - DAY)
    answers["checkin"] = {"token": token(signer), "expires_at": "…", "status": "active"}
    assert checkin(config(config_path), clock).status == "active"


def test_a_token_that_does_not_verify_is_not_stored(config_path, clock, signer, fake_cloud) -> None:
    _, answers = fake_cloud
    update_secrets(config_path, licence_key="lbk_" + "k" * 32)
    answers["checkin"] = {"token": token(Ed25519PrivateKey.generate())}
    state = checkin(config(config_path), clock)
    assert state.status == "free" and "rejected" in read_record(config(config_path))["reason"]


def test_checkin_without_a_key_is_skipped(config_path, clock, fake_cloud) -> None:
    calls, _ = fake_cloud
    state = checkin(config(config_path), clock)
    assert calls == [] and state.status == "free"
    assert "no licence key" in read_record(config(config_path))["reason"]


def test_cli_set_verify_status(config_path, signer, tmp_path) -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["licence", "set", "nope", "--config", str(config_path)])
    assert bad.exit_code == 2
    good = runner.invoke(cli, ["licence", "set", "lbk_" + "x" * 32, "--config", str(config_path)])
    assert good.exit_code == 0, good.output
    assert config(config_path).secrets.licence_key == "lbk_" + "x" * 32

    pem = str(tmp_path / "keys.pem")
    live = encode(
        {"licence_id": 3, "plan": "pro", "features": [], "store_url": SHOP, "exp": 4_000_000_000},
        signer,
    )
    ok = runner.invoke(cli, ["licence", "verify", live, "--public-key", pem, "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["licence_id"] == 3
    expired = token(signer, exp=1_000)
    refused = runner.invoke(cli, ["licence", "verify", expired, "--public-key", pem, "--json"])
    assert refused.exit_code == 1
    assert refused.output == "Error: invalid token: expired on 1970-01-01T00:16:40Z\n"

    status = runner.invoke(cli, ["licence", "status", "--config", str(config_path), "--json"])
    assert status.exit_code == 0 and json.loads(status.stdout)["status"] == "free"


def test_install_offline_token(config_path, signer, clock) -> None:
    runner = CliRunner()
    offline = token(signer, instance_id="", exp=4_000_000_000)  # the CLI uses wall time
    other_store = token(signer, store_url="https://other.example", exp=4_000_000_000)
    refused = runner.invoke(cli, ["licence", "install", other_store, "--config", str(config_path)])
    assert refused.exit_code == 1 and "issued for https://other.example" in refused.output
    assert LicenceState.load(config(config_path), clock).status == "free"
    ok = runner.invoke(cli, ["licence", "install", offline, "--config", str(config_path)])
    assert ok.exit_code == 0, ok.output
    state = LicenceState.load(config(config_path), clock)
    assert state.status == "active" and "forecasts" in state.features


def test_a_token_expired_before_the_cloud_went_away_gets_no_grace(
    config_path, clock, signer, fake_cloud
) -> None:
    # the agent was switched off for weeks: its token expired long before this first check-in
    _, answers = fake_cloud
    update_secrets(config_path, licence_key="lbk_" + "k" * 32)
    store_token(config_path, token(signer, iat=T0 - 90 * DAY, exp=T0 - 60 * DAY,
                                   licence_exp=T0 - 60 * DAY))
    answers["checkin"] = cloud.Unreachable("connection refused")
    state = checkin(config(config_path), clock)
    assert state.status == "expired" and state.features == FREE_FEATURES
    assert state.grace_until is None
    assert LicenceState.load(config(config_path), clock).status == "expired"


def test_grace_never_outlasts_the_licence(config_path, clock, signer, fake_cloud) -> None:
    _, answers = fake_cloud
    update_secrets(config_path, licence_key="lbk_" + "k" * 32)
    store_token(config_path, token(signer, exp=T0 + DAY, licence_exp=T0 + 3 * DAY))
    answers["checkin"] = cloud.Unreachable("connection refused")
    state = checkin(config(config_path), clock)
    assert state.status == "grace" and state.to_json()["grace_until"] == "2026-03-04T00:00:00Z"
    clock.advance(3 * DAY)
    assert checkin(config(config_path), clock).status == "expired"


def test_an_install_during_a_checkin_is_not_lost(config_path, clock, signer, monkeypatch) -> None:
    """The check-in read the record before the install and writes it after: both must count."""
    update_secrets(config_path, licence_key="lbk_" + "k" * 32)
    in_call, release = threading.Event(), threading.Event()

    def slow_unreachable_cloud(cloud_url: str, action: str, key: str, body: dict) -> dict:
        in_call.set()
        release.wait(10)
        raise cloud.Unreachable("timed out")

    monkeypatch.setattr(cloud, "call", slow_unreachable_cloud)
    monkeypatch.setattr(renewal, "refresh_public_keys", lambda config: None)
    offline = token(signer, exp=T0 + 365 * DAY)
    checking = threading.Thread(target=checkin, args=(config(config_path), clock))
    checking.start()
    assert in_call.wait(10)
    installing = threading.Thread(
        target=install_token, args=(config(config_path), offline, clock)
    )
    installing.start()
    installing.join(0.3)  # with the lock it waits for the check-in; without, it is done now
    release.set()
    checking.join(10)
    installing.join(10)
    assert read_record(config(config_path))["token"] == offline
    assert LicenceState.load(config(config_path), clock).status == "active"
