"""``--balance`` and ``--lots`` on run and sweep: the account a run starts from, and its header."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from sim.cli.commands import main
from tests.paths import TINY

RUN = ["run", str(TINY), "--replications", "2", "--workers", "1"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_balance_is_one_lot_bought_at_the_start_and_the_header_says_so() -> None:
    result = invoke(*RUN, "--balance", "800")
    assert result.exit_code == 0, result.output
    assert "Opening balance: $800.00 in 1 lot (expires 2028-01-01)" in result.stdout.splitlines()
    plain = invoke(*RUN)
    assert "Opening balance" not in plain.stdout


def test_the_opening_lots_are_funded_in_every_replication(tmp_path: Path) -> None:
    lots = tmp_path / "lots.csv"
    lots.write_text("purchased,remaining\n2026-03-15,420.50\n2026-11-20T14:05:00Z,500\n")
    result = invoke(*RUN, "--lots", str(lots), "--json")
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)
    opening = runs["metrics"]["funded_by_source.opening"]
    assert opening["mean"] == 920.5
    plain = json.loads(invoke(*RUN, "--json").stdout)
    assert "funded_by_source.opening" not in plain["metrics"]
    # the money held is spent first: fewer of the policy's own recharges
    assert runs["metrics"]["recharges"]["mean"] < plain["metrics"]["recharges"]["mean"]


def test_a_lot_expired_by_the_start_is_refused_at_its_line(tmp_path: Path) -> None:
    lots = tmp_path / "lots.csv"
    lots.write_text("purchased,remaining\n2026-12-01,5\n2025-12-31,5\n")
    result = invoke(*RUN, "--lots", str(lots))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"credsim: error: {lots}:3: purchased 2025-12-31T00:00:00Z expired "
        "2026-12-31T00:00:00Z, 12 months later, at or before the start 2027-01-01T00:00:00Z"
    )


def test_sweep_starts_every_policy_from_the_balance_and_records_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(
        "sweep", str(TINY), "--triggers", "50", "--amounts", "100", "--replications", "2",
        "--workers", "1", "--no-widen", "--quiet", "--out", str(out),
        "--balance", "300",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Opening balance: $300.00 in 1 lot (expires 2028-01-01)" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["arguments"]["balance"] == "300"
