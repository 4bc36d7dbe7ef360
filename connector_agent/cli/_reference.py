"""The agent's CLI reference (``docs/agent/cli.md``), generated from every command's ``--help``.

Regenerate with ``python -m connector_agent.cli._reference > docs/agent/cli.md``; a test fails
when the file and the commands disagree, so the docs cannot drift from the code.
"""

from __future__ import annotations

import click

HEADER = """\
# `luxebrain-agent` command reference

Generated from each command's `--help` by `python -m connector_agent.cli._reference`; do not edit
by hand. Exit codes everywhere: 0 ok, 1 operational error (one line, no traceback), 2 usage or
configuration error. `--json` prints JSON on stdout; progress and summaries go to stderr.
"""


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found += _walk(command.commands[name], [*path, name])
    return found


def render_reference(group: click.Group) -> str:
    """Markdown with one section per command and subcommand, each holding its ``--help``."""
    parts = [HEADER]
    for path, command in _walk(group, ["luxebrain-agent"]):
        if len(path) == 1:
            continue
        name = " ".join(path)
        with click.Context(command, info_name=name, terminal_width=100) as ctx:
            text = command.get_help(ctx)
        parts.append(f"\n## `{name}`\n\n```\n{text}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    from connector_agent.cli import cli

    print(render_reference(cli), end="")
