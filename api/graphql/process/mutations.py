"""Publishing the server's process folder (enablement and admin): checked against the recorded deals first."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.graphql.core import fields
from api.graphql.core.context import Info_, WaymarkContext
from api.graphql.core.results import InvalidInput, PermissionDenied, UserError
from api.graphql.process.types import ProcessType
from api.graphql.process.versions import DefinitionProblem, ProblemSeverity, PublishReportType
from api.process import Problem, ProcessDefinitions, Severity
from api.services.deals.failures import InvalidInput as InvalidNote
from api.services.deals.input import parse_note
from api.services.publishing.publish import Publication, PublishReport, PublishStatus, publish
from api.services.publishing.sources import read_sources
from api.services.publishing.store import ServedVersion


@strawberry.type(description="The process folder is published and served (or already was).")
class ReloadProcessDefinitionsSuccess:
    processes: list[ProcessType] = strawberry.field(description="The processes now served.")
    warnings: list[DefinitionProblem] = strawberry.field(description="Lint warnings; they do not stop a publish.")


@strawberry.type(description="The files have errors; the active version is still served.")
class ProcessDefinitionsInvalid(UserError):
    problems: list[DefinitionProblem] = strawberry.field(description="Every error and warning found.")


@strawberry.type(description="Publishing would lose recorded work or strand open deals; nothing changed.")
class PublishRefused(UserError):
    report: PublishReportType = strawberry.field(description="What the files change and what they would do.")


ReloadProcessDefinitionsResult = Annotated[
    ReloadProcessDefinitionsSuccess | ProcessDefinitionsInvalid | PublishRefused | PermissionDenied,
    strawberry.union(
        "ReloadProcessDefinitionsResult", description="The published process, its problems, or a refusal."
    ),
]
PublishProcessDefinitionsResult = Annotated[
    PublishReportType | PublishRefused | ProcessDefinitionsInvalid | InvalidInput | PermissionDenied,
    strawberry.union(
        "PublishProcessDefinitionsResult",
        description="The report of the publish (or dry run), its refusal, the files' problems, or a refusal to you.",
    ),
]
NOT_ALLOWED = PermissionDenied(message="only enablement and admin users may publish the process")


@strawberry.type
class ProcessMutation:
    @fields.mutation(
        description="Publish the server's process folder as a new version (what `publishProcessDefinitions` does "
        "without a note or a dry run); kept for existing clients. A refused or failed publish changes nothing."
    )
    async def reload_process_definitions(self, info: Info_) -> ReloadProcessDefinitionsResult:
        outcome = await _publish_folder(info, dry_run=False, note=None, accept_orphans=False)
        if not isinstance(outcome, PublishReportType):
            assert not isinstance(outcome, InvalidInput)
            return outcome
        served = outcome.definitions if outcome.published else info.context.definitions
        return ReloadProcessDefinitionsSuccess(
            processes=[ProcessType.of(p) for p in (served or info.context.definitions).processes],
            warnings=[DefinitionProblem.of(p) for p in outcome.problems],
        )

    @fields.mutation(
        description="Validate the server's process folder, compare it with the active version and with the recorded "
        "deals, and publish it as a new version on every server, unless it would lose recorded work (a removed "
        "or renamed key without `formerly:`; refused unless `acceptOrphans`) or strand open deals (always refused)."
    )
    async def publish_process_definitions(
        self,
        info: Info_,
        dry_run: Annotated[bool, strawberry.argument(description="Only report what publishing would do.")],
        note: Annotated[str | None, strawberry.argument(description="Why, kept with the version.")] = None,
        accept_orphans: Annotated[
            bool,
            strawberry.argument(
                description="Publish even though recorded work would no longer resolve; it stays in the database "
                "and is listed by `orphanedWork`, and the acceptance is recorded on the version."
            ),
        ] = False,
    ) -> PublishProcessDefinitionsResult:
        return await _publish_folder(info, dry_run=dry_run, note=note, accept_orphans=accept_orphans)


async def _publish_folder(
    info: Info_, *, dry_run: bool, note: str | None, accept_orphans: bool
) -> PublishReportType | PublishRefused | ProcessDefinitionsInvalid | InvalidInput | PermissionDenied:
    context = info.context
    viewer = await context.viewer()
    if viewer is None or not viewer.may_edit_process:
        return NOT_ALLOWED
    written = parse_note(note, field="note")
    if isinstance(written, InvalidNote):
        return InvalidInput(field=written.field, message=written.message)
    files = context.served.read_folder()
    if files.definitions is None:
        return _invalid(files.problems)
    publication = Publication(
        sources=read_sources(context.served.directory),
        definitions=files.definitions,
        published_by=viewer.name,
        published_by_id=viewer.id,
        note=written,
        dry_run=dry_run,
        accept_orphans=accept_orphans,
    )

    async def run(session: AsyncSession) -> PublishReport:
        return await publish(session, publication, active=_active_definitions(context))

    report = await context.unit_of_work.write(run, succeeded=lambda r: r.status is PublishStatus.PUBLISHED)
    warnings = tuple(p for p in files.problems if p.severity is Severity.WARNING)
    shown = PublishReportType(report=report, problems=warnings, definitions=publication.definitions)
    if report.status is PublishStatus.REFUSED:
        return PublishRefused(message="; ".join(report.refusals), report=shown)
    if report.status is PublishStatus.PUBLISHED and report.version is not None:
        served = ServedVersion.of(report.version, publication.definitions)
        context.unit_of_work.after_commit(lambda: context.served.switch_to(served))
    return shown


def _active_definitions(context: WaymarkContext) -> tuple[int, ProcessDefinitions] | None:
    return None if context.version is None else (context.version.number, context.version.definitions)


def _invalid(problems: tuple[Problem, ...]) -> ProcessDefinitionsInvalid:
    shown = [DefinitionProblem.of(p) for p in problems]
    errors = sum(p.severity is ProblemSeverity.ERROR for p in shown)
    return ProcessDefinitionsInvalid(
        message=f"{errors} error(s) in the process definitions; still serving the active version",
        problems=shown,
    )
