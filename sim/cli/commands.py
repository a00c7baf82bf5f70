"""``credsim``: the command line. Thin on purpose: parse, call ``sim``, print.

Bad input of any kind (a file, a row, an option) ends with one line on stderr
naming what is wrong and where, and exit status 2; never a traceback.

Start-up: every module of ``sim.cli`` imports only click and light parts of
``sim`` at import time; each command imports what it computes with (numpy,
pandas, scipy, plotly, pyarrow, the engines) in its own body, and a command's
module is imported only when that command is asked for (``sim.cli.lazy``), so
``credsim --help`` and ``credsim validate`` stay quick
(``tests/cli/test_startup.py``, docs/performance.md#start-up).
"""

from __future__ import annotations

import click

import sim
from sim.cli.lazy import Lazy, LazyCommands
from sim.cli.shell import Shell

COMMANDS = {
    "backtest": Lazy("sim.cli.backtest:backtest", "Replay a recorded call FILE under one policy."),
    "validate": Lazy(
        "sim.cli.scenario:validate",
        "Check a scenario FILE: schema, values, the rates it needs and the admin portal's limits.",
    ),
    "demand": Lazy(
        "sim.cli.scenario:demand",
        "One replication of FILE's demand: calls and spend per month, pool use.",
    ),
    "run": Lazy(
        "sim.cli.run:run",
        "Monte Carlo run of scenario FILE under one policy (the file's, or overridden).",
    ),
    "sweep": Lazy(
        "sim.cli.sweep:sweep",
        "Every (trigger, amount, initial) of a grid x N replications of scenario FILE.",
    ),
    "report": Lazy(
        "sim.cli.report:report",
        "One standalone HTML report on scenario FILE: the recommended policy and why.",
    ),
    "plan": Lazy(
        "sim.cli.plan:plan",
        "From usage exports FILE... to a recommended trigger and amount, and its report.",
    ),
    "regress": Lazy(
        "sim.cli.regress:regress", "Check scenario outputs against their baselines (for CI)."
    ),
    "dashboard": Lazy(
        "sim.cli.dashboard:dashboard",
        "Start the dashboard (Streamlit) and print its URL; Ctrl+C stops it.",
    ),
    "fetch": Lazy(
        "sim.cli.fetch:fetch_command",
        "Fetch the tenant's PSTN call records (Graph getPstnCalls) into a file.",
    ),
    "calibrate": Lazy(
        "sim.cli.calibrate:calibrate_command",
        "Fit a scenario to the tenant's usage export(s) FILE... and write it with its rates.",
    ),
}
"""Every command: where it is defined and the first paragraph of its help, which
``credsim --help`` lists without importing it (``sim.cli.lazy``; the test of that module
checks each summary against its command)."""


@click.group(
    cls=Shell,
    commands=LazyCommands(COMMANDS),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    help="Show the version and exit.",
    callback=lambda ctx, _param, value: _version(ctx, value),
)
def main() -> None:
    """Simulate prepaid Communications Credits and choose auto-recharge settings.

    A scenario FILE may also be the name of a scenario that ships with credsim
    (midsize, small-team, enterprise, card-expiry, germany, checks/rate-card, ...), and
    backtest's FILE the name of a bundled example (calls, walkthrough,
    teams-pstn-report); a file of that name in the working directory wins.
    """


def _version(ctx: click.Context, asked: bool) -> None:
    """``credsim --version``, as click's ``version_option`` prints it; the version is read only
    then (``sim.__version__`` is resolved on first use, to keep start-up quick)."""
    if not asked or ctx.resilient_parsing:
        return
    click.echo(f"credsim, version {sim.__version__}")
    ctx.exit()
