"""API tokens: issued once, stored as sha256 hashes, and turned back into the viewer who holds them."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import ApiToken, Role, Team, User
from api.services.accounts.viewer import Viewer

TOKEN_PREFIX = "wmk_"


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
