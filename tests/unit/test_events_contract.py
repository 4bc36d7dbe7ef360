"""The event contract: times round-trip for any year, versions ignore key order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from online_models.events import Event, EventError, format_time, parse_time, version_of


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31),
                    timezones=st.just(UTC)))
def test_format_and_parse_round_trip(moment: datetime) -> None:
    assert parse_time(format_time(moment)) == moment.replace(microsecond=0)


@given(st.dictionaries(st.text(max_size=5),
                       st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5), max_size=6))
def test_version_ignores_key_order(payload: dict) -> None:  # type: ignore[type-arg]
    reordered = dict(reversed(list(payload.items())))
    assert version_of("2026-01-01T00:00:00Z", payload) == version_of(
        "2026-01-01T00:00:00Z", reordered
    )


def test_unserialisable_payload_is_a_contract_error() -> None:
    with pytest.raises(EventError, match="not serialisable"):
        version_of("2026-01-01T00:00:00Z", {"quantity": 2**70})


@pytest.mark.parametrize(
    ("kind", "key", "version", "at", "message"),
    [
        ("order.exploded", "1", "v", "2026-01-01T00:00:00Z", "unknown event kind"),
        ("order.upserted", "", "v", "2026-01-01T00:00:00Z", "key must be a non-empty"),
        ("order.upserted", "1", "", "2026-01-01T00:00:00Z", "version must not be empty"),
        ("order.upserted", "1", "v", "2026-01-01T00:00:00", "must be UTC with Z"),
        ("order.upserted", "1", "v", "yesterday", "not ISO 8601"),
    ],
)
def test_bad_events_are_refused(kind: str, key: str, version: str, at: str, message: str) -> None:
    with pytest.raises(EventError, match=message):
        Event(0, kind, key, version, at, {})


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_time_with_no_utc_equivalent_is_a_contract_error(value: str) -> None:
    with pytest.raises(EventError, match="out of range"):
        parse_time(value)
