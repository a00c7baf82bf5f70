"""``credsim regress``: recompute each scenario's checks and compare with its baseline.

Thin like the rest of the CLI: the rules live in ``sim.study.regress``. Exit status
0 with no drift, 1 with drift, 2 on bad input (a missing or corrupt baseline
included).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from sim.cli.options import BadInput, FiniteFloat, bad_input
from sim.errors import InputError
from sim.limits import REGRESS_TOLERANCE_SE
from sim.world import bundled


@click.command()
@click.option(
    "--scenarios", "folder", type=click.Path(path_type=Path, file_okay=False),
    help="Folder of scenario files; those with a [regression] table are checked "
    "[the bundled scenarios: scenarios/ in a checkout].",
)  # fmt: skip
@click.option("--update", is_flag=True, help="Rewrite the baselines from this run.")
@click.option("--reason", help="Why the baselines change (required with --update).")
@click.option(
    "--report", type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the Markdown table to this file.",
)  # fmt: skip
@click.option(
    "--tolerance", type=FiniteFloat(min=0, min_open=True), default=REGRESS_TOLERANCE_SE,
    show_default=True, help="Drift when |difference| exceeds this many standard errors.",
)  # fmt: skip
@click.option("--all", "everything", is_flag=True, help="List unchanged metrics too.")
def regress(
    folder: Path | None,
    update: bool,
    reason: str | None,
    report: Path | None,
    tolerance: float,
    everything: bool,
) -> None:
    """Check scenario outputs against their baselines (for CI)."""
    if update and not (reason and reason.strip()):
        raise click.UsageError("--update needs --reason TEXT (it is stored in the baseline)")
    if reason and not update:
        raise click.UsageError("--reason goes with --update")
    # The checks run the engines (numpy, scipy, pandas): loaded when the command runs.
    from sim.study.regress import (  # noqa: PLC0415  # noqa: PLC0415
        Row,
        baseline_path,
        compare,
        compute,
        find_checks,
        markdown,
        write_baseline,
    )

    with bad_input():
        if folder is None:
            folder = bundled.shown(bundled.scenarios_folder())
        checks = find_checks(folder)
        if not checks:
            raise BadInput(f"{folder}: no scenario there has a [regression] table")
        rows: list[Row] = []
        for check in checks:
            path = baseline_path(folder, check.name)
            old = _old_baseline(path, update)
            began = time.perf_counter()
            now = compute(check)
            click.echo(f"regress: {check.name}: {time.perf_counter() - began:.1f} s", err=True)
            if old is not None:
                rows.extend(compare(old, now, tolerance))
            if update:
                write_baseline(path, now, reason or "")
    table = markdown(rows, everything=everything)
    _write_report(report, table)
    click.echo(table)
    if update:
        click.echo(f"\nUpdated {len(checks)} baseline(s) in {folder / 'baselines'}: {reason}")
        return
    drifted = sorted(
        {(row.scenario, row.policy, row.metric) for row in rows if row.status == "drift"}
    )
    if drifted:
        click.echo(f"\n{len(drifted)} metric(s) drifted beyond {tolerance:g} standard errors.")
        sys.exit(1)
    click.echo(f"\nNo drift in {len(checks)} scenario(s).")


def _old_baseline(path: Path, update: bool) -> dict | None:
    """The stored baseline; with --update a missing or corrupt one is simply replaced."""
    from sim.study.baseline import read_baseline  # noqa: PLC0415  (pydantic)

    if not update:
        return read_baseline(path)
    if not path.exists():
        return None
    try:
        return read_baseline(path)
    except InputError as error:
        click.echo(f"credsim: warning: replacing it: {error}", err=True)
        return None


def _write_report(report: Path | None, table: str) -> None:
    if report is None:
        return
    try:
        report.write_text(table + "\n", encoding="utf-8")
    except OSError as error:
        raise BadInput(f"{report}: cannot write the report: {error.strerror or error}") from None
