"""``luxebrain-cloud billing …`` and ``fallbacks …`` (defined in ``cloud_api.cli_billing``)."""

from __future__ import annotations

from cloud_api.cli_billing import COMMANDS

__all__ = ["COMMANDS"]
