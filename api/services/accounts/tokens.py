"""API tokens: issued once, stored as sha256 hashes, and turned back into the viewer who holds them.

A token works until it is revoked or, if it was issued with one, until its expiry. A server remembers who
holds a token for a few seconds (`token_cache`); a revocation tells every server on PostgreSQL to forget at
once (`TOKENS_CHANNEL`), and the few seconds bound it everywhere else.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import ApiToken, Role, Team, User, utc_now
from api.services.accounts.viewer import Viewer

TOKEN_PREFIX = "wmk_"
TOKENS_CHANNEL = "waymark_tokens"
"""The PostgreSQL notification channel on which a revocation tells every server to forget the tokens it knows."""


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


async def issue_token(session: AsyncSession, *, user: User, expires_at: datetime | None = None) -> str:
    token = new_token()
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), expires_at=expires_at))
    await session.flush()
    return token


def working_tokens(now: datetime) -> ColumnElement[bool]:
    """A filter on `ApiToken`: not revoked and not expired at `now`."""
    return ApiToken.revoked_at.is_(None) & or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now)


async def revoke_tokens(session: AsyncSession, *, user: User) -> int:
    """Revoke every token of `user` that still works; how many that was."""
    now = utc_now()
    revoked = await session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, working_tokens(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if session.get_bind().dialect.name == "postgresql":  # delivered only if the revocation commits
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": TOKENS_CHANNEL})
    return int(getattr(revoked, "rowcount", 0) or 0)


async def rotate_token(session: AsyncSession, *, user: User, expires_at: datetime | None = None) -> str:
    """A new token for `user`, every older one revoked in the same transaction; shown once."""
    await revoke_tokens(session, user=user)
    return await issue_token(session, user=user, expires_at=expires_at)


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who holds a working token, and until when it works (None: until revoked)."""

    viewer: Viewer
    expires_at: datetime | None


async def token_holder(session: AsyncSession, *, token: str) -> TokenHolder | None:
    """The holder of a bearer token, or None for an unknown, revoked or expired token."""
    if not token or len(token) > 200:
        return None
    row = (
        await session.execute(
            select(User.id, User.name, User.role, User.team_id, ApiToken.expires_at)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == hash_token(token), working_tokens(utc_now()))
        )
    ).first()
    if row is None:
        return None
    viewer = Viewer(id=row.id, name=row.name, role=Role(row.role), team_id=row.team_id)
    return TokenHolder(viewer=viewer, expires_at=row.expires_at)


async def viewer_for_token(session: AsyncSession, *, token: str) -> Viewer | None:
    """The user a bearer token belongs to, or None for an unknown, revoked or expired token."""
    holder = await token_holder(session, token=token)
    return None if holder is None else holder.viewer


def bearer_token(authorization: str | None) -> str:
    """The token in an `Authorization: Bearer <token>` header, or '' when there is none."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
