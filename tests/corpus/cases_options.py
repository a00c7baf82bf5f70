"""Broken options of backtest, run, demand, sweep, report and dashboard on valid files."""

from __future__ import annotations

from typing import Any

from tests.corpus.harness import Case
from tests.corpus.inputs import CALLS, SCENARIO, STREAM_ROW, stream, tiny

BT = ("backtest", "walkthrough")
"""The bundled walkthrough example: eight calls in January 2025."""
MONEY = "issue 11 item 2 (money options)"
_TINY = tiny()


def backtest(case_id: str, *args: str, **expect: Any) -> Case:
    """backtest of the walkthrough with these options."""
    return Case(case_id, (*BT, *args), **expect)


def run(case_id: str, *args: str, **expect: Any) -> Case:
    """run of the tiny scenario (2 replications, in this process) with these options."""
    command = ("run", SCENARIO, "--replications", "2", "--workers", "1", *args)
    return Case(case_id, command, _TINY, **expect)


BACKTEST = [
    backtest("bt-initial-1e30", "--initial", "1e30", names="--initial"),
    backtest("bt-initial-negative", "--initial", "-5", names="--initial"),
    backtest("bt-initial-nan", "--initial", "nan", names="--initial"),
    backtest("bt-initial-inf", "--initial", "inf", names="--initial"),
    backtest("bt-initial-words", "--initial", "lots", names="--initial"),
    backtest("bt-initial-empty", "--initial", "", names="--initial"),
    backtest("bt-initial-sub-cent", "--initial", "0.001", names="--initial"),
    backtest(
        "bt-initial-2^63-cents",
        *("--initial", "92233720368547758.08"),
        names="--initial",
    ),
    backtest(
        "bt-trigger-1e11-amount-1",
        *("--trigger", "100000000000", "--amount", "1"),
        exit=None,
    ),
    backtest(
        "bt-trigger-1e30",
        *("--trigger", "1e30", "--amount", "1"),
        names="--trigger",
    ),
    backtest("bt-amount-zero", "--trigger", "50", "--amount", "0", names="amount"),
    backtest("bt-trigger-alone", "--trigger", "50", names="--amount"),
    backtest("bt-no-auto-with-trigger", "--no-auto-recharge", "--trigger", "5", names="--trigger"),
    backtest(
        "bt-recharge-delay-1e20",
        *("--recharge-delay-min", "1e20"),
        names="--recharge-delay-min",
    ),
    backtest("bt-recharge-delay-negative", "--recharge-delay-min", "-1", names="--recharge"),
    backtest("bt-recharge-delay-nan", "--recharge-delay-min", "nan", names="--recharge"),
    backtest(
        "bt-admin-fix-delay-1e30",
        *("--admin-fix-delay-h", "1e30"),
        names="--admin-fix-delay-h",
    ),
    backtest(
        "bt-manual-delay-1e30",
        *("--manual-topup", "10", "--manual-delay-h", "1e30"),
        names="--manual-delay-h",
    ),
    backtest(
        "bt-manual-topup-1e30",
        *("--manual-topup", "1e30"),
        names="--manual-topup",
    ),
    backtest(
        "bt-monthly-topup-1e30",
        *("--monthly-topup", "1e30"),
        names="--monthly-topup",
    ),
    backtest("bt-monthly-topup-sub-cent", "--monthly-topup", "0.001", names="--monthly-topup"),
    backtest(
        "bt-end-9999-12-31",
        *("--end", "9999-12-31"),
        names="--end",
    ),
    backtest(
        "bt-start-0001-01-01",
        *("--start", "0001-01-01"),
        names="--start",
    ),
    backtest("bt-start-month-13", "--start", "2025-13-45", names="--start"),
    backtest("bt-start-words", "--start", "yesterday", names="--start"),
    backtest("bt-end-before-start", "--start", "2025-02-01", "--end", "2025-01-01", names="end"),
    backtest("bt-card-expired-words", "--card-expired", "soon", names="--card-expired"),
    backtest("bt-card-expired-backwards", "--card-expired", "2025-02-01/2025-01-01", names="UNTIL"),
    backtest(
        "bt-card-expired-9999",
        *("--card-expired", "9999-12-31/"),
        names="--card-expired",
    ),
    backtest("bt-currency-unknown", "--currency", "XYZ", names="XYZ"),
    backtest("bt-currency-empty", "--currency", "", names="currency"),
    backtest("bt-journal-in-missing-folder", "--journal", "no/such/dir/j.csv", names="j.csv"),
    backtest("bt-journal-is-folder", "--journal", ".", names="--journal"),
    backtest("bt-unknown-option", "--bogus", names="--bogus"),
]

