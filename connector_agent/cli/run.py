"""``run``: serve the local API with Hypercorn, learn in the background, run the scheduled jobs.

One process: the Quart app's lifespan starts the agent (applier task, scheduler) and stops it
when SIGTERM or SIGINT arrives — the server stops taking requests, a sync finishes its page, the
applier finishes the event in hand and the models are checkpointed before the process exits.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
import socket
from typing import TYPE_CHECKING

import click

from connector_agent.cli._common import ConfigProblem, config_option, load_or_exit
from connector_agent.config_checks import host_port

if TYPE_CHECKING:
    from connector_agent.config import AgentConfig

log = logging.getLogger("connector_agent")


def _is_loopback(bind: str) -> bool:
    host = bind.rpartition(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(bind: str) -> socket.socket:
    """The listening socket, opened before anything else starts, so a busy port fails fast."""
    host, _, port = bind.rpartition(":")
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, int(port)), family=family)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {bind}: {exc.strerror}") from None


async def serve_agent(config: AgentConfig, listener: socket.socket) -> None:
    """Serve until SIGTERM/SIGINT, then stop the agent cleanly and close its store."""
    # imported here so that every other command starts without the web stack and the models
    from hypercorn.asyncio import serve
    from hypercorn.config import Config as HypercornConfig

    from connector_agent.agent import Agent
    from connector_agent.api import create_app
    from connector_agent.errors import StoreError

    try:
        agent = Agent(config)
    except StoreError as exc:
        raise click.ClickException(exc.message) from None
    server = HypercornConfig()
    server.bind = [f"fd://{listener.detach()}"]  # Hypercorn owns (and closes) it from here
    server.accesslog = None
    server.errorlog = logging.getLogger("hypercorn.error")  # through our one log format
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await serve(create_app(agent), server, shutdown_trigger=stop.wait)
    finally:
        agent.close()
    log.info("stopped; models checkpointed at seq %s", agent.applied_seq())


@click.command()
@config_option
@click.option("--bind", default=None, help="HOST:PORT to listen on (default: api.bind).")
def run(config_path: str, bind: str | None) -> None:
    """Serve the local API, learn from new events and sync WooCommerce until stopped.

    SIGTERM (or Ctrl-C) stops cleanly: the event in hand is finished and the models are
    checkpointed, so a restart resumes where this run stopped.

    \b
    Example:
        luxebrain-agent run --config agent.toml --bind 127.0.0.1:8765
    """
    config = load_or_exit(config_path)
    if bind is not None:
        try:
            host_port(bind)
        except ValueError as exc:
            raise ConfigProblem(f"--bind: {exc}") from None
    address = bind or config.api.bind
    logging.basicConfig(
        level=config.agent.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if config.agent.log_level != "debug":
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if not _is_loopback(address):
        log.warning("binding %s: the API is meant for this host only (127.0.0.1)", address)
    listener = listen(address)
    log.info("listening on http://%s; serving once the models are loaded", address)
    asyncio.run(serve_agent(config, listener))


COMMANDS = [run]
