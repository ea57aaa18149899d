"""Reloading the process definitions from disk (enablement and admin)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.core.results import PermissionDenied, UserError
from api.graphql.process.types import ProcessType
from api.process import Problem


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


@strawberry.type(description="The new process definitions are live.")
class ReloadProcessDefinitionsSuccess:
    processes: list[ProcessType] = strawberry.field(description="The processes now served.")
    warnings: list[DefinitionProblem] = strawberry.field(description="Lint warnings; they do not stop a load.")


@strawberry.type(description="The files have errors; the last good process definitions are still served.")
class ProcessDefinitionsInvalid(UserError):
    problems: list[DefinitionProblem] = strawberry.field(description="Every error and warning found.")


ReloadProcessDefinitionsResult = Annotated[
    ReloadProcessDefinitionsSuccess | ProcessDefinitionsInvalid | PermissionDenied,
    strawberry.union("ReloadProcessDefinitionsResult", description="The reloaded process, its problems, or a refusal."),
]


@strawberry.type
class ProcessMutation:
    @fields.mutation(description="Read the process definitions again; a failed reload changes nothing.")
    async def reload_process_definitions(self, info: Info_) -> ReloadProcessDefinitionsResult:
        viewer = await info.context.viewer()
        if viewer is None or not viewer.may_edit_process:
            return PermissionDenied(message="only enablement and admin users may reload the process definitions")
        outcome = info.context.store.reload()
        problems = [DefinitionProblem.of(p) for p in outcome.problems]
        if not outcome.loaded:
            errors = sum(p.severity is ProblemSeverity.ERROR for p in problems)
            return ProcessDefinitionsInvalid(
                message=f"{errors} error(s) in the process definitions; still serving the last good ones",
                problems=problems,
            )
        return ReloadProcessDefinitionsSuccess(
            processes=[ProcessType.of(p) for p in info.context.definitions.processes],
            warnings=problems,
        )
