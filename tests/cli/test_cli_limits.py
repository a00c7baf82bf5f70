"""The issue's examples now fail in ``credsim validate`` (and ``run``) with one line and exit 2.

Before issue 11 each passed ``validate`` and then failed in ``run`` allocating GiB
to PiB, or read a server file; see tests/world/test_bounds.py,
test_workload.py, test_paths.py and test_toml_guard.py for every case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.cli import options
from sim.cli.commands import main
from tests.paths import TINY

HEAD = '[scenario]\nname = "t"\nstart = "2027-01-01T00:00:00Z"\n'
STREAM = (
    '[[streams]]\nname = "s"\nservice = "x"\ncalls_per_day = {per_day}\n'
    'duration_min = {{ dist = "fixed", value = 1 }}\nrate_per_min = 0.05\n'
)
MEETING = (
    "[meetings]\nper_user_per_day = 0.1\ntoll_free_share = 0\n"
    'dial_ins = {{ dist = "poisson", mean = {mean} }}\n'
)
BIG = (
    '[[big_meetings]]\nname = "b"\nrecurrence = "FREQ=SECONDLY"\ntime = 11:00:00\n'
    'dial_ins = { dist = "fixed", value = 1 }\ntoll_free_share = 0\n'
)
EXAMPLES = {
    "freq-secondly": (HEAD + STREAM.format(per_day=1) + BIG, "FREQ=SECONDLY is finer than daily"),
    "users-1e9": (
        HEAD + STREAM.format(per_day=1) + "[users]\ncount = 1_000_000_000\n",
        "users.count: 1,000,000,000 is more than the limit of 1,000,000",
    ),
    "calls-per-day-1e9": (HEAD + STREAM.format(per_day="1e9"), "streams[0].calls_per_day"),
    "poisson-1e12": (HEAD + MEETING.format(mean="1e12"), "meetings.dial_ins.mean"),
    "poisson-inf": (HEAD + MEETING.format(mean="inf"), "must be a finite number"),
    "growth-100": (
        HEAD + STREAM.format(per_day=1) + "[users]\nmonthly_growth = 1.0\n",
        "users.monthly_growth: 1 a month",
    ),
    "passwd": (
        HEAD + STREAM.format(per_day=1) + '[rates]\ntable = "../../../../etc/passwd"\n',
        "rates.table: '../../../../etc/passwd' lies outside the scenario's folder",
    ),
    "dotted-key-bomb": ("a" + ".a" * 20_000 + " = 1\n", "key longer than the limit of 128"),
    "nested-arrays": ("x = " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than the limit"),
}


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def one_line_refusal(result: Result, words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("credsim: error: ")
    assert words in lines[0]
    assert "root:" not in result.output


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_issue_examples_fail_in_validate_with_one_line(tmp_path: Path, name: str) -> None:
    text, words = EXAMPLES[name]
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    one_line_refusal(invoke("validate", path), words)
    one_line_refusal(invoke("run", path, "--replications", "2"), words)


@pytest.mark.parametrize("command", ["run", "report", "sweep"])
def test_replications_beyond_the_limit_are_refused_by_the_option(
    tmp_path: Path, command: str
) -> None:
    extra = {"report": ["--out", tmp_path / "r.html"],
             "sweep": ["--triggers", "1", "--amounts", "1", "--out", tmp_path / "s"]}  # fmt: skip
    result = invoke(command, TINY, "--replications", "10000000", *extra.get(command, []))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "10000000 is not in the range 1<=x<=100000" in result.stderr
    assert not (tmp_path / "s").exists() and not (tmp_path / "r.html").exists()


def test_workers_count_in_the_memory_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDSIM_MAX_MEMORY_GB", "0.00005")  # about 52 KB: one tiny replication
    result = invoke("run", TINY, "--replications", "4", "--workers", "2")
    one_line_refusal(result, "(2 replications at once); the limit is 0.0 GB")
    assert "CREDSIM_MAX_MEMORY_GB" in result.stderr


def test_default_workers_are_lowered_to_what_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(options.os, "cpu_count", lambda: 4)
    monkeypatch.setenv("CREDSIM_MAX_MEMORY_GB", "0.00005")  # about 52 KB: one tiny replication
    result = invoke("run", TINY, "--replications", "4", "--json")
    assert result.exit_code == 0, result.output
    assert "credsim: warning: using 1 worker(s), not 4" in result.stderr
    assert json.loads(result.stdout)["replications"] == 4
