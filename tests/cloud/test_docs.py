"""The docs name every command, and every command's help ends with an example."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from cloud_api.cli import cli as cloud_cli
from connector_agent.cli import cli as agent_cli

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cloud"


def commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += commands(command, path)
        else:
            found.append((path, command))
    return found


CLOUD = commands(cloud_cli, "luxebrain-cloud")
AGENT = [
    c for c in commands(agent_cli, "luxebrain-agent") if c[0].startswith("luxebrain-agent licence")
]


@pytest.mark.parametrize(("path", "command"), CLOUD + AGENT, ids=[p for p, _ in CLOUD + AGENT])
def test_command_is_documented_with_an_example(path: str, command: click.Command) -> None:
    assert f"`{path} " in (DOCS / "cli.md").read_text(), f"{path} missing from docs/cloud/cli.md"
    assert "Example:" in (command.help or ""), f"{path}: help has no Example block"


def test_the_contract_commands_exist() -> None:
    names = {p for p, _ in CLOUD + AGENT}
    assert {
        "luxebrain-cloud migrate",
        "luxebrain-cloud serve",
        "luxebrain-cloud keys create",
        "luxebrain-cloud keys rotate",
        "luxebrain-cloud keys public",
        "luxebrain-cloud staff create",
        "luxebrain-cloud licence issue",
        "luxebrain-cloud licence show",
        "luxebrain-cloud licence revoke",
        "luxebrain-cloud licence token",
        "luxebrain-agent licence set",
        "luxebrain-agent licence verify",
        "luxebrain-agent licence status",
        "luxebrain-agent licence checkin",
    } <= names
