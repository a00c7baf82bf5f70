"""The sidebar: which scenario, how the world is edited, which policy, how many replications.

Why every input lives here: the sidebar is drawn on every run, so its values
survive switching views, and every view reads the same ``Choice``. A bad
upload, an edit the schema refuses or a policy the currency cannot hold is
shown as the model's own message right below its inputs (``st.error``),
never as a traceback, and the views wait until it is fixed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import streamlit as st

from sim import limits
from sim.dashboard import explore, link, sidebar_objective, tenant_source
from sim.dashboard.explore import Edits
from sim.dashboard.sidebar_objective import percent_input
from sim.dashboard.state import Choice, bundled, edited, uploaded
from sim.errors import InputError
from sim.study.calibration import Calibration
from sim.study.experiment import Levers, portal_findings, scenario_levers
from sim.world.assumptions import delay_text
from sim.world.demand_key import demand_hash
from sim.world.distributions import mean_of
from sim.world.load import LoadedScenario
from sim.world.scenario import Scenario

DEFAULT_SCENARIO = "midsize"
DEFAULT_REPLICATIONS = 200
MAX_REPLICATIONS = 1000
YOUR_TENANT = "Your tenant"
SOURCES = ["Bundled", "Upload a TOML file", YOUR_TENANT]
TENANT_FILE = "tenant.toml"
Picked = tuple[LoadedScenario, bytes, Calibration | None]
SCENARIO_MAX_MB = max(1, explore.MAX_UPLOAD_BYTES // (1024 * 1024))
TABLE_MAX_MB = max(1, limits.RATE_TABLE_MAX_BYTES // (1024 * 1024))


def choose() -> Choice | None:
    """Draw the sidebar; the planner's choice, or None while an input is invalid."""
    bar = st.sidebar
    bar.header("Scenario")
    link.show_problems(bar)
    picked = _scenario(bar)
    if picked is None:
        return None
    base, source, calibration = picked
    scope = base.content_hash[:12]  # new scenario, fresh inputs at the file's values
    with bar.expander("Edit the world", expanded=False):
        world_edits = _edits(base.scenario, scope)
    with bar.expander("Objective", expanded=False):
        objective_edits = sidebar_objective.objective_edits(base.scenario, scope)
    edits = world_edits.with_objective_of(objective_edits)
    try:  # the world first: an edit of the objective alone keeps its hash (the demand's key)
        world = edited(base.content_hash, edits.world(), base) if edits.world() != Edits() else base
        objective = edits.objective()
        loaded = edited(world.content_hash, objective, world) if objective != Edits() else world
    except InputError as error:
        bar.error(f"Scenario edit refused: {error}")
        return None
    bar.header("Policy")
    levers = _levers(bar, loaded.scenario, scope)
    replications = int(
        bar.number_input(
            "Replications",
            2,
            MAX_REPLICATIONS,
            DEFAULT_REPLICATIONS,
            50,
            key="replications",
            help="Monte Carlo runs: more narrows the CIs, and takes "
            "longer the first time (the demand is then kept).",
        )
    )
    seed = int(bar.number_input("Seed", 0, 2**31 - 1, 1, key="seed"))
    if levers is None:
        return None
    file_levers = scenario_levers(loaded.scenario)
    return Choice(
        loaded, source, edits, levers, file_levers, replications, seed, world.content_hash, scope,
        calibration, demand_hash(base.content_hash, loaded.scenario),
    )  # fmt: skip


def _scenario(bar: st.delta_generator.DeltaGenerator) -> Picked | None:
    """A bundled scenario, an uploaded TOML file, or one fitted to the tenant's usage exports
    (an error shown below its uploader)."""
    source = bar.radio("Source", SOURCES, key="source", horizontal=True)
    if source == "Bundled":
        names = list(explore.bundled_scenarios())
        name = bar.selectbox("Scenario", names, index=names.index(DEFAULT_SCENARIO), key="scenario")
        return (*bundled(name), None)
    if source == YOUR_TENANT:
        return _tenant(bar)
    upload = bar.file_uploader(
        f"Scenario file (.toml, up to {SCENARIO_MAX_MB} MB)",
        type=["toml"],
        key="scenario_upload",
        max_upload_size=SCENARIO_MAX_MB,
        help="Parsed as TOML only. Its [rates] table names a bundled table "
        "(rates/sample-usd.csv) or one uploaded below; no other file is read.",
    )
    tables = bar.file_uploader(
        f"Rate tables it names (.csv, optional, up to {TABLE_MAX_MB} MB each)",
        type=["csv"],
        accept_multiple_files=True,
        key="table_uploads",
        max_upload_size=TABLE_MAX_MB,
    )
    if upload is None:
        bar.info("Upload a scenario file to see its results.")
        return None
    data = upload.getvalue()
    offered = tuple((table.name, table.getvalue()) for table in tables or ())
    try:
        return uploaded(data, upload.name, offered), data, None
    except InputError as error:
        bar.error(str(error))
        return None


