"""Expected failures every domain's mutations may return: the `UserError` interface and the generic ones.
Failures of one domain live next to its types (e.g. `api/graphql/deals/errors.py`)."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An expected failure; the request changed nothing.")
class UserError:
    message: str = strawberry.field(description="What went wrong, in plain English.")


@strawberry.type(description="An input value is wrong; `field` says which.")
class InvalidInput(UserError):
    field: str = strawberry.field(description="Path of the bad input field, e.g. `input.amount`.")


@strawberry.type(description="You may not do this.")
class PermissionDenied(UserError):
    pass
