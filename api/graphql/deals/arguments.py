"""Arguments the deal mutations share, each with the description the schema shows."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.graphql.deals.inputs import CloseOutcome

DealId = Annotated[strawberry.ID, strawberry.argument(description="The deal's global ID.")]
MilestoneKey = Annotated[
    str, strawberry.argument(description="The milestone's key in the deal's process (a former key works too).")
]
Note = Annotated[
    str | None, strawberry.argument(description="What proves the milestone done, e.g. who signed off; optional.")
]
Reason = Annotated[str | None, strawberry.argument(description="Why, in a sentence; recorded in the history.")]
MoveReason = Annotated[
    str | None,
    strawberry.argument(description="Why; required to move back, to reopen a closed deal and to override a gate."),
]
CloseReason = Annotated[str | None, strawberry.argument(description="Why the deal was won or lost; required for LOST.")]
ToStage = Annotated[str, strawberry.argument(description="The open stage's key, e.g. `commit`.")]
Override = Annotated[
    bool,
    strawberry.argument(description="A manager's override of a blocked gate (needs a reason); refused for a rep."),
]
Outcome = Annotated[CloseOutcome, strawberry.argument(description="WON or LOST.")]
ExpectedVersion = Annotated[
    int | None,
    strawberry.argument(
        description="The deal's version you last saw; a stale one is refused with VersionConflict. Left out: no check."
    ),
]
