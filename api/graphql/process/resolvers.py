"""Queries on the process content; a valid token is needed here too."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from api.graphql.core import fields
from api.graphql.core.context import Info_, require_viewer
from api.graphql.core.errors import Forbidden
from api.graphql.process.types import CompetitorType, ProcessType
from api.graphql.process.versions import OrphanedKeyType, ProcessVersionType
from api.services.publishing import versions
from api.services.publishing.impact import orphaned_work


@strawberry.type
class ProcessQuery:
    @fields.field(description="Every sales process, as loaded from the process definitions.")
    async def processes(self, info: Info_) -> list[ProcessType]:
        await require_viewer(info)
        return [ProcessType.of(p) for p in info.context.definitions.processes]

    @fields.field(description="One process by key, or null when there is none.")
    async def process(
        self,
        info: Info_,
        key: Annotated[str, strawberry.argument(description="The process's key, e.g. `new-business`.")],
    ) -> ProcessType | None:
        await require_viewer(info)
        found = info.context.definitions.process(key)
        return None if found is None else ProcessType.of(found)

    @fields.field(description="Every competitor battlecard, the status quo included.")
    async def competitors(self, info: Info_) -> list[CompetitorType]:
        await require_viewer(info)
        return [CompetitorType.of(c) for c in info.context.definitions.competitors]

    @fields.field(description="Every published version of the process, newest first (enablement and admin).")
    async def process_versions(self, info: Info_) -> list[ProcessVersionType]:
        await _require_editor(info)

        async def read(session: AsyncSession) -> list[ProcessVersionType]:
            return [ProcessVersionType.of(row) for row in await versions.all_versions(session)]

        return await info.context.unit_of_work.read(read)

    @fields.field(
        description="Recorded work whose process, stage or milestone key does not resolve in the version served "
        "(enablement and admin): what publishers accepted to orphan, kept in the database, never deleted."
    )
    async def orphaned_work(self, info: Info_) -> list[OrphanedKeyType]:
        await _require_editor(info)
        served = info.context.definitions

        async def read(session: AsyncSession) -> list[OrphanedKeyType]:
            return [OrphanedKeyType.of(o) for o in await orphaned_work(session, served=served)]

        return await info.context.unit_of_work.read(read)


async def _require_editor(info: Info_) -> None:
    viewer = await require_viewer(info)
    if not viewer.may_edit_process:
        raise Forbidden(f"the {viewer.role.value} role may not see process versions; enablement and admin may")