RUN = [
    run(
        "run-replications-1e7",
        *("--replications", "10000000"),
        names="--replications",
    ),
    run("run-replications-zero", "--replications", "0", names="--replications"),
    run("run-replications-negative", "--replications", "-1", names="--replications"),
    run("run-replications-words", "--replications", "many", names="--replications"),
    run("run-seed-2^70", "--seed", str(2**70), exit=None),
    run(
        "run-seed-negative",
        *("--seed", "-1"),
        exit=None,
    ),
    run("run-seed-words", "--seed", "x", names="--seed"),
    run("run-initial-1e30", "--initial", "1e30", names="--initial"),
    run(
        "run-trigger-1e30",
        *("--trigger", "1e30", "--amount", "1"),
        names="--trigger",
    ),
    run(
        "run-trigger-1e11-amount-cent",
        *("--trigger", "100000000000", "--amount", "0.01"),
        exit=None,
    ),
    run("run-amount-sub-cent", "--trigger", "50", "--amount", "0.005", names="amount"),
    run("run-workers-zero", "--workers", "0", names="--workers"),
    run("run-engine-unknown", "--engine", "warp", names="--engine"),
    run("run-no-auto-with-amount", "--no-auto-recharge", "--amount", "5", names="--amount"),
    run("run-out-is-a-file", "--out", SCENARIO, names="s.toml"),
    Case("demand-calls-is-folder", ("demand", SCENARIO, "--calls", "data"), _TINY, names="data"),
    Case("demand-seed-words", ("demand", SCENARIO, "--seed", "x"), _TINY, names="--seed"),
]

_SWEEP = ("sweep", SCENARIO, "--out", "data/out", "--quiet", "--workers", "1")
_REPLICATIONS = ("--replications", "2")


def sweep(case_id: str, *args: str, **expect: Any) -> Case:
    """sweep of the tiny scenario with these grid options."""
    return Case(case_id, (*_SWEEP, *args), _TINY, **expect)


_AMOUNTS = ("--amounts", "100")
SWEEP = [
    sweep("sweep-triggers-words", "--triggers", "a,b", *_AMOUNTS, names="--triggers"),
    sweep("sweep-triggers-empty", "--triggers", "", *_AMOUNTS, names="--triggers"),
    sweep("sweep-triggers-nan", "--triggers", "nan", *_AMOUNTS, names="--triggers"),
    sweep("sweep-triggers-inf", "--triggers", "inf", *_AMOUNTS, names="--triggers"),
    sweep("sweep-triggers-backwards", "--triggers", "100:0:10", *_AMOUNTS, names="--triggers"),
    sweep("sweep-triggers-step-zero", "--triggers", "0:100:0", *_AMOUNTS, names="--triggers"),
    sweep(
        "sweep-triggers-1e9-points",
        *("--triggers", "0:1000000000:1", *_AMOUNTS, *_REPLICATIONS),
        names="--triggers",
    ),
    sweep(
        "sweep-triggers-1e30",
        *("--triggers", "1e30", *_AMOUNTS, *_REPLICATIONS),
        names="trigger",
    ),
    sweep("sweep-amounts-zero", "--triggers", "50", "--amounts", "0", names="--amounts"),
    sweep("sweep-amounts-negative", "--triggers", "50", "--amounts", "-5", names="--amounts"),
    sweep(
        "sweep-initials-1e30",
        *("--triggers", "50", *_AMOUNTS, "--initials", "1e30", *_REPLICATIONS),
        names="initial",
    ),
    sweep(
        "sweep-replications-1e7",
        *("--triggers", "50", *_AMOUNTS, "--replications", "10000000"),
        names="--replications",
    ),
    sweep("sweep-replications-zero", "--triggers", "50", *_AMOUNTS, "--replications", "0"),
    sweep("sweep-resume-and-force", "--triggers", "50", *_AMOUNTS, "--resume", "--force"),
    sweep("sweep-missing-triggers", *_AMOUNTS, names="--triggers"),
    Case(
        "sweep-out-is-a-file",
        ("sweep", SCENARIO, "--triggers", "50", *_AMOUNTS, "--out", SCENARIO),
        _TINY,
        names="s.toml",
    ),
    Case(
        "sweep-workers-and-scheduler",
        (*_SWEEP, "--triggers", "50", *_AMOUNTS, "--scheduler", "tcp://127.0.0.1:1"),
        _TINY,
        names="--workers",
    ),
]

