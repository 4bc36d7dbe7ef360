"""``plugin build``: the installable WordPress plugin zip."""

from __future__ import annotations

import click

from wp_plugin_bridge.build import build_zip


@click.group()
def plugin() -> None:
    """The LuxeBrain WordPress plugin.

    \b
    Example:
        luxebrain-agent plugin build --out dist
    """


@plugin.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory for luxebrain.zip (created if missing).",
)
def build(out_dir: str) -> None:
    """Write OUT/luxebrain.zip (install it in Plugins > Add New) and print its path.

    \b
    Example:
        luxebrain-agent plugin build --out dist
    """
    try:
        path = build_zip(out_dir)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot build the plugin: {exc}") from None
    click.echo(str(path))


COMMANDS = [plugin]
