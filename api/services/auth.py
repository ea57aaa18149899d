"""Who is asking: API tokens (stored as sha256 hashes), roles, and which deals each role may see."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import ApiToken, Deal, Role, Team, User

TOKEN_PREFIX = "wmk_"


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


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def add_user(session: AsyncSession, *, name: str, role: Role, team_name: str | None = None) -> tuple[User, str]:
    """A new user and their API token; the token is returned once and only its hash is stored."""
    team_id = None
    if team_name:
        team = await session.scalar(select(Team).where(Team.name == team_name))
        if team is None:
            team = Team(name=team_name)
            session.add(team)
            await session.flush()
        team_id = team.id
    user = User(name=name, role=role.value, team_id=team_id)
    session.add(user)
    await session.flush()
    token = await issue_token(session, user=user)
    return user, token


async def issue_token(session: AsyncSession, *, user: User) -> str:
    token = new_token()
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    await session.flush()
    return token


async def viewer_for_token(session: AsyncSession, *, token: str) -> Viewer | None:
    """The user a bearer token belongs to, or None for an unknown or revoked token."""
    if not token:
        return None
    user = await session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if user is None:
        return None
    return Viewer(id=user.id, name=user.name, role=Role(user.role), team_id=user.team_id)


def bearer_token(authorization: str | None) -> str:
    """The token in an `Authorization: Bearer <token>` header, or '' when there is none."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def visible_deals(viewer: Viewer) -> ColumnElement[bool]:
    """A filter on `Deal` for the deals `viewer` may see (and, but for enablement, change)."""
    if viewer.sees_every_deal:
        return true()
    if viewer.role is Role.MANAGER and viewer.team_id is not None:
        team = select(User.id).where(User.team_id == viewer.team_id).scalar_subquery()
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
