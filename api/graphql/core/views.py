"""GraphQL views of the immutable process model, built once and shared by every request.

A board of 100 deals asks for the same few milestones and stages thousands of times; building their views
(and copying their plain fields) once per model object makes each use a dictionary lookup. The same cache
keeps other values built once per set of immutable objects: a parsed document's validation
(`api.graphql.core.limits`), the tuple that names a views scope (`api.graphql.core.execution_plan`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

View = TypeVar("View")


class ViewCache(Generic[View]):
    """Views keyed by the identity of the model objects they show.

    By identity because the models are frozen pydantic models whose hash walks every nested field. An entry
    holds its models, so their ids are not reused while it lives. Reloading the definitions makes new
    models; the cache is emptied when it reaches `limit` entries, so old ones do not pile up."""

    def __init__(self, *, limit: int = 4096) -> None:
        self._entries: dict[tuple[int, ...], tuple[tuple[object, ...], View]] = {}
        self._limit = limit

    def get(self, models: tuple[object, ...], build: Callable[[], View]) -> View:
        key = tuple(map(id, models))
        entry = self._entries.get(key)
        if entry is None:
            view = build()
            if len(self._entries) >= self._limit:
                self._entries.clear()
            self._entries[key] = (models, view)
            return view
        return entry[1]