_REPORT = ("report", SCENARIO, "--quiet", "--workers", "1")
REPORT = [
    Case("report-out-is-folder", (*_REPORT, "-o", "data"), _TINY, names="data"),
    Case("report-out-missing", _REPORT, _TINY, names="--out"),
    Case("report-triggers-words", (*_REPORT, "-o", "r.html", "--triggers", "x"), _TINY),
    Case("report-amounts-zero", (*_REPORT, "-o", "r.html", "--amounts", "0"), _TINY),
    Case("report-replications-zero", (*_REPORT, "-o", "r.html", "--replications", "0"), _TINY),
    Case(
        "report-replications-1e7",
        (*_REPORT, "-o", "r.html", "--replications", "10000000"),
        _TINY,
        names="--replications",
    ),
    Case(
        "report-sensitivity-replications-zero",
        (*_REPORT, "-o", "r.html", "--sensitivity-replications", "0"),
        _TINY,
        names="--sensitivity-replications",
    ),
    Case(
        "report-sensitivity-replications-1e7",
        (*_REPORT, "-o", "r.html", "--sensitivity-replications", "10000000"),
        _TINY,
        names="--sensitivity-replications",
    ),
    Case(  # 36,000 calls a replication x 9 settings x 100,000: beyond SENSITIVITY_CALLS_MAX
        "report-sensitivity-beyond-its-work-limit",
        (*_REPORT, "-o", "r.html", "--replications", "2", "--sensitivity-replications", "100000"),
        tiny(("calls_per_day = 4", "calls_per_day = 400")),
        names="SENSITIVITY_CALLS_MAX",
    ),
    Case(
        "report-broken-scenario",
        (*_REPORT, "-o", "r.html"),
        tiny(("trigger = 50", "triggr = 50")),
        names="triggr",
    ),
    Case(
        "report-into-missing-folder",
        (*_REPORT, "-o", "no/such/dir/r.html", "--replications", "2"),
        _TINY,
        names="r.html",
        exit=None,
    ),
]

DASHBOARD = [
    Case("dashboard-port-zero", ("dashboard", "--port", "0"), names="--port"),
    Case("dashboard-port-70000", ("dashboard", "--port", "70000"), names="--port"),
    Case("dashboard-port-words", ("dashboard", "--port", "http"), names="--port"),
    Case("no-such-command", ("simulate",), names="simulate"),
]


def calibrate(case_id: str, *args: str, **expect: Any) -> Case:
    """calibrate of the bundled twelve-month ``calls`` example with these options."""
    return Case(case_id, ("calibrate", "calls", "-o", "tenant.toml", *args), **expect)


CALIBRATE = [
    calibrate("cal-holdout-99", "--holdout-months", "99", names="--holdout-months"),
    calibrate("cal-holdout-negative", "--holdout-months", "-1", names="--holdout-months"),
    calibrate("cal-holdout-all", "--holdout-months", "12", names="--holdout-months"),
    calibrate("cal-horizon-0", "--horizon-months", "0", names="--horizon-months"),
    calibrate("cal-timezone-mars", "--timezone", "Mars/Olympus", names="--timezone"),
    calibrate("cal-country-xx", "--country", "XX", names="--country"),
    calibrate("cal-balance-negative", "--balance", "-5", names="--balance"),
    calibrate("cal-balance-sub-cent", "--balance", "0.001", names="--balance"),
    Case(
        "cal-balance-and-lots",
        ("calibrate", "calls", "-o", "tenant.toml", "--balance", "5", "--lots", "lots.csv"),
        {"lots.csv": "purchased,remaining\n2025-12-01,10\n"},
        names="--lots",
    ),
    Case(
        "cal-one-day",
        ("calibrate", CALLS, "-o", "tenant.toml"),
        stream(STREAM_ROW, STREAM_ROW.replace("09:", "10:")),
        names="one day",
    ),
]


def plan(case_id: str, *args: str, **expect: Any) -> Case:
    """plan of the bundled twelve-month ``calls`` example into ``out`` with these options."""
    return Case(case_id, ("plan", "calls", "-o", "out", *args), **expect)


PLAN = [
    plan("plan-holdout-99", "--holdout-months", "99", names="--holdout-months"),
    plan("plan-timezone-mars", "--timezone", "Mars/Olympus", names="--timezone"),
    plan("plan-balance-negative", "--balance", "-5", names="--balance"),
    plan("plan-replications-0", "--replications", "0", names="--replications"),
    plan("plan-engine-warp", "--engine", "warp", names="--engine"),
    Case(
        "plan-out-is-a-file",
        ("plan", "calls", "-o", "out"),
        {"out": "not a folder\n"},
        names="out",
    ),
    Case(
        "plan-one-day",
        ("plan", CALLS, "-o", "out"),
        stream(STREAM_ROW, STREAM_ROW.replace("09:", "10:")),
        names="one day",
    ),
]
CASES = [*BACKTEST, *RUN, *SWEEP, *REPORT, *DASHBOARD, *CALIBRATE, *PLAN]
