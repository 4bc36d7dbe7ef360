"""docs/agent/cli.md is exactly what the commands' --help say, and every command has an example."""

from __future__ import annotations

from pathlib import Path

from connector_agent.cli import cli
from connector_agent.cli._reference import _walk, render_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "agent" / "cli.md"


def test_reference_matches_the_commands() -> None:
    assert DOC.read_text() == render_reference(cli), (
        "docs/agent/cli.md is stale: run python -m connector_agent.cli._reference > "
        "docs/agent/cli.md"
    )


def test_every_command_is_documented_with_an_example() -> None:
    text = DOC.read_text()
    for path, command in _walk(cli, ["luxebrain-agent"])[1:]:
        name = " ".join(path)
        assert f"## `{name}`" in text
        assert command.help, f"{name} has no help text"
        if not hasattr(command, "commands"):
            assert "Example:" in command.help, f"{name} --help has no example"
