"""The people directory: reading users and teams in batches (the loaders behind `owner`, `actor`, `team`),
who may look whom up, and the listing an admin reads on the command line.

Who may see whom (`visible_people`, `visible_teams`), the rule `node(id)` follows:

* everyone sees themself and their own team;
* the owners of the deals they may see, and whoever acted on those deals (recorded an event or completed a
  milestone), with those people's teams;
* a manager, every member of their team;
* enablement and admin, everyone.

Anyone else is, to the viewer, indistinguishable from an ID that names nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.batches import BatchRead
from api.db.models import ApiToken, Deal, DealEvent, MilestoneCompletion, Role, Team, User, utc_now
from api.services.accounts.tokens import working_tokens
from api.services.accounts.viewer import Viewer, visible_deals


class UserRecord(NamedTuple):
    """A user as the views show one (owner, completer, actor): read as plain columns, in batches."""

    id: int
    name: str
    role: str
    team_id: int | None


class TeamRecord(NamedTuple):
    """A team as the views show one."""

    id: int
    name: str


def user_columns(user: Any = User) -> tuple[Any, ...]:
    """A `UserRecord`'s columns, in order, of `User` or an alias of it: a read of rows that name users may join
    them (`users_of`)."""
    return (user.id, user.name, user.role, user.team_id)


USER_COLUMNS = user_columns()
_USERS_BY_IDS = BatchRead(lambda keys: select(*USER_COLUMNS).where(keys(User.id)))
_TEAMS_BY_IDS = BatchRead(lambda keys: select(Team.id, Team.name).where(keys(Team.id)))


async def users_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[UserRecord | None]:
    by_id = {row[0]: UserRecord(*row) for row in await _USERS_BY_IDS.rows(session, ids)}
    return [by_id.get(i) for i in ids]


def users_of(rows: Sequence[Sequence[Any]], start: int) -> list[UserRecord]:
    """The users joined to `rows` as `USER_COLUMNS` from column `start` on, each once; rows joined to no user
    (an outer join that found none) add none."""
    by_id: dict[int, UserRecord] = {}
    for row in rows:
        user_id = row[start]
        if user_id is not None and user_id not in by_id:
            by_id[user_id] = UserRecord(*row[start : start + len(USER_COLUMNS)])
    return list(by_id.values())


async def teams_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> list[TeamRecord | None]:
    by_id = {row[0]: TeamRecord(*row) for row in await _TEAMS_BY_IDS.rows(session, ids)}
    return [by_id.get(i) for i in ids]


def visible_people(viewer: Viewer) -> ColumnElement[bool]:
    """A filter on `User` for the people `viewer` may look up."""
    if viewer.sees_every_deal:
        return true()
    deals = visible_deals(viewer)
    acted = [
        exists().where(Deal.owner_id == User.id, deals),
        exists().where(DealEvent.actor_id == User.id, DealEvent.deal_id == Deal.id, deals),
        exists().where(MilestoneCompletion.completed_by_id == User.id, MilestoneCompletion.deal_id == Deal.id, deals),
    ]
    team = User.team_id == viewer.team_id if viewer.role is Role.MANAGER and viewer.team_id is not None else false()
    return or_(User.id == viewer.id, team, *acted)


def visible_teams(viewer: Viewer) -> ColumnElement[bool]:
    """A filter on `Team`: the viewer's own team and the teams of the people they may look up."""
    if viewer.sees_every_deal:
        return true()
    own = Team.id == viewer.team_id if viewer.team_id is not None else false()
    return or_(own, exists().where(User.team_id == Team.id, visible_people(viewer)))


async def visible_user(session: AsyncSession, *, viewer: Viewer, user_id: int) -> User | None:
    return await session.scalar(select(User).where(User.id == user_id, visible_people(viewer)))


async def visible_team(session: AsyncSession, *, viewer: Viewer, team_id: int) -> Team | None:
    return await session.scalar(select(Team).where(Team.id == team_id, visible_teams(viewer)))


@dataclass(frozen=True, slots=True)
class PersonListed:
    """One line of `waymark user list`: who, and how many tokens work for them; never a token or its hash."""

    id: int
    name: str
    role: str
    team: str | None
    working_tokens: int
    next_expiry: datetime | None
    """The soonest a working token of theirs expires; None when none does."""


async def list_people(session: AsyncSession) -> list[PersonListed]:
    tokens = (
        select(ApiToken.user_id, func.count().label("working"), func.min(ApiToken.expires_at).label("expiry"))
        .where(working_tokens(utc_now()))
        .group_by(ApiToken.user_id)
        .subquery()
    )
    rows = await session.execute(
        select(User.id, User.name, User.role, Team.name, tokens.c.working, tokens.c.expiry)
        .outerjoin(Team, Team.id == User.team_id)
        .outerjoin(tokens, tokens.c.user_id == User.id)
        .order_by(User.id)
    )
    return [
        PersonListed(
            id=user_id,
            name=name,
            role=role,
            team=team,
            working_tokens=int(working or 0),
            next_expiry=expiry,
        )
        for user_id, name, role, team, working, expiry in rows
    ]


class PersonNotFound(LookupError):
    """No user, or more than one, answers to what was asked; the message says which to pick."""


async def find_person(session: AsyncSession, *, who: str) -> User:
    """The user whose ID (as `waymark user list` shows it) or exact name is `who`."""
    text = who.strip()
    if text.isascii() and text.isdigit():
        found = await session.get(User, int(text)) if int(text) < 2**31 else None
        if found is None:
            raise PersonNotFound(f"no user has the ID {text}; `waymark user list` shows them")
        return found
    named = list(await session.scalars(select(User).where(User.name == text).order_by(User.id)))
    if not named:
        raise PersonNotFound(f"no user is named {text!r}; `waymark user list` shows them")
    if len(named) > 1:
        ids = ", ".join(str(u.id) for u in named)
        raise PersonNotFound(f"{len(named)} users are named {text!r} (IDs {ids}); give the ID instead")
    return named[0]
