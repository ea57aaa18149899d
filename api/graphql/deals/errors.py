"""The expected failures of deal mutations as schema types, and their mapping from the services' failures."""

from __future__ import annotations

import strawberry

from api.graphql.core.results import InvalidInput, PermissionDenied, UserError
from api.graphql.process.types import MilestoneType, StageType
from api.services.deals import failures


@strawberry.type(description="No deal with this ID, or none you may see.")
class DealNotFound(UserError):
    deal_id: strawberry.ID = strawberry.field(description="The ID asked for.")


@strawberry.type(description="The deal changed since you read it; reload it and try again.")
class VersionConflict(UserError):
    current_version: int = strawberry.field(description="The deal's version now.")


@strawberry.type(description="The deal may not enter the stage: mandatory milestones of earlier stages are missing.")
class StageGateBlocked(UserError):
    to_stage: StageType = strawberry.field(description="The stage the deal could not enter.")
    missing_milestones: list[MilestoneType] = strawberry.field(
        description="What is missing, in process order, each with its ask and guide link."
    )


ErrorType = DealNotFound | InvalidInput | VersionConflict | PermissionDenied | StageGateBlocked


def error_type(failure: failures.Failure, *, deal_id: str | None = None) -> ErrorType:
    match failure:
        case failures.DealNotFound(deal_id=pk):
            return DealNotFound(message="no such deal", deal_id=strawberry.ID(deal_id or pk))
        case failures.InvalidInput(field=field, message=message):
            return InvalidInput(message=message, field=field)
        case failures.VersionConflict(current_version=version):
            return VersionConflict(
                message=f"the deal is at version {version} now; reload it and try again", current_version=version
            )
        case failures.PermissionDenied(message=message):
            return PermissionDenied(message=message)
        case failures.GateBlocked(process=process, gate=gate):
            missing = ", ".join(m.title for m in gate.missing)
            return StageGateBlocked(
                message=f"cannot enter {gate.stage.name}: missing {missing}",
                to_stage=StageType.of(process, gate.stage),
                missing_milestones=[MilestoneType.of(process, m) for m in gate.missing],
            )
    raise TypeError(f"unknown failure {failure!r}")
