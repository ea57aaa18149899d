"""Queries on the process content; a valid token is needed here too."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.core.errors import require_viewer
from api.graphql.process.types import CompetitorType, ProcessType


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
