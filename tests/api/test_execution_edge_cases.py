"""Where execution goes wrong, the compiled executor answers as graphql-core does: on a small schema whose fields
raise, return null where they may not, return the wrong type, answer asynchronously, or hold lists with nulls and
awaitables, generated documents give the same data and the same errors through both executors."""

from __future__ import annotations

import asyncio
import random
from enum import Enum
from typing import Any

import strawberry
from strawberry.extensions import ParserCache

from api.graphql.core import execution
from api.graphql.core.execution import CompiledExecutor
from api.graphql.core.execution_plan import Plan, complete_once, complete_once_per_request, views_scope


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Shade(Enum):
    """Not a GraphQL enum: its members are not `Colour`s, though one has a `Colour`'s value."""

    RED = "red"
    DARK = "dark"


async def _later(value: Any) -> Any:
    await asyncio.sleep(0)
    return value


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Pet(Named):
    """A type with an interface: Strawberry gives it an `is_type_of` check."""

    sound: str = "woof"


@strawberry.type
class Badge:
    """A shared view: completed once per request and selection, and reused where it is shown again."""

    label: str

    @strawberry.field
    def checked(self) -> str:
        CHECKED.append(self.label)
        if self.label == "bad":
            raise ValueError("a bad badge")
        return self.label.upper()


complete_once("Badge")
CHECKED: list[str] = []


@strawberry.type
class Owner:
    """A view shared within a request only (a user, say): completed once per request and selection."""

    name: str

    @strawberry.field
    def checked(self) -> str:
        CHECKED.append(self.name)
        return self.name.upper()


complete_once_per_request("Owner")
OWNER = Owner(name="ada")
BADGES = (Badge(label="gold"), Badge(label="silver"))
"""The same tuple for every item, as a deal's milestone lists are the same for every deal in its state."""
FLAWED_BADGES = (Badge(label="gold"), Badge(label="bad"))


