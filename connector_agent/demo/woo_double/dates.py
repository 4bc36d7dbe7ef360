"""Store time: WooCommerce's local/GMT date pairs and how its date filters read their values.

Records keep Unix seconds (UTC). The REST API shows each date twice: store-local without an
offset and ``*_gmt`` (UTC) without ``Z``. A filter value is compared strictly with one of the two
columns, after WordPress's own parsing: a naive value is read in the column's zone, a value with
``Z`` or an offset is converted to store-local time first (hence the off-by-offset result of
``…Z`` with ``dates_are_gmt=true`` that the real store shows).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from .errors import invalid_param

_REST_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
_EPOCH = datetime(1970, 1, 1)


class StoreTime:
    """Formats record times and parses filter values for one store timezone."""

    def __init__(self, timezone: str = "America/New_York") -> None:
        self.zone = ZoneInfo(timezone)
        self.wall = lru_cache(maxsize=1 << 17)(self._wall)
        self.local = lru_cache(maxsize=1 << 17)(self._local)

    def _wall(self, epoch: int) -> int:
        """Store-local wall-clock seconds: what a naive local column holds, as a number."""
        offset = datetime.fromtimestamp(epoch, self.zone).utcoffset()
        return epoch + int(offset.total_seconds()) if offset else epoch

    def _local(self, epoch: int) -> str:
        return datetime.fromtimestamp(epoch, self.zone).strftime("%Y-%m-%dT%H:%M:%S")

    @staticmethod
    def gmt(epoch: int) -> str:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S")

    def pair(self, epoch: int | None) -> tuple[str | None, str | None]:
        """``(local, gmt)`` strings, or ``(None, None)`` for a date not set."""
        if epoch is None:
            return None, None
        return self.local(epoch), self.gmt(epoch)

    def filter_value(self, name: str, value: str) -> int:
        """The filter value as naive seconds (a naive value is in the compared column's zone).

        Compare it with :meth:`wall` of a record time (local column) or with the record's epoch
        itself (``_gmt`` column). A date-only or malformed value is a 400, as on the real store.
        """
        if not _REST_DATE.match(value):
            raise invalid_param(name, "Invalid date.", "rest_invalid_date")
        try:
            parsed = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
        except ValueError:
            raise invalid_param(name, "Invalid date.", "rest_invalid_date") from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(self.zone).replace(tzinfo=None)
        return int((parsed - _EPOCH).total_seconds())
