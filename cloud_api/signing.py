"""Signing keys in the database: create, rotate, drop, and publish the public halves.

Private keys are stored as PKCS#8 PEM, encrypted with the passphrase from the app config
(``KEY_PASSPHRASE`` / ``LUXEBRAIN_CLOUD_KEY_PASSPHRASE``) when one is set. The newest key that is
not retired signs; retired keys stay published so tokens they signed verify until they expire,
until staff drop them (after a leak, at once).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud_api.errors import NoSigningKey, NotFound
from cloud_api.models import SigningKey
from luxebrain.tokens import key_id

SIGNER_CACHE_SECONDS = 30.0
_signer_cache: dict[str, tuple[float, Ed25519PrivateKey]] = {}


@dataclass(frozen=True)
class PublicKey:
    kid: str
    pem: str
    status: str  # "current" or "retired"


def create_key(now: int, passphrase: str = "") -> SigningKey:
    """A new key that becomes the current one (without retiring the others)."""
    private = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    _signer_cache.clear()
    return SigningKey.create(
        kid=key_id(private.public_key()),
        public_pem=public_pem,
        private_pem=private_pem,
        encrypted=bool(passphrase),
        created_at=now,
    )


def rotate(now: int, passphrase: str = "") -> tuple[SigningKey, list[str]]:
    """Create a new current key and retire every other; return it and the retired kids."""
    retired = [k.kid for k in SigningKey.select().where(SigningKey.retired_at.is_null())]
    SigningKey.update(retired_at=now).where(SigningKey.retired_at.is_null()).execute()
    return create_key(now, passphrase), retired


def drop(kid: str) -> None:
    """Forget a key entirely: tokens it signed stop verifying (use after a leak)."""
    _signer_cache.clear()
    if not SigningKey.delete().where(SigningKey.kid == kid).execute():
        raise NotFound(f"no signing key {kid!r}", field="kid")


def cached_signer(passphrase: str = "") -> Ed25519PrivateKey | None:
    """The current signer if this process looked it up recently, without touching the database."""
    cached = _signer_cache.get(passphrase)
    if cached is not None and time.monotonic() - cached[0] < SIGNER_CACHE_SECONDS:
        return cached[1]
    return None


def current_signer(passphrase: str = "") -> Ed25519PrivateKey:
    """The private key that signs new tokens.

    Looked up at most every ``SIGNER_CACHE_SECONDS`` per process (check-ins are the hot path);
    a rotation here is seen at once, one on another host within that time.
    """
    cached = cached_signer(passphrase)
    if cached is not None:
        return cached
    row = (
        SigningKey.select()
        .where(SigningKey.retired_at.is_null())
        .order_by(SigningKey.created_at.desc(), SigningKey.kid)
        .first()
    )
    if row is None:
        raise NoSigningKey("no signing key: run `luxebrain-cloud keys create`")
    key = _load_private(row.kid, row.private_pem, passphrase if row.encrypted else "")
    _signer_cache[passphrase] = (time.monotonic(), key)
    return key


@lru_cache(maxsize=8)
def _load_private(kid: str, pem: str, passphrase: str) -> Ed25519PrivateKey:
    """Decrypting is slow by design (a KDF), so each key is decrypted once per process."""
    try:
        key = serialization.load_pem_private_key(pem.encode(), passphrase.encode() or None)
    except (TypeError, ValueError):
        raise NoSigningKey(f"signing key {kid} cannot be decrypted: check the passphrase") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise NoSigningKey(f"signing key {kid} is not an Ed25519 key")
    return key


def public_keys() -> list[PublicKey]:
    """Every published key, current first."""
    rows = SigningKey.select().order_by(SigningKey.created_at.desc(), SigningKey.kid)
    return [
        PublicKey(r.kid, r.public_pem, "retired" if r.retired_at is not None else "current")
        for r in rows
    ]
