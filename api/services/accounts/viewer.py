"""Who is asking, what their role lets them do, and which deals they may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Deal, Role, User


@dataclass(frozen=True, slots=True, kw_only=True)
class Viewer:
    """The authenticated user of one request."""

    id: int
    name: str
    role: Role
    team_id: int | None

    @property
    def sees_every_deal(self) -> bool:
        return self.role in {Role.ENABLEMENT, Role.ADMIN}

    @property
    def may_change_deals(self) -> bool:
        return self.role is not Role.ENABLEMENT

    @property
    def may_override_gates(self) -> bool:
        return self.role in {Role.MANAGER, Role.ADMIN}

    @property
    def may_edit_process(self) -> bool:
        return self.role in {Role.ENABLEMENT, Role.ADMIN}


def visible_deals(viewer: Viewer) -> ColumnElement[bool]:
    """A filter on `Deal` for the deals `viewer` may see (and, but for enablement, change)."""
    if viewer.sees_every_deal:
        return true()
    if viewer.role is Role.MANAGER and viewer.team_id is not None:
        # Never correlated: inside a query over users (the people directory) it still means the team's members.
        team = select(User.id).where(User.team_id == viewer.team_id).correlate(None).scalar_subquery()
        return Deal.owner_id.in_(team)
    return Deal.owner_id == viewer.id


async def may_own_deals_of(session: AsyncSession, *, viewer: Viewer, owner_id: int) -> bool:
    """Whether `viewer` may create or reassign a deal to the user `owner_id`."""
    if owner_id == viewer.id:
        return True
    owner = await session.get(User, owner_id)
    if owner is None:
        return False
    if viewer.role is Role.ADMIN:
        return True
    return viewer.role is Role.MANAGER and viewer.team_id is not None and owner.team_id == viewer.team_id
