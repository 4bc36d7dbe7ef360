"""The agent process's memory policy: long-lived models kept out of the cyclic GC's way.

A brain is millions of small objects that live as long as the process. Left in the collector's
oldest generation they are rescanned by every full collection, which then stalls whatever runs at
that moment (0.13-0.26 s on the UCI year, hitting a query or a webhook). Freezing the survivors
moves them to a permanent generation that collections skip. It is done after large growth (start,
a rebuild or a big sync), never on a timer: each time everything is unfrozen and collected first,
so cyclic garbage frozen the time before (a request that was in flight) is never kept for good.
"""

from __future__ import annotations

import gc

__all__ = ["settle"]


def settle() -> None:
    """Collect all cyclic garbage, then freeze every survivor (one full collection)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
