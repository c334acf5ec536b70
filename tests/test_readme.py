"""The README stays true to the code: every configuration variable and every command is documented."""

from __future__ import annotations

import argparse
from pathlib import Path

from service.cli import build_parser
from service.config import HEAD_VARIABLES, VARIABLES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_variable_is_in_the_configuration_table() -> None:
    table = README[README.index("## Configuration"):README.index("## Deployment")]
    assert [name for name in [*VARIABLES, *HEAD_VARIABLES] if f"`{name}`" not in table] == []


def test_every_command_is_in_the_commands_table() -> None:
    table = README[README.index("## Commands"):README.index("## Configuration")]
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert [name for name in commands.choices if f"`moderation {name}" not in table] == []


def test_make_run_is_what_the_makefile_does() -> None:
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text(encoding="utf-8")
    assert "run: model\n\t$(BIN)/moderation run\n" in makefile
    assert "make run" in README and "moderation is running" in README
