"""Where a request finds its agent: ``current_app.extensions["luxebrain.agent"]``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quart import current_app

if TYPE_CHECKING:
    from connector_agent.agent import Agent

AGENT = "luxebrain.agent"


def current_agent() -> Agent:
    """The agent serving the current request."""
    agent: Agent = current_app.extensions[AGENT]
    return agent
