"""The dashboard's shell: a bug is a friendly line with a reference, hostile uploads are refused.

AppTest runs the page in this process (``tests/dashboard/test_dashboard.py``
says how). A bug shows "Something went wrong on our side" with a reference
and the traceback goes to the server's log under it; uploads that name files
outside the data (``..``, ``/proc``, ``/dev/zero``) or that would bomb the
TOML parser show one refusal line, no file content, and the page keeps working.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from sim.cli.dashboard import SETTINGS
from sim.dashboard import failures, scenario_page
from sim.limits import TOML_DEPTH_MAX, TOML_KEY_MAX_CHARS
from tests.dashboard.test_dashboard import FEW, UPLOAD, clean, started
from tests.paths import CHECKS

FRIENDLY = re.compile(
    r"^Something went wrong on our side; the details are in the server log, "
    r"reference (?P<ref>[0-9a-f]{8})\.$"
)
RATE_CARD = (CHECKS / "rate-card.toml").read_text(encoding="utf-8")
TABLE_LINE = 'table = "../rates/sample-usd.csv"'


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def server_log() -> Iterator[Records]:
    """What the dashboard writes to the server's log."""
    handler = Records()
    logger = failures.log()
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_error_details_are_off_in_the_config_and_the_flags() -> None:
    assert SETTINGS["client.showErrorDetails"] == "none"  # the config file: test_cli_dashboard


def test_a_bug_in_a_view_is_a_friendly_line_and_the_traceback_is_logged(
    server_log: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_args: object) -> str:
        raise ZeroDivisionError("forced for a test")

    monkeypatch.setattr(scenario_page, "scenario_text", boom)
    app = started(view="Scenario")
    assert not app.exception
    (shown,) = [str(item.value) for item in app.error]
    match = FRIENDLY.match(shown)
    assert match, shown
    (record,) = [r for r in server_log.records if r.levelno == logging.ERROR]
    assert record.getMessage() == f"internal error, reference {match['ref']}"
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    monkeypatch.undo()
    app.run()  # the page works again once the bug is gone
    clean(app)


def upload(app: AppTest, name: str, data: bytes) -> list[str]:
    """Upload a scenario file (the app ``started`` on ``UPLOAD``); the sidebar's messages."""
    app.file_uploader(key="scenario_upload").set_value((name, data, "application/toml")).run()
    return [str(item.value) for item in app.sidebar.error]


def still_works(app: AppTest) -> None:
    """Back to a bundled scenario: the KPI cards come back."""
    app.radio(key="source").set_value("Bundled").run()
    clean(app)
    assert app.metric


def traversal(table: str) -> bytes:
    return RATE_CARD.replace(TABLE_LINE, f'table = "{table}"').encode()


def deep_nesting() -> bytes:
    return ("[scenario]\nname = " + "[" * 5000 + "]" * 5000 + "\n").encode()


def long_dotted_key() -> bytes:
    return ("a" + ".a" * 2000 + " = 1\n").encode()  # quadratic in tomllib; 20,000 parts: 1.5 GB


HOSTILE = {
    "dotdot": traversal("../../../../etc/passwd"),
    "proc": traversal("/proc/self/environ"),
    "deep": deep_nesting(),
    "dotted": long_dotted_key(),
}
CONTENT = ("root:", "\x00", "PATH=", "HOME=", "Traceback")
"""What /etc/passwd and /proc/self/environ hold, and what a traceback starts with."""


def refused(app: AppTest, name: str) -> str:
    """Upload ``HOSTILE[name]``: the one error on the whole page, with no traceback and no NUL.

    Every hostile upload goes through here (the traversals and the bombs), so each
    also shows that nothing but its one refusal line is drawn, and no KPI card.
    """
    (shown,) = upload(app, f"{name}.toml", HOSTILE[name])
    assert not app.exception
    assert [str(item.value) for item in app.error] == [shown], "one error, in the sidebar"
    assert not any(text in shown for text in ("Traceback", "\x00")), shown
    assert not app.metric
    return shown


@pytest.mark.parametrize("name", ["dotdot", "proc"])
def test_a_rate_table_outside_the_bundle_is_refused_without_its_content(name: str) -> None:
    app = started(source=UPLOAD)
    shown = refused(app, name)
    assert not any(text in shown for text in CONTENT), "the message quotes the file"
    still_works(app)


@pytest.mark.parametrize(
    ("name", "limit"), [("deep", TOML_DEPTH_MAX), ("dotted", TOML_KEY_MAX_CHARS)]
)
def test_a_toml_bomb_is_refused_with_its_limit(name: str, limit: int) -> None:
    app = started(source=UPLOAD)
    shown = refused(app, name)
    assert not FRIENDLY.match(shown)
    assert f"{name}.toml" in shown and str(limit) in shown, shown
    still_works(app)


def test_dev_zero_as_a_rate_table_is_refused() -> None:
    app = started(source=UPLOAD)
    (shown,) = upload(app, "zero.toml", traversal("/dev/zero"))
    assert not app.exception and "\x00" not in shown
    still_works(app)


def test_a_demand_bank_over_the_time_budget_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDSIM_DASHBOARD_JOB_MAX_S", "0.001")
    app = AppTest.from_file(str(started.__globals__["APP"]), default_timeout=180)
    app.session_state["replications"] = FEW
    app.session_state["seed"] = 7_310_017  # a bank no other test built (the cache is shared)
    app.run()
    assert not app.exception
    (shown,) = [str(item.value) for item in app.error]
    assert shown.startswith(f"the demand of {FEW} replications took longer than the dashboard's")
    assert "CREDSIM_DASHBOARD_JOB_MAX_S" in shown
    assert not app.metric


def test_a_sweep_over_the_memory_budget_is_stopped_with_a_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = started(replications=4, view="Trade-offs")
    monkeypatch.setenv("CREDSIM_DASHBOARD_JOB_MAX_MB", "1")  # any worker process is bigger
    widget = next(item for item in app.button if item.label.startswith("Run the sweep"))
    widget.click().run()
    assert not app.exception
    (shown,) = [str(item.value) for item in app.error]
    assert shown.startswith("the sweep of 100 policies needed more than the dashboard's 0.0 GiB")


def test_a_scenario_may_use_a_rate_table_uploaded_with_it() -> None:
    """Uploads may name a bundled table or one uploaded beside them, and nothing else."""
    app = started(source=UPLOAD)
    (shown,) = upload(app, "mine.toml", traversal("my-rates.csv"))
    assert "my-rates.csv" in shown and not app.metric  # not uploaded (yet): refused by name
    table = (CHECKS.parent / "rates" / "sample-usd.csv").read_bytes()
    app.file_uploader(key="table_uploads").set_value([("my-rates.csv", table, "text/csv")]).run()
    assert not app.exception
    assert not app.sidebar.error, [str(item.value) for item in app.sidebar.error]
    clean(app)
    assert app.metric


def test_a_euro_upload_on_the_dollar_table_is_refused_naming_both_currencies() -> None:
    app = started(source=UPLOAD)
    euro = traversal("rates/sample-usd.csv").replace(b'currency = "USD"', b'currency = "EUR"')
    (shown,) = upload(app, "euro.toml", euro)
    assert not app.exception and not app.metric
    assert shown.startswith("euro.toml: scenario.currency is EUR but its rate table"), shown
    assert "sample-usd.csv is in USD" in shown
    still_works(app)
