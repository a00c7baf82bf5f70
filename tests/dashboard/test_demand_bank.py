"""The kept demand (issue 15): payments edits reuse it, and its figures are ``credsim run``'s.

The bank is keyed by the demand alone (``sim.world.demand_key``), so a
payments edit must replay the SAME bank under the edited payments and give
what a bank built from the edited scenario gives; the KPI cards must equal
the run command's summary for the same scenario, seed and replications.
"""

from __future__ import annotations

import json
import sys
import types
from decimal import Decimal

import numpy as np
import psutil
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from sim.cli.commands import main
from sim.dashboard import app as app_module
from sim.dashboard import demand_bank, explore, state
from sim.dashboard.demand_bank import engine_bytes, kept_budget
from sim.dashboard.explore import DemandBank, Edits
from sim.study.experiment import Levers, scenario_levers
from sim.study.runner import replication_seeds
from sim.study.trace import traced_run
from sim.world import bundled
from sim.world.demand import generate
from sim.world.load import LoadedScenario, load_scenario
from tests.dashboard.test_dashboard import APP, TIMEOUT_S, clean, kpis, started, widget
from tests.dashboard.test_objective_verdict import builds

__all__ = ["builds"]  # the fixture, used by name below
LEAN = Levers(Decimal(20), Decimal(10), Decimal(30))  # recharges often: payments matter


def test_a_payments_edit_replays_the_same_demand_under_the_new_payments(
    tiny: LoadedScenario,
) -> None:
    bank = DemandBank.build(tiny, seed=5, replications=3)
    slow = explore.edited(tiny, Edits(processing_delay_h=96.0, failure_probability=0.5))
    reused = explore.policy_view(bank, LEAN, slow.scenario).kpis
    rebuilt = explore.policy_view(DemandBank.build(slow, seed=5, replications=3), LEAN).kpis
    assert reused == rebuilt
    assert reused != explore.policy_view(bank, LEAN).kpis  # the bank's own payments differ


def test_a_payments_edit_keeps_the_bank(builds: list[int]) -> None:
    """A demand edit builds a new bank: ``test_objective_verdict`` (its "Users" step)."""
    app = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    app.session_state["replications"] = 3
    app.session_state["seed"] = 915_001  # a demand no other test has cached
    app.run()
    clean(app)
    assert builds == [3]
    before = kpis(app)
    widget(app, "number_input", "Recharge processing delay (h)").set_value(240.0).run()
    clean(app)
    assert builds == [3], "payments do not change the demand"
    assert kpis(app) != before  # replayed under the new payments


