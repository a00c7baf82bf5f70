"""The page's address as a link: a bundled scenario, its policy, replications, seed and view.

Why: a planner who has found a policy sends a colleague the address bar, and the colleague
must see the same figures (the same policy and seed give the same figure on every screen).
So the page keeps its address up to date, for example
``?scenario=midsize&trigger=400&amount=1000&initial=1000&replications=200&seed=1&view=Policy``
(``trigger=off`` when auto-recharge is off), and opening such an address sets the sidebar to
it once, when the session starts; the sidebar rules after that. A value the sidebar would not
take is one warning naming the parameter, and the sidebar's own value is used instead.

What a link cannot carry: an uploaded scenario, "Your tenant" (the exports stay in the
planner's browser session) and edits of the world or the objective. The address is then
left bare, so that nobody opens a link that shows other figures than the sender's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import streamlit as st

from sim.dashboard.explore import Edits, bundled_scenarios
from sim.dashboard.state import Choice
from sim.study.experiment import Levers

SCENARIO, TRIGGER, AMOUNT, INITIAL = "scenario", "trigger", "amount", "initial"
REPLICATIONS, SEED, VIEW = "replications", "seed", "view"
KEYS = (SCENARIO, TRIGGER, AMOUNT, INITIAL, REPLICATIONS, SEED, VIEW)
"""The parameters a link carries, in the order the page writes them."""
OFF = "off"
"""``trigger=off``: auto-recharge off (the amount is then not written)."""
SEED_MAX = 2**31 - 1
REPLICATIONS_MIN = 2
SHOWN_MAX = 40
"""Characters of a refused value repeated in its warning (an address may be long)."""
CENT = Decimal("0.01")
AMOUNT_DIGITS_MAX = 15
"""Digits before the point a link's amount may have (the model's own ceiling, far lower,
is checked by the sidebar like a typed amount)."""
_OPENED, _POLICY, _PROBLEMS = "link@opened", "link@policy", "link@problems"
"""Session keys: the link was read; its policy, waiting for the scenario's widgets; its
warnings, shown once."""


@dataclass(frozen=True)
class Bounds:
    """What the sidebar accepts: the names a link may open and the replications' range."""

    scenarios: Sequence[str]
    views: Sequence[str]
    replications_min: int
    replications_max: int


@dataclass
class Opened:
    """What a link asks of the sidebar, and a warning per parameter it could not take."""

    values: dict[str, object] = field(default_factory=dict)
    """Sidebar values by parameter: str (scenario, view), int (replications, seed), Decimal
    (amount, initial) and Decimal or None (trigger: None is auto-recharge off)."""
    problems: list[str] = field(default_factory=list)


def read(params: Mapping[str, str], bounds: Bounds) -> Opened:
    """The sidebar values a link's parameters ask for (unknown parameters are ignored)."""
    opened = Opened()
    for key in KEYS:
        text = params.get(key)
        if text is None:
            continue
        value, expected = _parse(key, text.strip(), bounds)
        if expected:
            shown = text if len(text) <= SHOWN_MAX else f"{text[:SHOWN_MAX]}..."
            opened.problems.append(f"Link parameter {key}={shown!r} ignored: {expected}.")
        else:
            opened.values[key] = value
    return opened


def _parse(key: str, text: str, bounds: Bounds) -> tuple[object, str]:
    """The value of one parameter, or what was expected instead (empty when it parsed)."""
    if key == SCENARIO:
        return text, "" if text in bounds.scenarios else "a bundled scenario's name"
    if key == VIEW:
        return text, "" if text in bounds.views else f"one of {', '.join(bounds.views)}"
    if key in (REPLICATIONS, SEED):
        low, high = (
            (bounds.replications_min, bounds.replications_max)
            if key == REPLICATIONS
            else (0, SEED_MAX)
        )
        number = int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else -1
        return number, "" if low <= number <= high else f"a whole number from {low} to {high:,}"
    if key == TRIGGER and text == OFF:
        return None, ""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(-1)
    if (
        amount.is_finite()
        and amount >= 0
        and amount.adjusted() <= AMOUNT_DIGITS_MAX
        and amount == amount.quantize(CENT)
    ):
        return amount, ""
    return amount, "an amount of 0 or more with at most 2 decimals" + (
        f", or {OFF}" if key == TRIGGER else ""
    )


def write(
    scenario: str | None, levers: Levers, replications: int, seed: int, view: str
) -> dict[str, str]:
    """The parameters of the page as it shows now; empty when it cannot travel in a link
    (``scenario`` None: uploaded, fitted or edited)."""
    if scenario is None:
        return {}
    params = {SCENARIO: scenario}
    if levers.trigger is not None and levers.amount is not None:  # auto-recharge on
        params |= {TRIGGER: _money(levers.trigger), AMOUNT: _money(levers.amount)}
    else:
        params[TRIGGER] = OFF
    return params | {
        INITIAL: _money(levers.initial),
        REPLICATIONS: str(replications),
        SEED: str(seed),
        VIEW: view,
    }


def _money(amount: Decimal) -> str:
    """``400`` for 400.00, ``12.5`` for 12.50: the shortest exact text."""
    text = format(amount.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def open_once(views: Sequence[str], replications_max: int) -> None:
    """At a session's first run: the address's parameters become the sidebar's values.

    Set before the widgets are drawn (Streamlit takes a keyed widget's value from the
    session state); the policy waits in the session for ``apply_policy``, whose widget keys
    depend on the scenario.
    """
    if _OPENED in st.session_state:
        return
    st.session_state[_OPENED] = True
    params = {key: str(st.query_params[key]) for key in KEYS if key in st.query_params}
    bounds = Bounds(list(bundled_scenarios()), views, REPLICATIONS_MIN, replications_max)
    opened = read(params, bounds)
    st.session_state[_PROBLEMS] = opened.problems
    values = opened.values
    if SCENARIO in values:
        st.session_state["source"] = "Bundled"
        st.session_state["scenario"] = values[SCENARIO]
    for key in (REPLICATIONS, SEED, VIEW):
        if key in values:
            st.session_state[key] = values[key]
    st.session_state[_POLICY] = {
        key: values[key] for key in (TRIGGER, AMOUNT, INITIAL) if key in values
    }


def apply_policy(scope: str) -> None:
    """The link's policy into the policy widgets of the scenario (``trigger@<scope>``...)."""
    policy = st.session_state.pop(_POLICY, None)
    if not policy:
        return
    if TRIGGER in policy:
        trigger = policy[TRIGGER]
        st.session_state[f"auto@{scope}"] = trigger is not None
        if trigger is not None:
            st.session_state[f"trigger@{scope}"] = float(trigger)
    for key in (AMOUNT, INITIAL):
        if key in policy:
            st.session_state[f"{key}@{scope}"] = float(policy[key])


def show_problems(bar: st.delta_generator.DeltaGenerator) -> None:
    """The link's warnings, on the first run only (the address is rewritten after it)."""
    for problem in st.session_state.pop(_PROBLEMS, []):
        bar.warning(problem)


def keep(choice: Choice, view: str) -> None:
    """The address follows the page (left bare for what a link cannot carry)."""
    travels = st.session_state.get("source") == "Bundled" and choice.edits == Edits()
    scenario = str(st.session_state.get("scenario")) if travels else None
    params = write(scenario, choice.levers, choice.replications, choice.seed, view)
    if dict(st.query_params.to_dict()) != params:
        st.query_params.from_dict(params)
