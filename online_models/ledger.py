"""What the brain did with every order it ever saw, in about one byte per order.

The brain remembers the last ``order_memory`` orders in full, to compensate a later refund or
delete with the lines it learned. An order that leaves that memory must still never be taught
twice: a busy shop's order moved from processing to completed weeks later, or refunded after a
season, has to find its state. WooCommerce order ids are integers from one sequence (shared with
its other posts), so the state of every order is kept in pages of ``PAGE`` bytes indexed by id:
1.5 MB per million ids, exact, and as deterministic as the rest of the brain. A key that is not
a plain decimal number (an import from another system) cannot be held here; for those only the
full memory answers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["OrderLedger"]

#: order ids per page: a page is allocated when the first of its ids is seen
PAGE = 256
#: longest decimal key held (ids beyond this are not WooCommerce's)
MAX_DIGITS = 18


def _slot(key: str) -> tuple[int, int] | None:
    """(page, offset) of a plain decimal key without leading zeros, else None (so that "042"
    and "42", different keys, never share a slot)."""
    if not (key.isascii() and key.isdigit()) or len(key) > MAX_DIGITS:
        return None
    if len(key) > 1 and key[0] == "0":
        return None
    return divmod(int(key), PAGE)


class OrderLedger:
    """A small state (1-255; 0 is "never seen") per numeric order key.

    Examples
    --------
    >>> ledger = OrderLedger()
    >>> ledger.set("1042", 2)
    True
    >>> ledger.get("1042"), ledger.get("1043"), ledger.get("99999999")
    (2, 0, 0)
    >>> ledger.set("A-7", 2), ledger.get("A-7")  # not a number: not held
    (False, None)
    >>> len(ledger)
    1
    """

    def __init__(self) -> None:
        self._pages: dict[int, bytearray] = {}

    def get(self, key: str) -> int | None:
        """The state of ``key`` (0 if never set), or None if the ledger cannot hold the key."""
        slot = _slot(key)
        if slot is None:
            return None
        page = self._pages.get(slot[0])
        return page[slot[1]] if page is not None else 0

    def set(self, key: str, state: int) -> bool:
        """Record ``state`` (0-255) for ``key``; False if the ledger cannot hold the key."""
        slot = _slot(key)
        if slot is None:
            return False
        page = self._pages.get(slot[0])
        if page is None:
            if state == 0:
                return True
            page = self._pages[slot[0]] = bytearray(PAGE)
        page[slot[1]] = state
        return True

    def __len__(self) -> int:
        """Orders held (with a state other than 0)."""
        return sum(PAGE - page.count(0) for page in self._pages.values())

    def __getstate__(self) -> dict[str, Any]:
        # sorted: equal ledgers give equal snapshot bytes whatever order their pages were made
        return {"pages": {n: bytes(self._pages[n]) for n in sorted(self._pages)}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._pages = {n: bytearray(page) for n, page in state["pages"].items()}

    def __repr__(self) -> str:
        return f"OrderLedger(pages={len(self._pages)})"
