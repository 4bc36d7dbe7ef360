"""``luxebrain-agent cloud …`` (defined in ``connector_agent.cloud.commands``)."""

from __future__ import annotations

from connector_agent.cloud.commands import COMMANDS

__all__ = ["COMMANDS"]
