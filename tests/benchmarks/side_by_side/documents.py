"""The requests the benchmark times: what front-end teams call most, and the period-end views."""

from __future__ import annotations

BOARD = """query Board($filter: DealFilterInput) {
  deals(first: 100, filter: $filter) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id name accountName amount currency closeDate status
      stage { key name }
      owner { name }
      strength canAdvance blocked
      nextSteps { key title ask typicalDays mandatory }
      remainingMilestones { key }
      blockers { key }
      competitors { key name }
      plays { milestone { key } play { competitor { key } play talkTrack } }
    } }
  }
}"""
OPEN = {"filter": {"statuses": ["OPEN"]}}

DEAL_PAGE = """query DealPage($id: ID!) {
  deal(id: $id) {
    id name accountName amount currency closeDate status version
    stage { key name }
    owner { name }
    milestones {
      milestone {
        key title ask mandatory typicalDays
        content { key title url kind sendWhen }
        plays { competitor { key name } play talkTrack }
      }
      completed completedAt completedBy { name } note
    }
    competitors { key name }
    history { kind occurredAt actor { name } fromStage { key } toStage { key } milestone { key } reason }
  }
}"""

ME = "{ me { id } }"

PIPELINE = """{ pipeline {
  stages { stage { key } count currency amount weightedAmount }
  blockedCount staleCount
  strength { low high count }
} }"""

PRIORITIZED = """{ prioritizedDeals(quota: 1000000) {
  deals { rank expectedValue fits estimatedDaysToClose reason }
} }"""

INSIGHTS = """query Insights($process: String!) { processInsights(processKey: $process) {
  stages { entered conversionRate medianDaysInStage winRate }
  milestones { observedMedianDays observations lift }
} }"""
