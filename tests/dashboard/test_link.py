"""The page's address as a link (sim/dashboard/link.py): read once, kept up to date.

The parsing is checked as plain functions; the page is run headless by
``AppTest`` with the parameters a browser's address would carry (small-team,
a few replications: a link's checks do not depend on size).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from sim.dashboard import link
from sim.study.experiment import Levers
from tests.paths import ROOT

APP = str(ROOT / "app_dashboard.py")
BOUNDS = link.Bounds(["midsize", "small-team"], ["Policy", "Demand"], 2, 1000)
SHARED = {
    "scenario": "small-team", "trigger": "250", "amount": "500", "initial": "300",
    "replications": "3", "seed": "7", "view": "Policy",
}  # fmt: skip


@pytest.fixture(autouse=True)
def main_module_restored() -> Iterator[None]:
    """AppTest leaves ``sys.modules["__main__"]`` set to the app (see test_dashboard.py)."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def test_a_link_reads_back_what_the_page_wrote() -> None:
    levers = Levers(initial=Decimal("300"), trigger=Decimal("250.5"), amount=Decimal("500.00"))
    written = link.write("small-team", levers, 3, 7, "Demand")
    assert written == {
        "scenario": "small-team", "trigger": "250.5", "amount": "500", "initial": "300",
        "replications": "3", "seed": "7", "view": "Demand",
    }  # fmt: skip
    opened = link.read(written, BOUNDS)
    assert opened.problems == []
    assert opened.values == {
        "scenario": "small-team", "trigger": Decimal("250.5"), "amount": Decimal("500"),
        "initial": Decimal("300"), "replications": 3, "seed": 7, "view": "Demand",
    }  # fmt: skip
    off = link.write(
        "midsize", Levers(initial=Decimal(1000), trigger=None, amount=None), 2, 0, "Policy"
    )
    assert off["trigger"] == "off" and "amount" not in off
    assert link.read(off, BOUNDS).values["trigger"] is None
    assert link.write(None, levers, 3, 7, "Policy") == {}  # an upload or an edit: a bare address


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("scenario", "../../etc/passwd", "a bundled scenario's name"),
        ("view", "Admin", "one of Policy, Demand"),
        ("replications", "1", "a whole number from 2 to 1,000"),
        ("replications", "1001", "a whole number from 2 to 1,000"),
        ("replications", "2e3", "a whole number from 2 to 1,000"),
        ("replications", "\u00b2", "a whole number from 2 to 1,000"),
        ("seed", "9" * 5000, "a whole number from 0 to 2,147,483,647"),
        ("seed", "-4", "a whole number from 0 to 2,147,483,647"),
        ("trigger", "nan", "an amount of 0 or more with at most 2 decimals, or off"),
        ("trigger", "12.345", "an amount of 0 or more with at most 2 decimals, or off"),
        ("trigger", "0.5", ""),
        ("amount", "-5", "an amount of 0 or more with at most 2 decimals"),
        ("initial", "1e999999", "an amount of 0 or more with at most 2 decimals"),
    ],
)
def test_a_bad_parameter_is_one_warning_naming_it_and_the_rest_is_taken(
    key: str, text: str, expected: str
) -> None:
    opened = link.read({**SHARED, key: text}, BOUNDS)
    if not expected:  # a good value among the bad ones: taken
        assert opened.problems == []
        assert opened.values[key] == Decimal(text)
        return
    shown = text if len(text) <= link.SHOWN_MAX else text[: link.SHOWN_MAX] + "..."
    assert opened.problems == [f"Link parameter {key}={shown!r} ignored: {expected}."]
    assert key not in opened.values
    assert len(opened.values) == len(SHARED) - 1


def test_the_page_opens_on_its_link_and_keeps_its_address_up_to_date() -> None:
    app = AppTest.from_file(APP, default_timeout=180)
    app.query_params.update(SHARED)
    app.run()
    assert not app.exception, app.exception
    assert app.selectbox(key="scenario").value == "small-team"
    assert app.number_input(key="replications").value == 3
    assert app.number_input(key="seed").value == 7
    assert next(item.value for item in app.subheader) == "Policy T250/A500/I300 over 3 replications"
    assert app.query_params == SHARED

    trigger = next(item for item in app.number_input if item.key.startswith("trigger@"))
    trigger.set_value(200.0).run()
    assert app.query_params["trigger"] == "200"  # the address follows the sidebar
    assert app.query_params["seed"] == "7"

    app.number_input(key=next(k for k in _keys(app) if k.startswith("users@"))).set_value(40).run()
    assert app.query_params == {}  # an edited world cannot travel in a link


def test_a_bad_link_warns_once_and_opens_the_sidebars_values() -> None:
    app = AppTest.from_file(APP, default_timeout=180)
    app.query_params.update({"scenario": "small-team", "replications": "3", "seed": "x1"})
    app.run()
    assert not app.exception, app.exception
    assert [item.value for item in app.sidebar.warning] == [
        "Link parameter seed='x1' ignored: a whole number from 0 to 2,147,483,647."
    ]
    assert app.number_input(key="seed").value == 1  # the sidebar's default
    assert app.query_params["seed"] == "1"  # the address now says what the page shows
    app.run()
    assert not [item.value for item in app.sidebar.warning if "Link parameter" in item.value]


def _keys(app: AppTest) -> list[str]:
    return [item.key for item in app.number_input if item.key is not None]
