"""``credsim``: the command line. Thin on purpose: parse, call ``sim``, print.

Bad input of any kind (a file, a row, an option) ends with one line on stderr
naming what is wrong and where, and exit status 2; never a traceback.

Start-up: every module of ``sim.cli`` imports only click and light parts of
``sim`` at import time; each command imports what it computes with (numpy,
pandas, scipy, plotly, pyarrow, the engines) in its own body, so
``credsim --help`` and ``credsim validate`` stay quick
(``tests/cli/test_startup.py``, docs/performance.md#start-up).
"""

from __future__ import annotations

import click

import sim
from sim.cli.backtest import backtest
from sim.cli.calibrate import calibrate_command
from sim.cli.dashboard import dashboard
from sim.cli.fetch import fetch_command
from sim.cli.plan import plan
from sim.cli.regress import regress
from sim.cli.report import report
from sim.cli.run import run
from sim.cli.scenario import demand, validate
from sim.cli.shell import Shell
from sim.cli.sweep import sweep


@click.group(
    cls=Shell, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
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


for _command in (
    backtest,
    validate,
    demand,
    run,
    sweep,
    report,
    plan,
    regress,
    dashboard,
    fetch_command,
    calibrate_command,
):
    main.add_command(_command)


def _version(ctx: click.Context, asked: bool) -> None:
    """``credsim --version``, as click's ``version_option`` prints it; the version is read only
    then (``sim.__version__`` is resolved on first use, to keep start-up quick)."""
    if not asked or ctx.resilient_parsing:
        return
    click.echo(f"credsim, version {sim.__version__}")
    ctx.exit()