@strawberry.type
class Item:
    name: str
    pet: Pet = strawberry.field(default_factory=lambda: Pet(name="rex"))
    impostor: Pet = strawberry.field(default_factory=lambda: Colour.RED)  # type: ignore[assignment]  # not a Pet
    pets: list[Pet | None] = strawberry.field(default_factory=lambda: [Pet(name="a"), "b", None])  # type: ignore[list-item]
    maybe: str | None = None
    colour: Colour = Colour.RED
    colour_value: Colour = "blue"  # type: ignore[assignment]  # the member's value, not the member
    shade: Colour = Shade.RED  # type: ignore[assignment]  # another enum's member, with a `Colour` value
    dark_shade: Colour = Shade.DARK  # type: ignore[assignment]  # another enum's member, with no `Colour` value
    no_colour: Colour | None = None
    missing: str = None  # type: ignore[assignment]  # a plain non-null field holding null
    wrong: int = "seven"  # type: ignore[assignment]  # a plain field of the wrong type
    children: list[Item] = strawberry.field(default_factory=list)
    holes: list[Item | None] = strawberry.field(default_factory=list)
    strict_holes: list[Item] = strawberry.field(default_factory=list)
    nested: Item | None = None
    strict_nested: Item = None  # type: ignore[assignment]
    numbers: list[int] = strawberry.field(default_factory=lambda: [1, 2, 3])
    bad_numbers: list[int] = strawberry.field(default_factory=lambda: [1, "two", 3])  # type: ignore[list-item]
    beyond_int: int = 2**31  # an int that GraphQL's 32-bit Int cannot represent
    least_int: int = -(2**31)
    ratio: float = 0.5
    infinite: float = float("inf")
    text_id: strawberry.ID = strawberry.ID("i-1")

    @strawberry.field
    def huge(self) -> int:
        return -(2**40)

    @strawberry.field
    def not_a_number(self) -> float:
        return float("nan")

    @strawberry.field
    def flag_as_int(self) -> int:
        return True

    @strawberry.field
    def whole_as_float(self) -> float:
        return 3

    @strawberry.field
    def numeric_id(self) -> strawberry.ID:
        return 42  # type: ignore[return-value]

    @strawberry.field
    def blue(self) -> Colour:
        return Colour.BLUE

    @strawberry.field
    def nothing(self) -> str | None:
        return None

    @strawberry.field
    def strict_nothing(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field
    def no_pet(self) -> Pet | None:
        return None

    @strawberry.field
    def broken(self) -> str:
        raise ValueError(f"{self.name} is broken")

    @strawberry.field
    def broken_maybe(self) -> str | None:
        raise ValueError(f"{self.name} may be broken")

    @strawberry.field
    async def later(self) -> str:
        return await _later(self.name)

    @strawberry.field
    async def later_children(self) -> list[Item]:
        return await _later(self.children)

    @strawberry.field
    def awaitable_items(self) -> list[str | None]:
        return [_later("a"), None, _later("c")]  # type: ignore[list-item]

    @strawberry.field
    def path(self, info: strawberry.Info) -> str:
        return f"{info.field_name} at {info.path.as_list()}"

    @strawberry.field
    @staticmethod
    def parent_name(root: strawberry.Parent[Item]) -> str | None:
        return None if root.name.endswith("0") else root.name.upper()

    @strawberry.field
    def greeting(self, name: str = "you") -> str:
        return f"hello {name} from {self.name}"

    @strawberry.field
    def failing_children(self) -> list[Item | None]:
        return [Item(name=f"{self.name}0"), ValueError(f"{self.name} gone"), None]  # type: ignore[list-item]

    @strawberry.field
    def strict_failing_children(self) -> list[Item]:
        return [Item(name=f"{self.name}0"), ValueError(f"{self.name} gone")]  # type: ignore[list-item]

    @strawberry.field
    def badges(self) -> list[Badge]:
        return BADGES  # type: ignore[return-value]

    @strawberry.field
    def flawed_badges(self) -> list[Badge | None]:
        return FLAWED_BADGES  # type: ignore[return-value]

    @strawberry.field
    def strict_flawed_badges(self) -> list[Badge]:
        return FLAWED_BADGES  # type: ignore[return-value]

    @strawberry.field
    def owner(self) -> Owner:
        return OWNER

    @strawberry.field
    def resolved_pet(self) -> Pet:
        return Pet(name=self.name) if self.name.endswith("0") else self  # type: ignore[return-value]


def _tree(depth: int = 2) -> Item:
    children = [] if depth == 0 else [_tree(depth - 1), _tree(depth - 1)]
    return Item(
        name=f"item{depth}",
        maybe=None if depth % 2 else "here",
        children=children,
        holes=[*children, None],  # type: ignore[list-item]
        strict_holes=[*children, None],  # type: ignore[list-item]
        nested=children[0] if children else None,
        strict_nested=children[0] if children else None,  # type: ignore[arg-type]
    )


@strawberry.type
class Query:
    @strawberry.field
    def item(self) -> Item:
        return _tree()

    @strawberry.field
    def items(self) -> list[Item | None]:
        return [_tree(1), None, _tree(0)]

    @strawberry.field
    async def later_item(self) -> Item | None:
        return await _later(_tree(1))


COMPILED = strawberry.Schema(query=Query, execution_context_class=CompiledExecutor)
GRAPHQL_CORE = strawberry.Schema(query=Query)
LEAVES = [
    "name",
    "maybe",
    "colour",
    "colourValue",
    "shade",
    "darkShade",
    "noColour",
    "blue",
    "nothing",
    "strictNothing",
    "missing",
    "wrong",
    "broken",
    "brokenMaybe",
    "later",
    "numbers",
    "badNumbers",
    "awaitableItems",
    'greeting(name: "Ada")',
    "greeting",
    "__typename",
    "path",
    "beyondInt",
    "leastInt",
    "ratio",
    "infinite",
    "textId",
    "huge",
    "notANumber",
    "flagAsInt",
    "wholeAsFloat",
    "numericId",
]
OBJECTS = [
    "children",
    "holes",
    "strictHoles",
    "nested",
    "strictNested",
    "laterChildren",
    "failingChildren",
    "strictFailingChildren",
]
PETS = ["pet", "impostor", "pets", "resolvedPet", "noPet"]
BADGE_LISTS = ["badges", "flawedBadges", "strictFlawedBadges"]


def _selection(rng: random.Random, depth: int) -> str:
    fields = rng.sample(LEAVES, k=rng.randint(1, 4))
    if depth < 3:
        fields += [f"{name} {_selection(rng, depth + 1)}" for name in rng.sample(OBJECTS, k=rng.randint(0, 2))]
    if rng.random() < 0.3:
        fields.append(f"{rng.choice(PETS)} {{ name sound __typename }}")
    if rng.random() < 0.3:
        badge = rng.sample(["label", "checked", "__typename"], k=rng.randint(1, 3))
        fields.append(f"{rng.choice(BADGE_LISTS)} {{ {' '.join(badge)} }}")
    if rng.random() < 0.2:
        fields = [f"... on Item {{ {' '.join(fields)} }}"]
    if rng.random() < 0.2:
        fields.append(f"alias{depth}: name")
    return "{ " + " ".join(fields) + " }"


def _documents(count: int) -> list[str]:
    rng = random.Random(7)
    roots = ["item", "items", "laterItem"]
    return [f"{{ {rng.choice(roots)} {_selection(rng, 1)} }}" for _ in range(count)]


def _answer(result: Any) -> dict[str, Any]:
    return {"data": result.data, "errors": [error.formatted for error in result.errors or []]}


async def test_errors_nulls_and_awaitables_are_completed_as_graphql_core_completes_them():
    # given
    documents = _documents(300)

    # when
    differences = []
    errors = 0
    for document in documents:
        ours, theirs = _answer(await COMPILED.execute(document)), _answer(await GRAPHQL_CORE.execute(document))
        errors += len(theirs["errors"])
        if ours != theirs:
            differences.append((document, ours, theirs))

    # then
    assert differences == []
    assert errors > 300, "the documents should exercise the error paths"


SHOWN = """query Shown($show: Boolean!) { item { name children @include(if: $show) { name pet { name } } } }"""
UNCHANGING = "{ item { name children { name pet { name sound } } } }"


async def test_a_selection_that_depends_on_a_variable_is_planned_for_each_request():
    # given: parsing cached, so both requests run the same document
    parsed = ParserCache()
    compiled = strawberry.Schema(query=Query, execution_context_class=CompiledExecutor, extensions=[lambda: parsed])

    # when
    shown = await compiled.execute(SHOWN, variable_values={"show": True})
    hidden = await compiled.execute(SHOWN, variable_values={"show": False})

    # then
    assert shown.data == (await GRAPHQL_CORE.execute(SHOWN, variable_values={"show": True})).data
    assert hidden.data == {"item": {"name": "item2"}}


async def test_a_document_seen_before_runs_without_compiling(monkeypatch):
    # given
    parsed = ParserCache()
    compiled = strawberry.Schema(query=Query, execution_context_class=CompiledExecutor, extensions=[lambda: parsed])
    compiled_plans = []
    compile_plan = execution.compile_plan

    def counting(*args: Any) -> Any:
        compiled_plans.append(args[1].name)
        return compile_plan(*args)

    monkeypatch.setattr(execution, "compile_plan", counting)

    # when
    first = await compiled.execute(UNCHANGING)
    planned_first = len(compiled_plans)
    second = await compiled.execute(UNCHANGING)

    # then
    assert first.data == second.data == (await GRAPHQL_CORE.execute(UNCHANGING)).data
    assert planned_first == 3  # item, its children, their pets
    assert len(compiled_plans) == planned_first


SHARED = "{ item { badges { checked } children { badges { checked } children { flawedBadges { checked } } } } }"


async def test_a_tuple_of_shared_views_is_completed_once_per_request_unless_it_failed():
    # given
    CHECKED.clear()

    # when: the same tuples under seven items, in two selections (the item's and its children's)
    ours = await COMPILED.execute(SHARED)
    checked = list(CHECKED)

    # then: the clean tuple is completed once per selection; the one with an error each time, with the error at
    # each path
    assert _answer(ours) == _answer(await GRAPHQL_CORE.execute(SHARED))
    assert checked.count("silver") == 2
    assert checked.count("bad") == 4
    assert len(ours.errors or []) == 4


class ViewsScope:
    """A context whose shared views depend on `scope` alone, as `WaymarkContext.views_scope` says of ours."""

    def __init__(self, *scope: object) -> None:
        self.views_scope = scope


async def test_a_shared_view_is_completed_once_for_every_request_of_its_views_scope():
    # given: documents parsed once, so their plans are kept with them
    parsed = ParserCache()
    compiled = strawberry.Schema(query=Query, execution_context_class=CompiledExecutor, extensions=[lambda: parsed])
    CHECKED.clear()
    settings, version, next_version = object(), object(), object()

    # when: the same document twice in one scope, then in the scope of another process version
    first = await compiled.execute(SHARED, context_value=ViewsScope(settings, version))
    second = await compiled.execute(SHARED, context_value=ViewsScope(settings, version))
    checked_in_one_scope = list(CHECKED)
    third = await compiled.execute(SHARED, context_value=ViewsScope(settings, next_version))
    checked_in_both_scopes = list(CHECKED)

    # then: the clean tuple is completed once per selection for both requests of the scope, again for the other
    # scope; the tuple with an error at every path of every request
    expected = _answer(await GRAPHQL_CORE.execute(SHARED))
    assert _answer(first) == _answer(second) == _answer(third) == expected
    assert checked_in_one_scope.count("silver") == 2
    assert checked_in_one_scope.count("bad") == 8
    assert checked_in_both_scopes.count("silver") == 4


OWNED = "{ item { owner { checked } children { owner { checked } children { owner { name checked } } } } }"


async def test_a_view_shared_within_a_request_is_completed_once_per_request_and_selection():
    # given: documents parsed once, so their plans are kept with them
    parsed = ParserCache()
    compiled = strawberry.Schema(query=Query, execution_context_class=CompiledExecutor, extensions=[lambda: parsed])
    CHECKED.clear()
    scope = ViewsScope(object(), object())

    # when: the same owner under seven items, in three selections; the same document twice in one views scope
    first = await compiled.execute(OWNED, context_value=scope)
    second = await compiled.execute(OWNED, context_value=scope)
    checked = list(CHECKED)

    # then: completed once per selection in each request, not kept from one request to the next
    assert _answer(first) == _answer(second) == _answer(await GRAPHQL_CORE.execute(OWNED))
    assert checked == ["ada"] * 6


@strawberry.type
class Label:
    """A shared view with only nullable fields: nulled, it would still look like a value."""

    note: str | None


complete_once("Label")
LABEL = Label(note="a note that matters")
FILLER = {"length": 0}


@strawberry.type
class Row:
    @strawberry.field
    async def label(self) -> Label:
        return await _later(LABEL)

    @strawberry.field
    def filler(self) -> str:  # non-null: when it is too large, its row is nulled
        return "x" * FILLER["length"]


@strawberry.type
class RowQuery:
    @strawberry.field
    def row(self) -> Row | None:
        return Row()


class LimitedExecutor(CompiledExecutor):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_response_bytes = 1_000


async def test_a_shared_view_completed_under_a_nulled_parent_is_not_kept_for_the_next_request():
    # given
    parsed = ParserCache()
    limited = strawberry.Schema(query=RowQuery, execution_context_class=LimitedExecutor, extensions=[lambda: parsed])
    document = "{ row { label { note } filler } }"
    scope = ViewsScope(object(), object())

    # when: an answer too large (its row nulled while the label was still on its way), then a small one
    FILLER["length"] = 5_000
    too_large = await limited.execute(document, context_value=scope)
    await asyncio.sleep(0.05)  # the label's completion ends in the background
    FILLER["length"] = 10
    small = await limited.execute(document, context_value=scope)

    # then: the label's nulled note, an error graphql-core leaves out under the nulled row, is not shown again
    assert too_large.data == {"row": None}
    assert small.errors is None
    assert small.data == {"row": {"label": {"note": "a note that matters"}, "filler": "x" * 10}}


def test_a_plan_keeps_the_completions_of_one_views_scope_at_a_time():
    # given: a plan, and a completion kept in the scope of one process version
    plan = Plan(COMPILED._schema.get_type("Badge"), [])  # type: ignore[arg-type]
    first_scope, next_scope = (object(), object()), (object(), object())
    gold, silver = BADGES
    plan.keep(first_scope, (gold, {"label": "gold"}, 40))

    # when: a completion is kept in the scope of the next version
    plan.keep(next_scope, (silver, {"label": "silver"}, 42))

    # then: the earlier version's is dropped, not held in memory
    assert plan.kept_for(gold, first_scope) is None
    assert plan.kept_for(gold, next_scope) is None
    assert plan.kept_for(silver, next_scope) == (silver, {"label": "silver"}, 42)
    assert len(plan.kept) == 1


def test_the_requests_of_one_views_scope_share_one_scope_tuple():
    # given: the objects of two scopes
    settings, version, next_version = object(), object(), object()

    # when: each request names its scope with a tuple of its own
    first, second = views_scope((settings, version)), views_scope((settings, version))
    other = views_scope((settings, next_version))

    # then: plans compare scopes by identity, so one scope is one tuple
    assert first is second
    assert first == (settings, version)
    assert other is not first
