"""``python -m connector_agent.cloud sync --config agent.toml``."""

from __future__ import annotations

from connector_agent.cloud.commands import cloud

cloud()