@pytest.mark.parametrize("replications", [3])
def test_the_cards_equal_credsim_run_on_midsize(midsize: LoadedScenario, replications: int) -> None:
    """Midsize, not enterprise: the same code path, in seconds instead of a minute."""
    seed = 8
    bank = DemandBank.build(midsize, seed, replications)
    levers = scenario_levers(midsize.scenario)
    cards = explore.policy_view(bank, levers).kpis
    args = ["run", str(midsize.path), "--replications", str(replications), "--seed", str(seed),
            "--workers", "1", "--json"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    figures = run["per_year"] | {"mean_balance": run["metrics"]["mean_balance"]}
    assert set(cards) <= set(figures)
    for name, card in cards.items():
        shown = card.rounded()
        stated = figures[name]
        assert (shown.estimate, shown.ci_low, shown.ci_high) == (
            stated.get("estimate", stated.get("mean")),
            stated["ci_low"],
            stated["ci_high"],
        ), name


@pytest.mark.parametrize("workers", [1, 2])
def test_the_first_policy_replayed_while_the_bank_is_built_equals_a_replay(
    midsize: LoadedScenario, workers: int
) -> None:
    """Its Outcomes come from the build (no second pass) and equal a bank's own replay, in
    replication order whichever worker finished first; they answer that policy once."""
    policy = explore.build_policy(midsize.scenario, scenario_levers(midsize.scenario))
    spec = explore.run_spec(midsize.scenario)
    bank = DemandBank.build(midsize, 6, 3, workers=workers, first=(policy, spec))
    assert bank.first is not None
    built = bank.first[2]
    assert DemandBank.build(midsize, 6, 3, workers=1).outcomes(policy, spec) == built
    assert bank.outcomes(policy, spec) is built and bank.first is None  # answered, dropped
    assert bank.outcomes(policy, spec) == built  # replayed again, the same
    other = explore.build_policy(midsize.scenario, LEAN)
    again = DemandBank.build(midsize, 6, 3, workers=workers, first=(policy, spec))
    assert again.outcomes(other, spec) != built and again.first is not None  # not that policy


def test_engine_arrays_are_kept_within_their_budget(
    tiny: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept replications replay without a rebuild; past the budget they are rebuilt each time,
    with the same Outcomes either way."""
    bank = DemandBank.build(tiny, seed=5, replications=3)
    policy = explore.build_policy(tiny.scenario, LEAN)
    first = bank.outcomes(policy)
    assert sorted(bank.kept) == [0, 1, 2]
    assert bank.kept_bytes == sum(engine_bytes(prepared) for prepared in bank.kept.values()) > 0
    kept = dict(bank.kept)
    assert bank.outcomes(policy) == first
    assert all(bank.kept[index] is kept[index] for index in kept)  # reused, not rebuilt
    one = engine_bytes(kept[0])
    monkeypatch.setattr(demand_bank, "DASHBOARD_KEPT_ENGINE_BYTES", one)
    lean = DemandBank.build(tiny, seed=5, replications=3)
    assert lean.outcomes(policy) == first
    assert sorted(lean.kept) == [0] and lean.kept_bytes == one


def test_the_sample_path_replays_the_kept_calls_with_the_runs_call_numbers() -> None:
    """small-team: most calls are free, so a charged call's number is not its charged index."""
    loaded = load_scenario(bundled.scenarios()["small-team"])
    bank = DemandBank.build(loaded, seed=5, replications=2, workers=1)
    demand_seed, _ = replication_seeds(5, 1)[0]
    generated = generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed))
    kept = bank.sample_stream()
    assert generated.free_count > 0 and kept.free_count == generated.free_count
    assert list(kept.calls(skip_free=True)) == list(generated.calls(skip_free=True))
    levers = scenario_levers(loaded.scenario)
    again = traced_run(loaded, levers, seed=5)
    shown = explore.policy_path(loaded, 5, levers, bank.sample_calls()).trace
    assert list(shown.entries) == again.entries and shown.outcome == again.outcome
    assert bank.compact[0].nbytes > bank.compact[1].nbytes  # only replication 1 keeps refs


