"""The simulated history is reproducible, and insights computed on it recover the generator's truth.

Stated tolerances, on 20,000 deals that all close (seed 11): each milestone's observed median duration
within 10% of the true median (its sampling error is about 1.25 × 0.5 / √n ≈ 2.5% at the smallest n
here), each win rate with and without a milestone within 0.05 (about three standard errors at the
smallest n), and each stage's win rate within 0.03.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import pytest

from api.deal_events import DealEventKind
from api.process import Outcome, Process, load_definitions
from api.seed.ground_truth import draw_ground_truth
from api.seed.simulation import SimulatedHistory, simulate
from api.services.history.insights import ProcessInsights
from tests.insights.reference_walk import process_insights

SHIPPED = Path(__file__).parents[2] / "process_definitions"


@pytest.fixture(scope="module")
def process() -> Process:
    found = load_definitions(SHIPPED).process("new-business")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def history(process: Process) -> SimulatedHistory:
    # every deal is created in the first 200 days of a 1,500-day history, so all of them have closed
    return simulate(process=process, deals=20_000, seed=11, start=date(2022, 1, 1), days=1500, created_within=200)


@pytest.fixture(scope="module")
def insights(process: Process, history: SimulatedHistory) -> ProcessInsights:
    return process_insights(process=process, deals=history.snapshots(), events=history.events())


def test_the_same_seed_gives_the_same_history(process: Process) -> None:
    first = simulate(process=process, deals=50, seed=5, start=date(2025, 1, 1))
    again = simulate(process=process, deals=50, seed=5, start=date(2025, 1, 1))
    other = simulate(process=process, deals=50, seed=6, start=date(2025, 1, 1))
    assert first == again
    assert first.deals != other.deals


def test_a_recent_history_has_open_deals_wins_losses_moves_back_and_overrides(process: Process) -> None:
    history = simulate(process=process, deals=3000, seed=2, start=date(2024, 1, 1))
    statuses = {s: sum(1 for d in history.deals if d.snapshot.status is s) for s in Outcome}
    assert all(n > 50 for n in statuses.values()), statuses
    kinds = [(e.kind.value, e.from_stage, e.to_stage) for e in history.events()]
    backward = [k for k in kinds if k[0] == "moved" and process.position(k[1] or "") > process.position(k[2] or "")]
    assert backward
    assert any(k[0] == DealEventKind.GATE_OVERRIDDEN for k in kinds)


def test_everything_closed_in_the_ground_truth_history(history: SimulatedHistory) -> None:
    assert all(d.snapshot.status is not Outcome.OPEN for d in history.deals)


def test_observed_milestone_durations_recover_the_true_medians(
    history: SimulatedHistory, insights: ProcessInsights
) -> None:
    errors = {
        i.milestone.key: abs(i.observed.median_days / history.truth.median_days[i.milestone.key] - 1)
        for i in insights.milestone_durations
        if i.observed is not None
    }
    assert len(errors) == len(insights.milestone_durations)
    assert max(errors.values()) < 0.10, errors


def test_win_rates_with_and_without_each_milestone_recover_the_truth(
    history: SimulatedHistory, insights: ProcessInsights
) -> None:
    errors: dict[str, float] = {}
    for lift in insights.lifts:
        true_with, true_without = history.truth.win_rates_by_milestone(lift.milestone.key)
        assert lift.win_rate_with is not None
        assert lift.win_rate_without is not None
        errors[lift.milestone.key] = max(abs(lift.win_rate_with - true_with), abs(lift.win_rate_without - true_without))
    assert max(errors.values()) < 0.05, errors
    optional = [lift for lift in insights.lifts if not lift.milestone.mandatory]
    assert all(lift.lift is not None and lift.lift > 0 for lift in optional)


def test_stage_win_rates_recover_the_truth(history: SimulatedHistory, insights: ProcessInsights) -> None:
    for rate in insights.stage_win_rates:
        assert rate.rate == pytest.approx(history.truth.stage_win_rate(rate.stage_key), abs=0.03)


def test_the_generators_stage_win_rates_agree_with_the_stage_probabilities() -> None:
    # given every shipped process and a few seeds
    for process in load_definitions(Path(__file__).parents[2] / "process_definitions").processes:
        for seed in (4, 12, 21):
            # when
            truth = draw_ground_truth(process=process, rng=random.Random(seed))
            # then a deal in each open stage wins about as often as the definition forecasts
            for stage in process.open_stages:
                assert truth.stage_win_rate(stage.key) == pytest.approx(stage.probability, abs=0.02), stage.key


def test_every_loss_and_every_move_back_says_why_as_the_api_demands(process: Process) -> None:
    # given a recent history whose losses name the shipped competitors
    names = ("Tabstone", "Veridane P2P Suite")
    history = simulate(process=process, deals=3000, seed=2, start=date(2024, 1, 1), competitor_names=names)
    # when
    events = history.events()
    lost = [e for e in events if e.kind is DealEventKind.CLOSED_LOST]
    back = [
        e
        for e in events
        if e.kind is DealEventKind.MOVED and process.position(e.from_stage or "") > process.position(e.to_stage or "")
    ]
    overridden = [e for e in events if e.kind is DealEventKind.GATE_OVERRIDDEN]
    # then
    assert lost
    assert back
    assert overridden
    assert [e for e in lost + back + overridden if not (e.reason or "").strip()] == []
    assert all(e.skipped_milestones for e in overridden)
    assert {"Chose Tabstone on price", "Went with Veridane P2P Suite"} <= {e.reason for e in lost}
    assert len({e.reason for e in back}) > 1


def test_reasons_leave_the_rest_of_the_history_as_it_was(process: Process) -> None:
    # given the same seed, with and without competitor names
    generic = simulate(process=process, deals=200, seed=3, start=date(2024, 1, 1))
    named = simulate(process=process, deals=200, seed=3, start=date(2024, 1, 1), competitor_names=("Tabstone",))

    # then only the reasons differ
    def shape(history: SimulatedHistory) -> list[tuple[DealEventKind, datetime, str | None]]:
        return [(e.kind, e.at, e.to_stage) for e in history.events()]

    assert shape(generic) == shape(named)
    assert any("a competitor" in (e.reason or "") for e in generic.events())
