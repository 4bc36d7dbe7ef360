"""Guests erased on request: their key (a hash of the billing email) keeps later syncs of their
old orders from linking them again."""

from __future__ import annotations

from typing import Any


def up(db: Any) -> None:
    db["erased_guests"].create({"guest_key": str, "erased_at": str}, pk="guest_key")
