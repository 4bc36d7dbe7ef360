"""Licence tokens: the one format (``luxebrain.tokens``) and the agent's offline verification."""

from __future__ import annotations

import base64
import doctest
import hashlib

import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud_api import signing
from cloud_api.db import transaction
from connector_agent.licence.token import verify
from luxebrain import tokens
from luxebrain.tokens import TokenInvalid, encode, key_id, parse_public_keys

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
    token = encode(claims(), key)
    got = verify(token, keys_of(key), now=NOW + 10, store_url="HTTPS://Shop.Example/")
    assert got["licence_id"] == 7
    assert got["features"] == ["forecasts"]
    assert got["typ"] == "luxebrain-licence/1" and got["kid"] == key_id(key.public_key())


def test_expired_token_is_refused_unless_the_caller_allows_it(key: Ed25519PrivateKey) -> None:
    token = encode(claims(), key)
    with pytest.raises(TokenInvalid, match="expired on 2027-01-15T09:00:00Z"):
        verify(token, keys_of(key), now=NOW + 3600)
    assert verify(token, keys_of(key), now=NOW + 7200, allow_expired=True)["exp"] == NOW + 3600


def test_token_from_another_key_is_refused(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    with pytest.raises(TokenInvalid, match="unknown key"):
        verify(encode(claims(), other), keys_of(key), now=NOW)


def test_signature_from_another_key_under_our_kid_is_refused(key: Ed25519PrivateKey) -> None:
    forged_head = encode(claims(), key).split(".")[0]
    forged_sig = encode(claims(), Ed25519PrivateKey.generate()).split(".")[1]
    with pytest.raises(TokenInvalid, match="bad signature"):
        verify(f"{forged_head}.{forged_sig}", keys_of(key), now=NOW)


def test_tampered_payload_is_refused(key: Ed25519PrivateKey) -> None:
    head, sig = encode(claims(), key).split(".")
    payload = orjson.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    payload["features"] = ["forecasts", "pricing", "segments"]
    tampered = base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=").decode()
    with pytest.raises(TokenInvalid, match="bad signature"):
        verify(f"{tampered}.{sig}", keys_of(key), now=NOW)


def test_token_for_another_store_is_refused(key: Ed25519PrivateKey) -> None:
    with pytest.raises(TokenInvalid, match="issued for https://shop.example, not https://other"):
        verify(encode(claims(), key), keys_of(key), now=NOW, store_url="https://other")


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
        old_token = encode(claims(exp=now + 3600), old_signer)
        signing.rotate(now)
        new_signer = signing.current_signer()
        published = "".join(k.pem for k in signing.public_keys())
    keys = parse_public_keys(published)
    assert len(keys) == 2
    assert key_id(new_signer.public_key()) != key_id(old_signer.public_key())
    assert verify(old_token, keys, now=now)["licence_id"] == 7
    assert verify(encode(claims(exp=now + 3600), new_signer), keys, now=now)["licence_id"] == 7
    with pytest.raises(TokenInvalid, match="expired"):
        verify(old_token, keys, now=now + 3600)


def test_dropped_key_stops_verifying(app, clock) -> None:
    now = int(clock.time())
    with transaction():
        old = signing.current_signer()
        token = encode(claims(exp=now + 3600), old)
        signing.rotate(now)
        signing.drop(key_id(old.public_key()))
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


def test_the_module_examples_hold() -> None:
    result = doctest.testmod(tokens, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0


def test_kid_is_16_hex_digits_of_the_sha256_of_the_raw_public_key(key: Ed25519PrivateKey) -> None:
    raw = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert key_id(key.public_key()) == hashlib.sha256(raw).hexdigest()[:16]


def test_the_encoding_is_unpadded_base64url_of_sorted_json_then_the_signature(
    key: Ed25519PrivateKey,
) -> None:
    token = encode({"b": 1, "a": "ü"}, key)
    head, signature = token.split(".")
    assert "=" not in token
    payload = orjson.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    assert list(payload) == ["a", "b", "kid", "typ"]
    key.public_key().verify(
        base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)), head.encode()
    )
    assert tokens.decode(token) == payload == tokens.verify(token, keys_of(key))


def test_a_foreign_token_type_is_refused(key: Ed25519PrivateKey) -> None:
    head = base64.urlsafe_b64encode(orjson.dumps({"typ": "jwt"})).rstrip(b"=").decode()
    signature = base64.urlsafe_b64encode(key.sign(head.encode())).rstrip(b"=").decode()
    with pytest.raises(TokenInvalid, match="not a LuxeBrain licence token"):
        tokens.verify(f"{head}.{signature}", keys_of(key))


def test_genuine_tokens_without_licence_claims_are_refused_by_the_agent(
    key: Ed25519PrivateKey,
) -> None:
    bare = encode({"exp": NOW + 60}, key)
    assert tokens.verify(bare, keys_of(key))["exp"] == NOW + 60
    with pytest.raises(TokenInvalid, match="malformed claims"):
        verify(bare, keys_of(key), now=NOW)


def pem(*private: Ed25519PrivateKey) -> str:
    return "".join(
        k.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
        for k in private
    )


def test_public_keys_from_a_pem_bundle_or_the_published_json(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    bundle = "a comment\n" + pem(key, other)
    assert parse_public_keys(bundle).keys() == keys_of(key, other).keys()
    document = orjson.dumps({"keys": [{"kid": "x", "public_key": pem(key)}]}).decode()
    assert parse_public_keys(document).keys() == keys_of(key).keys()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no Ed25519 public key"),
        ('{"keys": 3}', "not a luxebrain-keys.json"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "not a public key"),
    ],
)
def test_unusable_key_files_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(TokenInvalid, match=message):
        parse_public_keys(text)
