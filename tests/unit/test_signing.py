"""The plugin<->agent signature: fixed vectors (checked with openssl) and every refusal."""

from __future__ import annotations

import pytest

from wp_plugin_bridge.signing import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    canonical_string,
    sign_headers,
    verify,
)

SECRET = "s3cret"
NONCE = "0123456789abcdef" * 2
TS = 1_700_000_000

# (method, path_qs, body, expected signature); values computed independently with
# `printf 'METHOD\nPATH\nTS\nNONCE\n<sha256 hex of body>' | openssl dgst -sha256 -hmac s3cret`.
VECTORS = [
    ("GET", "/v1/status", b"", "ab" * 16,
     "b8bdf80c4481e949d45d9288955125a952b854c472827de42de65dca8540719c"),
    ("POST", "/v1/events?x=1", b'{"a":1}', NONCE,
     "d3f1f54a0f4b800443940d504f91706f03961a4df6c1a71336cfa65fc7b6bfe7"),
]


class NonceStore:
    """An in-memory ``remember_nonce`` that records what it was asked."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}

    def __call__(self, nonce: str, expires_at: float) -> bool:
        if nonce in self.seen:
            return False
        self.seen[nonce] = expires_at
        return True


@pytest.mark.parametrize(("method", "path_qs", "body", "nonce", "expected"), VECTORS)
def test_fixed_vectors(method: str, path_qs: str, body: bytes, nonce: str, expected: str) -> None:
    headers = sign_headers(SECRET, method, path_qs, body, timestamp=TS, nonce=nonce)
    assert headers == {
        TIMESTAMP_HEADER: "1700000000",
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: expected,
    }


def test_canonical_string_layout() -> None:
    text = canonical_string("post", "/v1/events?x=1", TS, NONCE, b'{"a":1}')
    assert text == (
        "POST\n/v1/events?x=1\n1700000000\n0123456789abcdef0123456789abcdef\n"
        "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
    )


def _signed(body: bytes = b'{"a":1}') -> dict[str, str]:
    return sign_headers(SECRET, "POST", "/v1/events", body, timestamp=TS, nonce=NONCE)


def test_verify_accepts_and_remembers_nonce_until_window_ends() -> None:
    store = NonceStore()
    verify(SECRET, "POST", "/v1/events", b'{"a":1}', _signed(), now=TS + 299,
           remember_nonce=store)
    assert store.seen == {NONCE: TS + 300}


def test_a_call_signed_before_not_before_is_refused_and_its_nonce_not_kept() -> None:
    store = NonceStore()
    with pytest.raises(SignatureError, match="before this agent started"):
        verify(SECRET, "POST", "/v1/events", b'{"a":1}', _signed(), now=TS + 5,
               remember_nonce=store, not_before=TS + 1)
    assert store.seen == {}
    verify(SECRET, "POST", "/v1/events", b'{"a":1}', _signed(), now=TS + 5,
           remember_nonce=store, not_before=TS)  # signed in the second it started: fine
    assert NONCE in store.seen


def test_verify_header_names_are_case_insensitive() -> None:
    lowered = {k.lower(): v for k, v in _signed().items()}
    verify(SECRET, "POST", "/v1/events", b'{"a":1}', lowered, now=TS, remember_nonce=NonceStore())


def test_replayed_nonce_is_refused() -> None:
    store = NonceStore()
    verify(SECRET, "POST", "/v1/events", b'{"a":1}', _signed(), now=TS, remember_nonce=store)
    with pytest.raises(SignatureError, match="nonce already used"):
        verify(SECRET, "POST", "/v1/events", b'{"a":1}', _signed(), now=TS + 1,
               remember_nonce=store)


@pytest.mark.parametrize("skew", [301, -301, 10_000])
def test_timestamp_too_far_is_refused(skew: int) -> None:
    with pytest.raises(SignatureError, match="300 s"):
        verify(SECRET, "POST", "/v1/events", b'{"a":1}', _signed(), now=TS + skew,
               remember_nonce=NonceStore())


@pytest.mark.parametrize(
    ("secret", "method", "path_qs", "body"),
    [
        ("other", "POST", "/v1/events", b'{"a":1}'),
        (SECRET, "GET", "/v1/events", b'{"a":1}'),
        (SECRET, "POST", "/v1/events?x=2", b'{"a":1}'),
        (SECRET, "POST", "/v1/events", b'{"a":2}'),
    ],
)
def test_any_changed_part_is_refused(secret: str, method: str, path_qs: str, body: bytes) -> None:
    store = NonceStore()
    with pytest.raises(SignatureError, match="wrong signature"):
        verify(secret, method, path_qs, body, _signed(), now=TS, remember_nonce=store)
    assert store.seen == {}, "a forged call must not consume a nonce"


@pytest.mark.parametrize("missing", [TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER])
def test_missing_header_is_refused(missing: str) -> None:
    headers = {k: v for k, v in _signed().items() if k != missing}
    with pytest.raises(SignatureError, match=f"missing {missing}"):
        verify(SECRET, "POST", "/v1/events", b'{"a":1}', headers, now=TS,
               remember_nonce=NonceStore())


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        (TIMESTAMP_HEADER, "17e8", "Unix seconds"),
        (NONCE_HEADER, "short", "16\\+ random bytes"),
        (SIGNATURE_HEADER, "zz", "wrong signature"),
    ],
)
def test_malformed_header_is_refused(header: str, value: str, message: str) -> None:
    headers = {**_signed(), header: value}
    with pytest.raises(SignatureError, match=message):
        verify(SECRET, "POST", "/v1/events", b'{"a":1}', headers, now=TS,
               remember_nonce=NonceStore())


def test_error_is_401_unauthorized_and_hides_the_secret() -> None:
    with pytest.raises(SignatureError) as caught:
        verify("top-secret", "POST", "/v1/events", b"", _signed(), now=TS,
               remember_nonce=NonceStore())
    assert (caught.value.code, caught.value.status) == ("unauthorized", 401)
    assert "top-secret" not in str(caught.value)


def test_unpaired_agent_refuses_everything() -> None:
    with pytest.raises(SignatureError, match="not paired"):
        verify("", "POST", "/v1/events", b'{"a":1}', _signed(), now=TS,
               remember_nonce=NonceStore())


def test_sign_headers_rejects_weak_nonce_and_empty_secret() -> None:
    with pytest.raises(ValueError, match="nonce"):
        sign_headers(SECRET, "GET", "/", b"", timestamp=TS, nonce="abc")
    with pytest.raises(ValueError, match="secret"):
        sign_headers("", "GET", "/", b"", timestamp=TS, nonce=NONCE)


def test_module_example_runs() -> None:
    import doctest

    from wp_plugin_bridge import signing

    result = doctest.testmod(signing)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("timestamp", ["²", "¹⁷⁰⁰", "٣", "-1", " 1700000000", "1.5"])
def test_a_timestamp_that_is_not_ascii_digits_is_refused(timestamp: str) -> None:
    """``"²".isdigit()`` is true and ``int("²")`` raises: a header decoded as latin-1 (byte
    0xB2) must be a refusal, not a crash before authentication."""
    headers = {**_signed(), TIMESTAMP_HEADER: timestamp}
    with pytest.raises(SignatureError, match="Unix seconds"):
        verify(SECRET, "POST", "/v1/events", b'{"a":1}', headers, now=TS,
               remember_nonce=NonceStore())
