"""What every page shares: the planner's choice, and the caches that keep a change fast.

Why caches here: generating a scenario's demand is the slow part (about 3.5 s
for 200 replications of midsize, a minute on enterprise), a policy is fast to
replay against it. So the ``DemandBank`` is built once per (demand hash, seed,
replications) and kept (``st.cache_resource``: one shared object, never
copied). The demand hash (``sim.world.demand_key``) covers only what demand
depends on: an edit of the payments, the policy or the objective replays the
same bank. Each policy's view is cached by the world's key plus its levers and
the objective (``st.cache_data``). Functions here call ``sim`` and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from sim.account.ledger import JournalEntry
from sim.account.policy import Policy
from sim.account.run_spec import RunSpec
from sim.calls.excel_dates import DateOrder
from sim.dashboard import explore, usage_upload
from sim.dashboard.bank_workers import return_freed_memory
from sim.dashboard.explore import DemandBank, DemandPicture, Edits, PolicyView
from sim.dashboard.jobs import Watch
from sim.limits import DASHBOARD_JOB_MAX_BYTES
from sim.study.backtest import Backtest
from sim.study.calibration import Calibration
from sim.study.experiment import Levers, build_policy, run_spec
from sim.study.grid import Grid
from sim.study.rescore import rescored
from sim.study.sweep import Swept
from sim.study.trace import PathPicture
from sim.world import bundled as bundled_files
from sim.world.load import LoadedScenario, load_scenario

PATHS_KEPT = 4
"""Sample paths kept (``path_figures``): each holds replication 1's journal, 16 MB of columns
pickled on ``enterprise`` (Streamlit's data cache keeps them pickled), so 32 could hold
0.5 GB."""
BANKS_KEPT = 2
"""Demand banks kept in memory (each holds every replication's charged calls, compact)."""
MAX_BANK_BYTES = DASHBOARD_JOB_MAX_BYTES
"""The most one bank may hold by default (``Budget.current`` reads the server's setting):
1,000 replications of enterprise (about 2.5 GB, compact) fit in 4 GiB."""


@dataclass(frozen=True)
class Choice:
    """The scenario (as edited) and the policy the planner is looking at."""

    loaded: LoadedScenario
    source: bytes
    """The scenario file's bytes, as read or uploaded (shown in the Scenario view)."""
    edits: Edits
    levers: Levers
    file_levers: Levers
    """The scenario file's own policy: the baseline the KPI cards' changes are measured from."""
    replications: int
    seed: int
    demand_hash: str = ""
    """The content hash of the scenario without its objective's edits (default: ``loaded``'s):
    what the demand and the payments depend on."""
    scope: str = ""
    """The suffix of the sidebar's widget keys for this scenario (``trigger@<scope>``)."""
    calibration: Calibration | None = None
    """How the scenario was fitted to the tenant's exports ("Your tenant"), else None."""
    bank_hash: str = ""
    """What the demand alone depends on (``sim.world.demand_key.demand_hash``; default:
    ``key``'s hash): payments, policy and objective edits keep it."""

    @property
    def currency(self) -> str:
        """The scenario's currency code."""
        return self.loaded.scenario.scenario.currency

    @property
    def key(self) -> tuple[str, int, int]:
        """What a demand bank is built from: (content hash without the objective, seed,
        replications); an edit of the objective alone keeps the bank."""
        return self.demand_hash or self.loaded.content_hash, self.seed, self.replications

    @property
    def bank_key(self) -> tuple[str, int, int]:
        """What a demand bank is built from: (demand hash, seed, replications)."""
        return self.bank_hash or self.key[0], self.seed, self.replications

    @property
    def objective_key(self) -> str:
        """The objective's prices as text: what the cost figures depend on beyond ``key``."""
        return self.loaded.scenario.objective.model_dump_json()


@st.cache_resource(max_entries=16, show_spinner=False)
def bundled(name: str) -> tuple[LoadedScenario, bytes]:
    """A bundled scenario, validated, with its file's bytes."""
    path = explore.bundled_scenarios()[name]
    # scenarios/midsize.toml in messages and report commands when run from the repository root
    return load_scenario(bundled_files.shown(path)), path.read_bytes()


@st.cache_resource(max_entries=8, show_spinner=False)
def uploaded(data: bytes, name: str, tables: tuple[tuple[str, bytes], ...] = ()) -> LoadedScenario:
    """An uploaded scenario (TOML only, size-limited) and the rate tables uploaded with it.

    Its ``[rates].table`` may name only one of those or a bundled table
    (docs/limits.md); InputError is raised, never cached.
    """
    return explore.scenario_upload(data, name, dict(tables))


@st.cache_resource(max_entries=16, show_spinner=False)
def edited(content_hash: str, edits: Edits, _loaded: LoadedScenario) -> LoadedScenario:
    """The scenario with the planner's edits, validated again (InputError names the key)."""
    return explore.edited(_loaded, edits)


@st.cache_resource(
    max_entries=BANKS_KEPT,
    show_spinner="Generating the demand of every replication (once per scenario, seed and "
    "replication count)...",
    show_time=True,
)
def demand_bank(
    demand_hash: str,
    seed: int,
    replications: int,
    _loaded: LoadedScenario,
    _first: tuple[Policy, RunSpec] | None = None,
) -> DemandBank:
    """Every replication's demand, generated once and replayed under each policy.

    Keyed by ``demand_hash``: ``_loaded`` may carry other payments, policy or
    objective than the scenario a later policy is replayed under.

    Generated in worker processes when it is big (``sim.dashboard.bank_workers``).
    Checked after every replication and, with workers, every quarter second with
    their memory (``sim.dashboard.jobs``): it stops, its workers terminated, when its
    tab closes or a budget runs out; its size is checked after the first.

    ``_first``: the policy the page shows first, replayed on each replication as it
    arrives (``DemandBank.build``), so the KPI cards need no second pass.
    """
    watch = Watch(f"the demand of {replications:,} replications")
    built = DemandBank.build(
        _loaded,
        seed,
        replications,
        max_bytes=watch.budget.max_bytes,
        check=watch.check,
        first=_first,
    )
    watch.done()
    return built


def bank(choice: Choice) -> DemandBank:
    """The choice's demand bank (built on first use, with a spinner, replaying the
    choice's policy as it is built: ``demand_bank``)."""
    return demand_bank(*choice.bank_key, choice.loaded, _first_policy(choice))


def _first_policy(choice: Choice) -> tuple[Policy, RunSpec] | None:
    """The choice's policy and run terms, as ``explore.policy_view`` replays them; None when
    a lever is not valid (that replay reports it, as before)."""
    scenario = choice.loaded.scenario
    try:
        return build_policy(scenario, choice.levers), run_spec(scenario)
    except ValueError:
        return None


@st.cache_data(max_entries=32, show_spinner="Replaying the policy against every replication...")
def policy_figures(
    content_hash: str,
    seed: int,
    replications: int,
    objective: str,
    levers: Levers,
    _choice: Choice,
) -> PolicyView:
    """KPIs and balance bands of one policy over every replication, under the choice's
    payments (``content_hash``: the world as edited) and priced at ``objective``."""
    return explore.policy_view(bank(_choice), levers, _choice.loaded.scenario)


def policy_view(choice: Choice, levers: Levers) -> PolicyView:
    """The cached KPIs of ``levers`` on the choice's scenario and replications."""
    return policy_figures(*choice.key, choice.objective_key, levers, choice)


@st.cache_data(max_entries=PATHS_KEPT, show_spinner="Replaying replication 1 entry by entry...")
def path_figures(content_hash: str, seed: int, levers: Levers, _choice: Choice) -> PathPicture:
    """Replication 1 with its journal (the same whatever the replication count), replayed on
    the calls the demand bank kept (generated once, with the run's call numbers).

    Replayed in a worker process (``sim.dashboard.path_worker``), stopped with the tab or
    its budget (``Watch``): on ``enterprise`` the replay's call records and journal entries
    took about 130 MB of Python objects and left the server 110-170 MB larger after each
    new policy, what it freed kept in partly used arenas (docs/performance-history.md); the server
    receives the Outcome and the journal's columns. What unpickling them and laying them
    out freed is given back to the system (``return_freed_memory``)."""
    watch = Watch("replication 1's sample path")
    calls = bank(_choice).sample_calls()
    picture = explore.policy_path(_choice.loaded, seed, levers, calls, check=watch.check)
    watch.done()
    return_freed_memory()
    return picture


def policy_path(choice: Choice, levers: Levers) -> PathPicture:
    """The cached sample path of ``levers`` on the choice's scenario and seed."""
    return path_figures(choice.loaded.content_hash, choice.seed, levers, choice)


@st.cache_data(max_entries=16, show_spinner="Comparing the policies...")
def comparison(
    content_hash: str,
    seed: int,
    replications: int,
    objective: str,
    levers: tuple[Levers, ...],
    _choice: Choice,
) -> pd.DataFrame:
    """Up to three policies side by side (``sim.dashboard.explore.comparison``)."""
    return explore.comparison(bank(_choice), levers, _choice.loaded.scenario)


@st.cache_data(max_entries=8, show_spinner="Generating one replication's demand...")
def demand_picture(content_hash: str, seed: int, _loaded: LoadedScenario) -> DemandPicture:
    """Replication 1's demand, tallied for the demand view."""
    return explore.demand_picture(_loaded, seed)


@st.cache_data(max_entries=4, show_spinner="Replaying the usage report under each policy...")
def backtests(
    data: bytes, name: str, levers: tuple[Levers, ...], date_order: DateOrder | None = None
) -> Sequence[tuple[Levers, Backtest, list[JournalEntry]]]:
    """The upload replayed under each policy (any format the CLI reads, size-limited;
    InputError otherwise); ``date_order`` for Excel's slashed dates (None: from the file)."""
    watch = Watch("the backtest")
    results = usage_upload.backtest_upload(data, name, levers, watch.check, date_order)
    watch.done()
    return results


def keep_sweep(choice: Choice, output: Swept, grid: Grid) -> None:
    """Keep the session's last sweep (one at a time), tied to the scenario it was run on."""
    st.session_state["sweep"] = (choice.key[0], choice.objective_key, output, grid)


def kept_sweep(choice: Choice) -> tuple[Swept, Grid] | None:
    """The session's last sweep if it was run on this world (as edited), else None.

    A sweep run under other objective prices is scored again at the sidebar's
    (``sim.study.rescore``: its runs are kept, nothing is simulated again).
    """
    kept = st.session_state.get("sweep")
    if kept is None or kept[0] != choice.key[0]:
        return None
    demand, objective, output, grid = kept
    if objective != choice.objective_key:
        output = rescored(output, choice.loaded.scenario)
        st.session_state["sweep"] = (demand, choice.objective_key, output, grid)
    return output, grid
