"""Expected failures of deal operations. Services return them; the GraphQL layer maps them to types."""

from __future__ import annotations

from dataclasses import dataclass

from api.process import Process
from api.services.deals.gates import GateResult


@dataclass(frozen=True, slots=True)
class DealNotFound:
    """No deal with this id, or none the viewer may see (the two are not told apart)."""

    deal_id: str


@dataclass(frozen=True, slots=True)
class InvalidInput:
    field: str
    """The input field at fault, as a path like `input.amount`."""
    message: str


@dataclass(frozen=True, slots=True)
class VersionConflict:
    current_version: int


@dataclass(frozen=True, slots=True)
class PermissionDenied:
    message: str


@dataclass(frozen=True, slots=True)
class GateBlocked:
    process: Process
    gate: GateResult


Failure = DealNotFound | InvalidInput | VersionConflict | PermissionDenied | GateBlocked
