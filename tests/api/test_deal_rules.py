"""The domain rules as plain functions, without a database or GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from api.process import Outcome
from api.services.deals import state as deal_state
from api.services.deals.gates import check_gate
from api.services.forecast.days_to_close import estimate_days_to_close
from api.services.history.durations import milestone_durations
from api.services.history.records import DealSnapshot
from tests.api.factories import fixture_definitions

PROCESS = fixture_definitions().processes[0]


def test_gate_into_commit_lists_missing_mandatory_milestones_in_process_order():
    gate = check_gate(PROCESS, ["icp-fit"], "commit")

    assert [m.key for m in gate.missing] == ["pain-confirmed", "decision-maker-agrees", "finance-sign-off"]
    assert not gate.passed


def test_gate_accepts_former_keys_and_ignores_optional_milestones():
    gate = check_gate(PROCESS, ["icp-fit", "pain-found"], "sal")

    assert gate.passed


def test_gate_into_an_unknown_stage_raises():
    with pytest.raises(KeyError):
        check_gate(PROCESS, [], "negotiation")


def test_strength_counts_weights_of_stages_reached_so_far():
    assert deal_state.strength(PROCESS, "mql", []) == 0.0
    assert deal_state.strength(PROCESS, "mql", ["icp-fit"]) == round(2 / 3, 4)
    assert deal_state.strength(PROCESS, "sql", ["icp-fit", "intro-call", "pain-confirmed", "budget-range"]) == 1.0


def test_closed_deal_has_no_next_steps_blockers_or_remaining_milestones():
    assert deal_state.next_steps(PROCESS, "closed-won", []) == ()
    assert deal_state.blockers(PROCESS, "closed-lost", []) is None
    assert deal_state.remaining_milestones(PROCESS, "closed-won", []) == ()


def test_commit_advances_into_the_won_stage():
    stage = deal_state.next_stage(PROCESS, "commit")

    assert stage is not None
    assert stage.key == "closed-won"


def test_remaining_includes_mandatory_milestones_skipped_by_an_override():
    remaining = deal_state.remaining_milestones(PROCESS, "commit", ["icp-fit", "pain-confirmed"])

    assert [m.key for m in remaining] == ["decision-maker-agrees", "finance-sign-off", "order-form-sent"]


def test_estimated_days_run_stages_in_sequence_and_milestones_in_parallel():
    # sal: longest open is finance-sign-off (10); commit: order-form-sent (3)
    deal = DealSnapshot(
        deal_id="1",
        name="d",
        owner_id="1",
        stage_key="sal",
        status=Outcome.OPEN,
        amount=Decimal(1),
        currency="EUR",
        entered_stage_at=datetime.now(UTC),
        completed_milestones=frozenset({"icp-fit", "pain-confirmed"}),
    )
    estimate = estimate_days_to_close(process=PROCESS, deal=deal, durations=milestone_durations(process=PROCESS))
    assert estimate.days_to_close == 10 + 3
