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


def _help_texts(
    command: click.Command, ctx: click.Context
) -> list[tuple[click.Context, click.Command]]:
    """Each subcommand with a context nested as at run time (so inherited settings, such as
    ``-h`` for help, show whatever was invoked before in this process)."""
    found: list[tuple[click.Context, click.Command]] = []
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            child = command.commands[name]
            child_ctx = click.Context(child, info_name=name, parent=ctx, terminal_width=100)
            found.append((child_ctx, child))
            found += _help_texts(child, child_ctx)
    return found


def render_reference(group: click.Group) -> str:
    """Markdown with one section per command and subcommand, each holding its ``--help``."""
    parts = [HEADER]
    root = click.Context(
        group, info_name="luxebrain-agent", terminal_width=100, **group.context_settings
    )
    for ctx, command in _help_texts(group, root):
        name = ctx.command_path
        parts.append(f"\n## `{name}`\n\n```\n{command.get_help(ctx)}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    from connector_agent.cli import cli

    print(render_reference(cli), end="")
