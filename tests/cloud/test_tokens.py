"""Licence tokens minted by the cloud, verified offline by the agent's verifier."""

from __future__ import annotations

import base64

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud_api import signing
from cloud_api.db import transaction
from cloud_api.tokens import key_id as cloud_key_id
from cloud_api.tokens import mint
from connector_agent.licence.token import (
    TokenInvalid,
    key_id,
    parse_public_keys,
    verify,
)

NOW = 1_800_000_000


def claims(**extra: object) -> dict[str, object]:
    return {"licence_id": 7, "plan": "pro", "features": ["forecasts"], "iat": NOW,
            "exp": NOW + 3600, "store_url": "https://shop.example", **extra}


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def keys_of(*private: Ed25519PrivateKey) -> dict:
    return {key_id(k.public_key()): k.public_key() for k in private}


def test_valid_token_gives_its_claims(key: Ed25519PrivateKey) -> None:
    token = mint(claims(), key)
    got = verify(token, keys_of(key), now=NOW + 10, store_url="HTTPS://Shop.Example/")
    assert got["licence_id"] == 7
    assert got["features"] == ["forecasts"]
    assert got["kid"] == cloud_key_id(key.public_key()) == key_id(key.public_key())


def test_expired_token_is_refused_unless_the_caller_allows_it(key: Ed25519PrivateKey) -> None:
    token = mint(claims(), key)
    with pytest.raises(TokenInvalid, match="expired on 2027-01-15T09:00:00Z"):
        verify(token, keys_of(key), now=NOW + 3600)
    assert verify(token, keys_of(key), now=NOW + 7200, allow_expired=True)["exp"] == NOW + 3600


def test_token_from_another_key_is_refused(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    with pytest.raises(TokenInvalid, match="unknown key"):
        verify(mint(claims(), other), keys_of(key), now=NOW)


def test_signature_from_another_key_under_our_kid_is_refused(key: Ed25519PrivateKey) -> None:
    forged_head = mint(claims(), key).split(".")[0]
    forged_sig = mint(claims(), Ed25519PrivateKey.generate()).split(".")[1]
    with pytest.raises(TokenInvalid, match="bad signature"):
        verify(f"{forged_head}.{forged_sig}", keys_of(key), now=NOW)


def test_tampered_payload_is_refused(key: Ed25519PrivateKey) -> None:
    head, sig = mint(claims(), key).split(".")
    payload = orjson.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    payload["features"] = ["forecasts", "pricing", "segments"]
    tampered = base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=").decode()
    with pytest.raises(TokenInvalid, match="bad signature"):
        verify(f"{tampered}.{sig}", keys_of(key), now=NOW)


def test_token_for_another_store_is_refused(key: Ed25519PrivateKey) -> None:
    with pytest.raises(TokenInvalid, match="issued for https://shop.example, not https://other"):
        verify(mint(claims(), key), keys_of(key), now=NOW, store_url="https://other")


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "!!!.???", "e30.AAAA"])
def test_garbage_is_refused_with_a_reason(key: Ed25519PrivateKey, garbage: str) -> None:
    with pytest.raises(TokenInvalid):
        verify(garbage, keys_of(key), now=NOW)


def test_rotated_key_old_tokens_verify_until_they_expire_new_tokens_use_new_key(
    app, clock
) -> None:
    now = int(clock.time())
    with transaction():
        old_signer = signing.current_signer()
        old_token = mint(claims(exp=now + 3600), old_signer)
        signing.rotate(now)
        new_signer = signing.current_signer()
        published = "".join(k.pem for k in signing.public_keys())
    keys = parse_public_keys(published)
    assert len(keys) == 2
    assert cloud_key_id(new_signer.public_key()) != cloud_key_id(old_signer.public_key())
    assert verify(old_token, keys, now=now)["licence_id"] == 7
    assert verify(mint(claims(exp=now + 3600), new_signer), keys, now=now)["licence_id"] == 7
    with pytest.raises(TokenInvalid, match="expired"):
        verify(old_token, keys, now=now + 3600)


def test_dropped_key_stops_verifying(app, clock) -> None:
    now = int(clock.time())
    with transaction():
        old = signing.current_signer()
        token = mint(claims(exp=now + 3600), old)
        signing.rotate(now)
        signing.drop(cloud_key_id(old.public_key()))
        keys = parse_public_keys("".join(k.pem for k in signing.public_keys()))
    with pytest.raises(TokenInvalid, match="unknown key"):
        verify(token, keys, now=now)


def test_encrypted_private_key_needs_the_passphrase(app, clock) -> None:
    from cloud_api.errors import NoSigningKey

    with transaction():
        signing.rotate(int(clock.time()), "s3cret")
        assert signing.current_signer("s3cret") is not None
        with pytest.raises(NoSigningKey, match="cannot be decrypted"):
            signing.current_signer("wrong")
