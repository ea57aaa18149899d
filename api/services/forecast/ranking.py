"""Which open deals to work before period end, in what order, and why.

The order: deals that fit before period end come first, then those that do not. Within each group,
higher expected value first; ties go to more slack, then the earlier close date (no close date last),
then the deal id, so the ranking is the same on every call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from api.process import Outcome, Process
from api.services.forecast.days_to_close import CloseEstimate, RemainingMilestone, estimate_days_to_close
from api.services.forecast.money import CENT
from api.services.forecast.win_probability import WinProbability, win_probability
from api.services.history.durations import MilestoneDurations
from api.services.history.insights import StageWinRate
from api.services.history.records import DealSnapshot

REASON_MILESTONES_SHOWN = 3


def start_of_quarter(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def end_of_quarter(day: date) -> date:
    """The last day of the calendar quarter that contains `day`."""
    last_month = 3 * ((day.month - 1) // 3) + 3
    if last_month == 12:
        return date(day.year, 12, 31)
    return date(day.year, last_month + 1, 1) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DealAssessment:
    """One open deal measured against the period end."""

    deal: DealSnapshot
    estimate: CloseEstimate
    days_left: int
    """Whole days from today to period end; negative when the period is over."""
    win: WinProbability
    expected_value: Decimal

    @property
    def fits(self) -> bool:
        return self.days_left >= 0 and self.estimate.days_to_close <= self.days_left

    @property
    def slack_days(self) -> int:
        """Days to spare before period end; negative: how many days short."""
        return self.days_left - self.estimate.days_to_close


@dataclass(frozen=True, slots=True)
class PrioritizedDeal:
    rank: int
    """1 for the deal to work first."""
    assessment: DealAssessment
    reason: str


def assess_deal(
    *,
    process: Process,
    deal: DealSnapshot,
    durations: MilestoneDurations,
    today: date,
    period_end: date,
    learned_win_rates: Mapping[str, StageWinRate] | None = None,
) -> DealAssessment:
    return Assessor(
        process=process, durations=durations, today=today, period_end=period_end, learned_win_rates=learned_win_rates
    ).assess(deal)


class Assessor:
    """`assess_deal` for many deals of one process: the estimate and the win probability depend only on a deal's
    stage and what it has done, so each is computed once per such state (recorded keys resolved once each)."""

    def __init__(
        self,
        *,
        process: Process,
        durations: MilestoneDurations,
        today: date,
        period_end: date,
        learned_win_rates: Mapping[str, StageWinRate] | None = None,
    ) -> None:
        self.process, self.durations, self.learned_win_rates = process, durations, learned_win_rates
        self.days_left = (period_end - today).days
        self._estimates: dict[tuple[str, Outcome, frozenset[str]], CloseEstimate] = {}
        self._wins: dict[str, tuple[WinProbability, Decimal]] = {}

    def assess(self, deal: DealSnapshot) -> DealAssessment:
        found = self._wins.get(deal.stage_key)
        if found is None:
            win = win_probability(process=self.process, stage_key=deal.stage_key, learned=self.learned_win_rates)
            found = self._wins[deal.stage_key] = (win, Decimal(str(win.probability)))
        win, probability = found
        key = (deal.stage_key, deal.status, deal.completed_milestones)
        estimate = self._estimates.get(key)
        if estimate is None:
            estimate = self._estimates[key] = estimate_days_to_close(
                process=self.process, deal=deal, durations=self.durations
            )
        expected_value = (deal.amount * probability).quantize(CENT)
        return DealAssessment(
            deal=deal, estimate=estimate, days_left=self.days_left, win=win, expected_value=expected_value
        )


def prioritize(*, assessments: Iterable[DealAssessment], today: date) -> tuple[PrioritizedDeal, ...]:
    """Rank open deals (closed ones are left out) and explain each place in one sentence."""
    open_deals = [a for a in assessments if a.deal.status is Outcome.OPEN]
    ordered = sorted(open_deals, key=_rank_key)
    reasons: dict[tuple[int, int, date | None], str] = {}
    ranked = []
    for index, a in enumerate(ordered, start=1):
        # the sentence depends on the deal's estimate (shared by every deal in its state), the days left, and a
        # close date only once it has passed: written once for each such case
        close_date = a.deal.close_date
        key = (id(a.estimate), a.days_left, close_date if close_date is not None and close_date < today else None)
        said = reasons.get(key)
        if said is None:
            said = reasons[key] = reason(assessment=a, today=today)
        ranked.append(PrioritizedDeal(rank=index, assessment=a, reason=said))
    return tuple(ranked)


def _rank_key(a: DealAssessment) -> tuple[bool, Decimal, int, date, str]:
    return (not a.fits, -a.expected_value, -a.slack_days, a.deal.close_date or date.max, a.deal.deal_id)


def reason(*, assessment: DealAssessment, today: date) -> str:
    """E.g. `needs finance sign-off (5 d) and procurement review (4 d); 12 days left; 3 days of slack`."""
    a = assessment
    work = _needs(a.estimate.critical_path)
    if a.days_left < 0:
        timing = f"the period ended {_days(-a.days_left)} ago"
    elif a.fits and not a.estimate.critical_path:
        timing = f"{_days(a.days_left)} left to close it"
    elif a.fits:
        timing = f"{_days(a.days_left)} left; {_days(a.slack_days)} of slack"
    else:
        timing = (
            f"{_days(a.estimate.days_to_close)} of work but only {_days(a.days_left)} left: "
            f"{_days(-a.slack_days)} short"
        )
    parts = [work, timing]
    close_date = a.deal.close_date
    if close_date is not None and close_date < today:
        parts.append(f"its close date {close_date.isoformat()} has passed")
    return "; ".join(parts)


def _needs(path: tuple[RemainingMilestone, ...]) -> str:
    if not path:
        return "every mandatory milestone is done"
    shown = [f"{m.milestone.title} ({m.duration.days} d)" for m in path[:REASON_MILESTONES_SHOWN]]
    hidden = len(path) - len(shown)
    if hidden:
        shown.append(f"{hidden} more")
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"needs {listed}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"
