"""Users and teams as GraphQL types."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.db.models import Team, User
from api.graphql.accounts.loaders import TeamByIdLoader, UserByIdLoader
from api.graphql.core import fields
from api.graphql.core.context import Info_
from api.graphql.core.enums import member_by_value
from api.graphql.core.ids import to_global_id
from api.graphql.core.loaded import Resolved, then
from api.graphql.core.node import Node
from api.services.accounts.directory import TeamRecord, UserRecord


@strawberry.enum(description="What a user may do.")
class UserRole(Enum):
    REP = strawberry.enum_value("rep", description="Sees and changes their own deals.")
    MANAGER = strawberry.enum_value("manager", description="Sees and changes the team's deals; may override a gate.")
    ENABLEMENT = strawberry.enum_value("enablement", description="Reads all deals; reloads the process.")
    ADMIN = strawberry.enum_value("admin", description="Everything.")


_role = member_by_value(UserRole)


def _team_id(root: strawberry.Parent[TeamType]) -> strawberry.ID:
    return to_global_id("Team", root.row.id)


@strawberry.type(name="Team", description="A sales team; a manager sees its deals.")
class TeamType(Node):
    row: strawberry.Private[Team | TeamRecord]
    id: strawberry.ID = fields.resolved_by(_team_id, description="The global ID.")
    name: str = fields.filled(description="The team's name.")

    def __post_init__(self) -> None:
        self.name = self.row.name


def _user_id(root: strawberry.Parent[UserType]) -> strawberry.ID:
    return to_global_id("User", root.row.id)


@strawberry.type(name="User", description="Someone who works deals or the process.")
class UserType(Node):
    row: strawberry.Private[User | UserRecord]
    id: strawberry.ID = fields.resolved_by(_user_id, description="The global ID.")
    name: str = fields.filled(description="The user's name.")
    role: UserRole = fields.filled(description="The user's role.")

    def __post_init__(self) -> None:
        self.name, self.role = self.row.name, _role(self.row.role)

    @fields.field(description="The user's team, if any.", graphql_type=TeamType | None)
    def team(self, info: Info_) -> Resolved[TeamType | None]:
        if self.row.team_id is None:
            return None
        teams = TeamByIdLoader.of(info.context)
        return then(teams, self.row.team_id, lambda t: None if t is None else teams.view(t, _team_view))


def resolve_user(info: Info_, user_id: int) -> Resolved[UserType]:
    """A user a row refers to: at once when the request has loaded them already; one view per user and request."""
    users = UserByIdLoader.of(info.context)
    return then(users, user_id, lambda user: users.view(_present(user, user_id), _user_view))


def _present(user: User | UserRecord | None, user_id: int) -> User | UserRecord:
    if user is None:
        raise LookupError(f"user {user_id} is referenced but missing")
    return user


def _user_view(user: User | UserRecord) -> UserType:
    return UserType(row=user)


def _team_view(team: Team | TeamRecord) -> TeamType:
    return TeamType(row=team)