def _tenant(bar: st.delta_generator.DeltaGenerator) -> Picked | None:
    """The scenario fitted to the uploaded exports, loaded like an uploaded file with its rates."""
    picked = tenant_source.choose(bar)
    if picked is None:
        return None
    data, calibration = picked
    table = ((calibration.rates_name, calibration.rates_csv.encode("utf-8")),)
    try:
        return uploaded(data, TENANT_FILE, table), data, calibration
    except InputError as error:  # a fitted scenario the loader refuses is a bug of the fit
        bar.error(f"The fitted scenario does not load: {error}")
        return None


def _edits(scenario: Scenario, scope: str) -> Edits:
    """The levers of the world a planner changes most; only what differs from the file counts."""
    users, meetings, pay = scenario.users, scenario.meetings, scenario.payments
    count = st.number_input("Users", 0, limits.USERS_MAX, users.count, 50, key=f"users@{scope}")
    growth = percent_input(
        "Monthly head-count growth (%)",
        float(users.monthly_growth),
        f"growth@{scope}",
        low=-50.0,
        step=0.1,
    )
    per_user = share = None
    if meetings is not None:
        per_user = st.number_input(
            "Meetings with dial-ins per user per day",
            0.0,
            100.0,
            float(meetings.per_user_per_day),
            0.005,
            "%.3f",
            key=f"meetings@{scope}",
        )
        share = percent_input(
            "Toll-free share of dial-ins (%)",
            float(meetings.toll_free_share),
            f"tollfree@{scope}",
            step=5.0,
        )
    stated_delay = pay.processing_delay_h  # a number, or a distribution shown by its mean
    delay_h = stated_delay if isinstance(stated_delay, float) else mean_of(stated_delay)
    delay = st.number_input(
        "Recharge processing delay (h)",
        0.0,
        720.0,
        delay_h,
        0.5,
        key=f"delay@{scope}",
        help=None
        if isinstance(stated_delay, float)
        else f"The scenario draws it ({delay_text(stated_delay)}); a change makes it fixed.",
    )
    failure = percent_input(
        "Recharge failure probability (%)",
        float(pay.failure_probability),
        f"failure@{scope}",
        step=1.0,
    )
    expires, renewed, no_expiry = _card(scenario, scope)

    def changed(value: object, original: object) -> object:
        return None if value == original else value

    return Edits(
        users=changed(count, users.count),  # type: ignore[arg-type]
        monthly_growth=growth,
        meetings_per_user_per_day=None
        if meetings is None
        else changed(per_user, float(meetings.per_user_per_day)),  # type: ignore[arg-type]
        toll_free_share=share,
        processing_delay_h=changed(delay, delay_h),  # type: ignore[arg-type]
        failure_probability=failure,
        card_expires=expires,
        card_renewed=renewed,
        no_card_expiry=no_expiry,
    )


def _card(scenario: Scenario, scope: str) -> tuple[datetime | None, datetime | None, bool]:
    """Card expiry and renewal dates (midnight UTC) where they differ from the file's.

    Unticking drops the file's expiry; a renewal left empty means "never renewed".
    """
    pay = scenario.payments
    on = st.checkbox("The card expires", pay.card_expires is not None, key=f"card@{scope}")
    if not on:
        return None, None, pay.card_expires is not None
    own_expires = pay.card_expires.date() if pay.card_expires else None
    own_renewed = pay.card_renewed.date() if pay.card_renewed else None
    expires = st.date_input(
        "Card expires on", own_expires or scenario.scenario.start.date(), key=f"expires@{scope}"
    )
    renewed = st.date_input("Card renewed on (empty: never)", own_renewed, key=f"renewed@{scope}")
    new = pay.card_expires is None  # a new expiry: both dates are the planner's

    def midnight(day: date | None, own: date | None) -> datetime | None:
        if day is None or (day == own and not new):
            return None
        return datetime.combine(day, time(), tzinfo=UTC)

    return midnight(expires, own_expires), midnight(renewed, own_renewed), False


def _levers(
    bar: st.delta_generator.DeltaGenerator, scenario: Scenario, scope: str
) -> Levers | None:
    """Trigger, amount and initial balance; the model's message below them when refused."""
    own = scenario_levers(scenario)
    link.apply_policy(scope)
    auto = bar.toggle("Auto-recharge", own.auto_recharge, key=f"auto@{scope}")
    trigger = bar.number_input(
        "Trigger (recharge when the balance falls below)",
        0.0,
        None,
        float(own.trigger or 400),
        50.0,
        "%.2f",
        key=f"trigger@{scope}",
        disabled=not auto,
    )
    amount = bar.number_input(
        "Recharge amount",
        0.0,
        None,
        float(own.amount or 1000),
        50.0,
        "%.2f",
        key=f"amount@{scope}",
        disabled=not auto,
    )
    initial = bar.number_input(
        "Initial balance", 0.0, None, float(own.initial), 50.0, "%.2f", key=f"initial@{scope}"
    )
    try:
        levers = explore.policy_levers(
            scenario,
            initial=initial,
            trigger=trigger if auto else None,
            amount=amount if auto else None,
        )
    except InputError as error:
        bar.error(f"Policy refused: {error}")
        return None
    for finding in portal_findings(scenario.scenario.currency, levers):
        bar.warning(f"Admin portal: {finding.message()}")  # simulated all the same
    return levers
