"""The command group imports a command's module only when that command is asked for.

Why: ``credsim validate`` runs after every edit of a scenario; importing all eleven
commands' modules to run one of them was part of its start-up
(docs/performance.md#start-up). ``sim.cli.lazy.LazyCommands`` is the group's
``commands`` mapping; ``credsim --help`` lists every command from the summaries stored
beside their names, which must say what the commands' own help says.
"""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest
from click.utils import make_default_short_help

from sim.cli.commands import COMMANDS, main
from sim.cli.lazy import Lazy, LazyCommands
from tests.paths import ROOT, TINY

COMMAND_MODULES = (
    "sim.cli.backtest",
    "sim.cli.calibrate",
    "sim.cli.dashboard",
    "sim.cli.fetch",
    "sim.cli.plan",
    "sim.cli.regress",
    "sim.cli.report",
    "sim.cli.run",
    "sim.cli.scenario",
    "sim.cli.sweep",
)
"""Every module that defines a command (``COMMANDS``' homes)."""
NOT_FOR_A_VALID_SCENARIO = ("sim.world.messages", "json", "traceback")
"""Loaded only for a refused scenario (the messages), ``demand --json`` and a bug's log."""


def modules_after(code: str, columns: int | None = None) -> tuple[str, list[str]]:
    """What ``code`` printed in a new interpreter, and the modules it had loaded by then."""
    probe = f"{code}\nimport sys\nprint('MODULES', *sorted(sys.modules))"
    env = {**os.environ, "COLUMNS": str(columns)} if columns else None
    command = [sys.executable, "-c", probe]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    printed, _, modules = done.stdout.rpartition("MODULES ")
    return printed, modules.split()


def test_the_homes_are_every_command_module() -> None:
    assert {lazy.home.partition(":")[0] for lazy in COMMANDS.values()} == set(COMMAND_MODULES)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_summary_shortens_as_its_commands_own_help(name: str) -> None:
    """The stored summary gives ``--help`` the very line the command's help gives, at every
    width: a docstring edited without its summary fails here."""
    command = main.commands[name]
    assert command.name == name
    summary = COMMANDS[name].summary
    for limit in range(10, 130):
        assert make_default_short_help(summary, limit) == command.get_short_help_str(limit)


@pytest.mark.parametrize("columns", [50, 80, 200])
def test_help_lists_every_command_as_the_loaded_commands_would(columns: int) -> None:
    run_help = (
        "from sim.cli.commands import main\n"
        "try:\n    main(['--help'], prog_name='credsim')\nexcept SystemExit:\n    pass"
    )
    load_all = (
        "from sim.cli.commands import main\n"
        "for name in list(main.commands):\n    main.commands[name]\n"
    )
    lazily, loaded = modules_after(run_help, columns)
    eagerly, _ = modules_after(load_all + run_help, columns)
    assert lazily == eagerly
    assert all(f"\n  {name} " in lazily for name in COMMANDS), lazily
    assert not set(loaded) & set(COMMAND_MODULES), sorted(set(loaded) & set(COMMAND_MODULES))


def test_validate_imports_only_its_own_commands_module() -> None:
    code = (
        "from sim.cli.commands import main\n"
        f"try:\n    main(['validate', {str(TINY)!r}], prog_name='credsim')\n"
        "except SystemExit as end:\n    assert end.code == 0, end.code"
    )
    printed, loaded = modules_after(code)
    assert "sim.world.scenario" in loaded and printed.strip()  # it did validate
    others = set(COMMAND_MODULES) - {"sim.cli.scenario"}
    assert not set(loaded) & others, sorted(set(loaded) & others)
    assert not set(loaded) & set(NOT_FOR_A_VALID_SCENARIO)


def test_the_mapping_reads_as_a_dict_of_commands() -> None:
    commands = LazyCommands(
        {
            "b": Lazy("sim.cli.scenario:validate", "Check."),
            "a": Lazy("sim.cli.scenario:demand", "Draw."),
        }
    )
    assert list(commands) == ["b", "a"] and len(commands) == 2 and "a" in commands
    assert not commands.is_loaded("a")
    assert commands.short_help("a", 45) == "Draw."
    assert commands["a"].name == "demand" and commands.is_loaded("a")
    assert commands.get("nope") is None and "nope" not in commands
    extra = click.Command("extra", help="Extra help.", hidden=True)
    commands["extra"] = extra
    assert list(commands) == ["b", "a", "extra"] and commands.hidden("extra")
    assert dict(commands.items())["extra"] is extra
    del commands["b"]
    assert list(commands) == ["a", "extra"] and len(commands) == 2
    with pytest.raises(KeyError):
        del commands["b"]


def test_a_home_that_is_not_a_command_is_refused() -> None:
    with pytest.raises(TypeError, match="not a click command"):
        Lazy("sim.cli.options:portal", "Not a command.").load()
