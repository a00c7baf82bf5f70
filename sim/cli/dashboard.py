"""``credsim dashboard``: Streamlit on the packaged page, from any working directory.

``streamlit run app_dashboard.py`` in a clone reads ``.streamlit/config.toml``
because Streamlit looks for it in the working directory; an installed
``credsim`` runs anywhere, so the same settings travel as flags (``SETTINGS``;
a test keeps the two equal). The page is ``sim/dashboard/app.py``, found through
``importlib.resources`` and run as a script, never imported here (``sim.cli`` and
``sim.dashboard`` are siblings).

The command replaces its own process with ``python -P -m streamlit run``
(``exec``): the CLI never imports Streamlit (only ``sim/dashboard/`` does, and
``credsim run`` stays fast to start), and the dashboard's process is the
command's, so Ctrl+C or stopping that PID stops the server and leaves nothing
behind. ``-P`` keeps a ``sim/`` folder in the working directory from shadowing
the installed package; when ``sim`` itself comes from the working directory
(``python -m sim dashboard`` in a checkout), its folder goes on PYTHONPATH, so
the page always runs the same ``sim`` as the command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import click

from sim.cli.options import BadInput

DEFAULT_PORT = 8501
"""Streamlit's own default, so the URL is the one its users know."""
DEFAULT_ADDRESS = "localhost"
"""Only this machine can reach the dashboard unless the user says otherwise."""
SETTINGS: dict[str, bool | int | str] = {
    "server.headless": True,
    "server.maxUploadSize": 50,
    "server.fileWatcherType": "none",
    "server.runOnSave": False,
    "browser.gatherUsageStats": False,
    "client.toolbarMode": "minimal",
    "client.showErrorDetails": "none",
    "theme.base": "light",
}
"""``.streamlit/config.toml`` except the address: headless (print the URL, open no
browser), 50 MB uploads, no file watcher, no usage statistics, light theme, and no
error details in the page (a bug shows a reference; the server's log has the traceback)."""


@click.command()
@click.option(
    "--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
    help="TCP port to serve on.",
)  # fmt: skip
@click.option(
    "--address", default=DEFAULT_ADDRESS, show_default=True,
    help="Address to bind; 0.0.0.0 lets other machines reach the dashboard.",
)  # fmt: skip
def dashboard(port: int, address: str) -> None:
    """Start the dashboard (Streamlit) and print its URL; Ctrl+C stops it."""
    app = app_path()
    argv = [sys.executable, "-P", "-m", "streamlit", *streamlit_args(app, port, address)]
    home = app.parents[2]  # .../sim/dashboard/app.py: the folder that holds sim/
    env = child_environment(home, sys.path, os.environ)
    if os.name == "posix":
        os.execve(sys.executable, argv, env)  # returns only by raising OSError
    sys.exit(subprocess.call(argv, env=env))  # Windows has no exec that keeps the console


def app_path() -> Path:
    """The packaged dashboard page, a file Streamlit can run."""
    app = resources.files("sim") / "dashboard" / "app.py"
    if not (isinstance(app, Path) and app.is_file()):
        raise BadInput(f"the dashboard page is not a file in this installation: {app}")
    return app


def child_environment(
    home: Path, path: Sequence[str], environ: Mapping[str, str]
) -> dict[str, str]:
    """``environ``, with ``home`` (the folder holding ``sim/``) first on PYTHONPATH when needed.

    Needed when ``home`` is on this process's ``path`` only as ``path[0]``, the
    working directory or script folder that ``-P`` leaves out (or not at all).
    """
    env = dict(environ)
    if str(home) not in [os.path.abspath(entry) for entry in path[1:] if entry]:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(home), env.get("PYTHONPATH")]))
    return env


def streamlit_args(app: Path, port: int, address: str) -> list[str]:
    """``streamlit run`` arguments: the page, then every setting as a ``--section.key`` flag."""
    options = {**SETTINGS, "server.address": address, "server.port": port}
    flags = [[f"--{name}", _flag_value(value)] for name, value in options.items()]
    return ["run", str(app), *[part for flag in flags for part in flag]]


def _flag_value(value: bool | int | str) -> str:
    """A setting as Streamlit's flags spell it (``true``/``false`` for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
