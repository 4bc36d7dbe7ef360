"""``python -m connector_agent`` is ``luxebrain-agent``."""

from __future__ import annotations

from connector_agent.cli import main

main()
