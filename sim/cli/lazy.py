"""The command group's subcommands, each imported the first time it is asked for.

Why: ``credsim validate`` runs after every edit of a scenario, and importing every
command's module (the options of eleven commands, the study's grid, the engines'
names, the backtest's readers) to run one of them was some 15-20 ms of CPU of its
start (docs/performance.md#start-up). ``LazyCommands`` is the group's ``commands``
mapping, as click's "lazy loading subcommands" pattern has it, but keeping the
mapping whole: every name is in it from the start, and reading a value
(``main.commands["run"]``, click's ``get_command``, ``.items()``) imports that
command's module then. ``credsim --help`` lists every command with its short help
without importing any: each name carries the first paragraph of its command's help
(``Lazy.summary``), which click shortens as it would the command's own
(``short_help``); ``tests/cli/test_lazy_commands.py`` checks the two agree.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from importlib import import_module

import click
from click.utils import make_default_short_help


class Lazy:
    """Where a command is defined (``module:attribute``) and the first paragraph of its help.

    A plain class, not a dataclass: building one of those at import is some 0.4 ms.
    """

    __slots__ = ("home", "summary")

    def __init__(self, home: str, summary: str) -> None:
        self.home = home
        self.summary = summary

    def load(self) -> click.Command:
        """Import the command's module and return the command."""
        module_name, _, attribute = self.home.partition(":")
        command = getattr(import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.home} is not a click command")
        return command


class LazyCommands(MutableMapping[str, click.Command]):
    """Command names -> commands, each imported on first read; names listed in insertion order.

    A command added with ``add_command`` (or assigned) is kept as it is, so the mapping
    behaves as click's plain dict does for everything a group or a test does with it.
    """

    def __init__(self, lazy: dict[str, Lazy]) -> None:
        self._lazy = dict(lazy)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            self._loaded[name] = self._lazy[name].load()  # KeyError: no such command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._lazy.pop(name, None)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self._lazy
        yield from (name for name in self._loaded if name not in self._lazy)

    def __len__(self) -> int:
        return len(self._lazy.keys() | self._loaded.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._lazy or name in self._loaded

    def is_loaded(self, name: str) -> bool:
        """Whether ``name``'s module has been imported (its command read or assigned)."""
        return name in self._loaded

    def hidden(self, name: str) -> bool:
        """Whether ``--help`` leaves ``name`` out: a loaded command's own flag; none of the
        commands that are still to be imported is hidden."""
        return name in self._loaded and self._loaded[name].hidden

    def short_help(self, name: str, limit: int) -> str:
        """What ``--help`` lists beside ``name``, shortened to ``limit`` as click shortens a
        command's help; from the summary while the command is not imported."""
        if name in self._loaded:
            return self._loaded[name].get_short_help_str(limit)
        return make_default_short_help(self._lazy[name].summary, limit).strip()
