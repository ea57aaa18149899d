from __future__ import annotations

from api.process.models import Outcome
from api.services.forecast.days_to_close import estimate_days_to_close
from api.services.history.durations import DurationSource, ObservedDuration, milestone_durations
from tests.services.sample_process import ALL_MANDATORY, SALES, make_deal

TYPICAL = milestone_durations(process=SALES)


def test_new_deal_needs_the_longest_mandatory_milestone_of_each_stage_in_turn() -> None:
    # given a deal that has done nothing
    deal = make_deal(stage="mql")
    # when
    estimate = estimate_days_to_close(process=SALES, deal=deal, durations=TYPICAL)
    # then intro-call 3 + max(discovery 7, champion 5) + max(finance 5, procurement 4)
    assert estimate.days_to_close == 3 + 7 + 5
    assert [m.milestone.key for m in estimate.critical_path] == ["intro-call", "discovery", "finance-sign-off"]


def test_optional_milestones_never_hold_up_the_estimate() -> None:
    deal = make_deal(stage="commit", done=ALL_MANDATORY - {"procurement-review"})
    estimate = estimate_days_to_close(process=SALES, deal=deal, durations=TYPICAL)
    assert estimate.days_to_close == 4
    assert [m.milestone.key for m in estimate.remaining] == ["procurement-review"]


def test_milestones_skipped_by_an_override_run_alongside_the_current_stage() -> None:
    # given a deal in commit that skipped champion (sql) and has done nothing in commit
    deal = make_deal(stage="commit", done={"intro-call", "discovery"})
    estimate = estimate_days_to_close(process=SALES, deal=deal, durations=TYPICAL)
    # then champion (5) runs in parallel with finance (5) and procurement (4)
    assert estimate.days_to_close == 5
    assert [m.milestone.key for m in estimate.remaining] == ["champion", "finance-sign-off", "procurement-review"]


def test_a_later_stage_already_done_adds_no_time() -> None:
    deal = make_deal(stage="mql", done={"finance-sign-off", "procurement-review"})
    assert estimate_days_to_close(process=SALES, deal=deal, durations=TYPICAL).days_to_close == 3 + 7


def test_former_milestone_keys_count_as_done() -> None:
    deal = make_deal(stage="commit", done=(ALL_MANDATORY - {"finance-sign-off"}) | {"cfo-approval"})
    estimate = estimate_days_to_close(process=SALES, deal=deal, durations=TYPICAL)
    assert estimate.days_to_close == 0
    assert estimate.next_milestone is None


def test_a_deal_with_every_milestone_done_needs_no_days() -> None:
    deal = make_deal(stage="commit", done=ALL_MANDATORY | {"budget-known", "legal-redlines"})
    estimate = estimate_days_to_close(process=SALES, deal=deal, durations=TYPICAL)
    assert (estimate.days_to_close, estimate.remaining) == (0, ())


def test_closed_deals_need_nothing() -> None:
    deal = make_deal(stage="lost", status=Outcome.LOST)
    assert estimate_days_to_close(process=SALES, deal=deal, durations=TYPICAL).days_to_close == 0


def test_equal_durations_pick_the_earlier_milestone_as_next() -> None:
    deal = make_deal(stage="sql", done={"intro-call"})
    durations = milestone_durations(
        process=SALES, observed={"champion": ObservedDuration(median_days=7.0, observations=40)}
    )
    estimate = estimate_days_to_close(process=SALES, deal=deal, durations=durations)
    assert estimate.next_milestone is not None
    assert estimate.next_milestone.milestone.key == "discovery"


def test_observed_durations_replace_typical_days_only_with_enough_observations() -> None:
    # given finance sign-off observed 20 times (median 8.2 d) and procurement only 19 times
    durations = milestone_durations(
        process=SALES,
        observed={
            "finance-sign-off": ObservedDuration(median_days=8.2, observations=20),
            "procurement-review": ObservedDuration(median_days=30.0, observations=19),
        },
    )
    deal = make_deal(stage="commit", done=ALL_MANDATORY - {"finance-sign-off", "procurement-review"})
    # when
    estimate = estimate_days_to_close(process=SALES, deal=deal, durations=durations)
    # then the observed median, rounded up, is used for finance; procurement keeps its typical 4 days
    assert estimate.days_to_close == 9
    assert durations.by_milestone["finance-sign-off"].source is DurationSource.OBSERVED
    assert durations.by_milestone["procurement-review"].source is DurationSource.TYPICAL_DAYS
    assert durations.by_milestone["procurement-review"].observations == 19
    assert estimate.duration_sources == {DurationSource.OBSERVED}
