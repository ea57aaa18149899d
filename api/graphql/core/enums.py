"""Enum members from the values stored in rows, looked up in a dictionary: calling an `Enum` class with a value
goes through its metaclass (about a microsecond), and a deal page makes dozens of them."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

E = TypeVar("E", bound=Enum)


def member_by_value(kind: type[E]) -> Callable[[object], E]:
    """`kind(value)`, faster; an unknown value raises the same `ValueError`."""
    members = {member.value: member for member in kind}

    def member(value: object) -> E:
        found = members.get(value)
        return kind(value) if found is None else found

    return member