def test_a_big_bank_keeps_fewer_engine_arrays(
    tiny: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept engine arrays get what the compact demand leaves of the bank's total."""
    bank = DemandBank.build(tiny, seed=5, replications=3)
    policy = explore.build_policy(tiny.scenario, LEAN)
    first = bank.outcomes(policy)
    one = engine_bytes(bank.kept[0])
    monkeypatch.setattr(demand_bank, "DASHBOARD_BANK_KEPT_TOTAL_BYTES", bank.nbytes + one)
    lean = DemandBank.build(tiny, seed=5, replications=3)
    assert lean.kept_budget == one
    assert lean.outcomes(policy) == first and sorted(lean.kept) == [0]
    monkeypatch.setattr(demand_bank, "DASHBOARD_BANK_KEPT_TOTAL_BYTES", bank.nbytes // 2)
    bare = DemandBank.build(tiny, seed=5, replications=3)
    assert bare.kept_budget == 0
    assert bare.outcomes(policy) == first and not bare.kept


def test_enterprise_at_200_replications_keeps_one_replications_arrays_at_most() -> None:
    """Measured on enterprise (docs/performance-history.md): 1.43 MB of compact demand and 27 MiB of
    engine arrays a replication. Kept arrays are a cache; issue 15's 1 GB is not."""
    one_replication = 27 * 2**20
    assert kept_budget(200 * 1_430_000) < 2 * one_replication
    assert kept_budget(200 * 200_000) > 200 * 2**20  # midsize (0.2 MB a replication) keeps many


def test_only_the_bank_in_use_keeps_engine_arrays(tiny: LoadedScenario) -> None:
    """Two banks in one server: replaying one drops the other's kept arrays (a cache)."""
    policy = explore.build_policy(tiny.scenario, LEAN)
    first, second = (DemandBank.build(tiny, seed, replications=2) for seed in (5, 6))
    before = first.outcomes(policy)
    assert first.kept and first.kept_bytes > 0
    second.outcomes(policy)
    assert not first.kept and first.kept_bytes == 0 and second.kept
    assert first.outcomes(policy) == before  # rebuilt from its compact calls, and kept again
    assert first.kept and not second.kept
    DemandBank.build(tiny, seed=7, replications=1)  # a new bank: the memory goes to it
    assert not first.kept and first.kept_bytes == 0


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc_trim")
def test_freed_arrays_go_back_to_the_system() -> None:
    """Arrays of a few MB freed after a large one stay in glibc's heap until trimmed."""
    large = np.ones(16 * 2**20 // 8)  # freeing it raises glibc's mmap threshold to 16 MB
    del large
    arrays = [np.ones(2 * 2**20 // 8) for _ in range(64)]  # 128 MB, now from the heap
    last = arrays[-1]
    del arrays
    before = psutil.Process().memory_info().rss
    demand_bank.return_freed_memory()
    assert before - psutil.Process().memory_info().rss > 64 * 2**20
    assert last.sum() == len(last)  # still alive: only freed pages went back


def test_a_sample_path_is_replayed_in_a_worker_and_gives_its_freed_memory_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page's path is replayed in a worker (``check``: the tab's stop and budget) on the
    kept calls; what the server unpickled and laid out is trimmed after it (it left
    110-140 MB resident on enterprise after each new policy)."""
    events: list[object] = []
    sample = types.SimpleNamespace(sample_calls=lambda: "calls")
    monkeypatch.setattr(state, "bank", lambda _choice: sample)

    def path(*args: object, check: object = None) -> str:
        events.append(("path", args[-1], callable(check)))
        return "picture"

    monkeypatch.setattr(state.explore, "policy_path", path)
    monkeypatch.setattr(state, "return_freed_memory", lambda: events.append("trim"))
    state.path_figures.clear()
    choice = types.SimpleNamespace(loaded="scenario")
    try:
        assert state.path_figures("hash", 1, "levers", choice) == "picture"
    finally:
        state.path_figures.clear()
    assert events == [("path", "calls", True), "trim"]


def test_each_run_of_the_page_gives_its_freed_memory_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a run unpickled from Streamlit's data cache (a journal: about 100 MB on
    enterprise) stayed resident after it; the server grew by 300 MB over a few edits."""
    trims: list[int] = []
    monkeypatch.setattr(app_module, "return_freed_memory", lambda: trims.append(1))
    app = started(view="Scenario")
    clean(app)
    assert trims == [1]


def test_the_server_gives_its_freed_pages_back_near_the_end_of_a_build(
    midsize: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The end of a big bank's build is the tree's peak: there the server kept 64 MiB of freed
    pages (74 MB of its 738 MB on enterprise), now given back after each of the last
    replications (``trimmed_tail``), as after the whole bank."""
    events: list[object] = []
    monkeypatch.setattr(demand_bank, "return_freed_memory", lambda: events.append("trim"))
    DemandBank.build(
        midsize, seed=2, replications=8, progress=lambda done, _: events.append(done), workers=1
    )
    assert events[events.index(1) :] == [1, 2, 3, 4, 5, 6, "trim", 7, "trim", 8, "trim"]
    assert demand_bank.trimmed_tail(int(1.37 * 2**20), 200) == 46  # enterprise: its last 46
    assert demand_bank.trimmed_tail(200_000, 200) == 50  # at most a quarter
    assert demand_bank.trimmed_tail(200_000, 3) == 0
