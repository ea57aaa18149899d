"""Published process versions and publish reports as GraphQL types: views over `api.services.publishing`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from api.db.models import ProcessVersion
from api.graphql.core import fields
from api.graphql.core.ids import to_global_id
from api.process import Problem, ProcessDefinitions
from api.process.diff import Change
from api.process.diff_report import describe
from api.services.publishing.impact import AffectedDeal, Impact, OrphanedKey
from api.services.publishing.publish import PublishReport, PublishStatus
from api.services.publishing.store import ServedVersion


@strawberry.type(
    name="OrphanedKey",
    description="Recorded work whose key does not resolve in the process (a removal, or a rename without "
    "`formerly:`, that a publisher accepted). The work stays in the database.",
)
class OrphanedKeyType:
    kind: str = strawberry.field(description="`process`, `stage` or `milestone`.")
    process_key: str = strawberry.field(description="The process the deals follow.")
    key: str = strawberry.field(description="The key as recorded.")
    deals: int = strawberry.field(description="How many deals hold it (in their stage, completions or history).")

    @classmethod
    def of(cls, orphan: OrphanedKey | dict[str, Any]) -> OrphanedKeyType:
        if isinstance(orphan, dict):
            return cls(kind=orphan["kind"], process_key=orphan["processKey"], key=orphan["key"], deals=orphan["deals"])
        return cls(kind=orphan.kind, process_key=orphan.process_key, key=orphan.key, deals=orphan.deals)


@strawberry.type(name="ProcessVersion", description="A published version of the process: immutable, numbered.")
class ProcessVersionType:
    number: int = strawberry.field(description="1, 2, 3, ...: increases with every publish.")
    content_hash: str = strawberry.field(description="sha256 of the definitions' content.")
    label: str | None = strawberry.field(description="The label the files give (each process's `version`).")
    published_at: datetime = strawberry.field(description="When it was published.")
    published_by: str | None = strawberry.field(
        description="Who published it; null for the version being served when it was read from the files."
    )
    note: str | None = strawberry.field(description="The publisher's note.")
    accepted_orphans: list[OrphanedKeyType] = strawberry.field(
        description="Recorded work the publisher accepted would no longer resolve."
    )

    @classmethod
    def of(cls, version: ProcessVersion | ServedVersion) -> ProcessVersionType:
        """From its row, or from the version a server serves (read from that row)."""
        return cls(
            number=version.number,
            content_hash=version.content_hash,
            label=version.label,
            published_at=version.published_at,
            published_by=version.published_by,
            note=version.note,
            accepted_orphans=[OrphanedKeyType.of(o) for o in version.accepted_orphans or ()],
        )


@strawberry.type(description="A difference between the active version and the files.")
class ProcessChange:
    kind: str = strawberry.field(description="`added`, `removed`, `renamed`, `moved` or `changed`.")
    subject: str = strawberry.field(description="`process`, `stage`, `milestone`, `competitor` or `content`.")
    where: str = strawberry.field(description="Where, e.g. `new-business/sal/finance-sign-off`.")
    field: str | None = strawberry.field(description="The field, for a change of one.")
    description: str = strawberry.field(description="The change in a sentence.")

    @classmethod
    def of(cls, change: Change) -> ProcessChange:
        return cls(
            kind=change.kind.value,
            subject=change.subject.value,
            where=change.where,
            field=change.field,
            description=describe(change),
        )


@strawberry.type(
    name="AffectedDeal", description="An open deal the publish affects; `before` and `after` say how, where it applies."
)
class AffectedDealType:
    deal_id: strawberry.ID = strawberry.field(description="The deal's global ID.")
    name: str = strawberry.field(description="The deal's name.")
    process_key: str = strawberry.field(description="Its process.")
    stage_key: str = strawberry.field(description="Its stage, as recorded.")
    before: str | None = strawberry.field(description="The value before (a strength, or days to close).")
    after: str | None = strawberry.field(description="The value after.")

    @classmethod
    def of(cls, deal: AffectedDeal) -> AffectedDealType:
        return cls(
            deal_id=to_global_id("Deal", deal.deal_id),
            name=deal.name,
            process_key=deal.process_key,
            stage_key=deal.stage_key,
            before=None if deal.before is None else str(deal.before),
            after=None if deal.after is None else str(deal.after),
        )


@strawberry.type(description="What publishing does to the deals already recorded.")
class PublishImpact:
    impact: strawberry.Private[Impact]

    @fields.field(description="Recorded keys that would no longer resolve, each with how many deals hold it.")
    def orphans(self) -> list[OrphanedKeyType]:
        return [OrphanedKeyType.of(o) for o in self.impact.orphans]

    @fields.field(description="Open deals in a stage or process the files remove: a publish is refused while any.")
    def stranded_deals(self) -> list[AffectedDealType]:
        return [AffectedDealType.of(d) for d in self.impact.stranded]

    @fields.field(description="Open deals whose gate into their next stage would start failing.")
    def newly_blocked_deals(self) -> list[AffectedDealType]:
        return [AffectedDealType.of(d) for d in self.impact.newly_blocked]

    @fields.field(description="Open deals whose gate into their next stage would stop failing.")
    def newly_unblocked_deals(self) -> list[AffectedDealType]:
        return [AffectedDealType.of(d) for d in self.impact.newly_unblocked]

    @fields.field(description="Open deals whose strength would change (`before`, `after`: 0 to 1).")
    def strength_changes(self) -> list[AffectedDealType]:
        return [AffectedDealType.of(d) for d in self.impact.strength_changes]

    @fields.field(description="Open deals whose estimated days to close (by typical days) would change.")
    def estimate_changes(self) -> list[AffectedDealType]:
        return [AffectedDealType.of(d) for d in self.impact.estimate_changes]


@strawberry.enum(description="What a publish did.")
class PublishOutcome(Enum):
    PUBLISHED = strawberry.enum_value("published", description="A new version is active on every server.")
    UNCHANGED = strawberry.enum_value("unchanged", description="The files say what the active version says.")
    PREVIEW = strawberry.enum_value("preview", description="A dry run that would publish; nothing changed.")
    REFUSED = strawberry.enum_value("refused", description="It would lose recorded work; nothing changed.")


@strawberry.enum(description="How bad a problem in the process definitions is.")
class ProblemSeverity(Enum):
    ERROR = strawberry.enum_value("error", description="The definitions cannot be loaded until it is fixed.")
    WARNING = strawberry.enum_value("warning", description="A lint finding; the definitions still load.")


@strawberry.type(description="A problem in the process definitions, pointing at a file, line and column.")
class DefinitionProblem:
    path: str = strawberry.field(description="The file.")
    line: int = strawberry.field(description="1-based line; 0 for a problem with a folder.")
    column: int = strawberry.field(description="1-based column.")
    field: str = strawberry.field(description="The field path in the file, e.g. `stages[3].milestones[1].ask`.")
    message: str = strawberry.field(description="What is wrong, in plain English.")
    severity: ProblemSeverity = strawberry.field(description="ERROR stops a load; WARNING does not.")

    @classmethod
    def of(cls, problem: Problem) -> DefinitionProblem:
        return cls(
            path=problem.path,
            line=problem.line,
            column=problem.column,
            field=problem.field,
            message=problem.message,
            severity=ProblemSeverity(problem.severity.value),
        )


@strawberry.type(
    name="PublishReport",
    description="A publish, or a dry run of one: what changes and what it does to recorded deals.",
)
class PublishReportType:
    report: strawberry.Private[PublishReport]
    problems: strawberry.Private[tuple[Problem, ...]] = ()
    definitions: strawberry.Private[ProcessDefinitions | None] = None
    """What was published (or would be)."""

    @fields.field(description="Lint warnings in the files; they do not stop a publish.")
    def warnings(self) -> list[DefinitionProblem]:
        return [DefinitionProblem.of(p) for p in self.problems]

    @fields.field(description="What happened.")
    def outcome(self) -> PublishOutcome:
        return PublishOutcome(self.report.status.value)

    @fields.field(description="The active version after the call (the new one when published).")
    def version(self) -> ProcessVersionType | None:
        return None if self.report.version is None else ProcessVersionType.of(self.report.version)

    @fields.field(description="The version that was active before.")
    def previous_version(self) -> int | None:
        return self.report.previous

    @fields.field(description="What the files change, compared with the version that was active.")
    def changes(self) -> list[ProcessChange]:
        return [ProcessChange.of(c) for c in self.report.changes]

    @fields.field(description="What it does to recorded deals.")
    def impact(self) -> PublishImpact:
        return PublishImpact(impact=self.report.impact)

    @fields.field(description="Why it was (or, in a dry run, would be) refused.")
    def refusals(self) -> list[str]:
        return list(self.report.refusals)

    @property
    def published(self) -> bool:
        return self.report.status is PublishStatus.PUBLISHED
