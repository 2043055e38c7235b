"""Every command's --help has an example, and so has every option that takes a value."""

from __future__ import annotations

from collections.abc import Iterator

import click

from aligner.cli import main

EXAMPLE_MARKS = ("e.g.", "Example")


def commands(group: click.Group, context: click.Context, path: str = "aligner"
             ) -> Iterator[tuple[str, click.Command]]:
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from commands(command, context, f"{path} {name}")
        elif command is not None:
            yield f"{path} {name}", command


def test_every_command_and_every_option_with_a_value_shows_an_example() -> None:
    context = click.Context(main)
    found = list(commands(main, context))
    assert len(found) > 10
    without = [name for name, command in found if "Example" not in (command.help or "")]
    without += [f"{name} {option.opts[-1]}" for name, command in found
                for option in command.params
                if isinstance(option, click.Option) and not option.is_flag
                and not any(mark in (option.help or "") for mark in EXAMPLE_MARKS)]
    assert without == []
