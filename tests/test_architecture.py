"""Dependencies point one way: no import cycle inside `api/`; `api/process` imports nothing else of ours;
`api/services` never imports the GraphQL layer; the guidebook imports only `api/process`; and inside
`api/services` and `api/graphql` the domains depend on each other in one direction only.

Imports are read from the source (function-level ones too: a lazy import that breaks a cycle at run time is
still a cycle to a reader); those under `if TYPE_CHECKING:` are for type checkers only and left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
OURS = ("api", "guidebook")

SERVICE_DOMAINS = ["accounts", "deals", "history", "forecast", "publishing"]
"""Each may import those before it, never those after."""
GRAPHQL_DOMAINS = ["core", "process", "accounts", "deals", "insights"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for top in OURS for path in (ROOT / top).rglob("*.py")}


MODULES = all_modules()


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imported_names(tree: ast.AST, *, package: str) -> Iterator[str]:
    for node in ast.iter_child_nodes(tree):
        if _is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        yield from _imported_names(node, package=package)


def imports_of(module: str) -> set[str]:
    """The modules of ours that `module` imports (a `from package import name` counts the submodule `name`
    when there is one, else the package)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for name in _imported_names(tree, package=package):
        if name.split(".")[0] in OURS and name in MODULES and name != module:
            found.add(name)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of `graph` (as the modules around it), or [] when there is none."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def forbidden(rule: str) -> list[str]:
    """Every `importer -> imported` edge that breaks `rule`."""
    broken = []
    for importer, targets in GRAPH.items():
        for target in sorted(targets):
            if _breaks(rule, importer, target):
                broken.append(f"{importer} -> {target}")
    return broken


def _domain(module: str, layer: str, domains: list[str]) -> int | None:
    parts = module.split(".")
    prefix = layer.split(".")
    if parts[: len(prefix)] != prefix or len(parts) <= len(prefix):
        return None
    return domains.index(parts[len(prefix)]) if parts[len(prefix)] in domains else None


def _breaks(rule: str, importer: str, target: str) -> bool:
    if rule == "process imports nothing else of ours":
        return _within(importer, "api.process") and not _within(target, "api.process")
    if rule == "services never import the GraphQL layer, the app or the command line":
        return _within(importer, "api.services") and any(
            _within(target, outer) for outer in ("api.graphql", "api.app", "api.cli")
        )
    if rule == "the guidebook imports only api/process":
        return _within(importer, "guidebook") and not (_within(target, "guidebook") or _within(target, "api.process"))
    for layer, domains in (("api.services", SERVICE_DOMAINS), ("api.graphql", GRAPHQL_DOMAINS)):
        if rule == f"{layer} domains depend one way":
            mine, theirs = _domain(importer, layer, domains), _domain(target, layer, domains)
            return mine is not None and theirs is not None and theirs > mine
    raise ValueError(rule)


def test_there_is_no_import_cycle_in_api() -> None:
    assert find_cycle({m: t for m, t in GRAPH.items() if _within(m, "api")}) == []


@pytest.mark.parametrize(
    "rule",
    [
        "process imports nothing else of ours",
        "services never import the GraphQL layer, the app or the command line",
        "the guidebook imports only api/process",
        "api.services domains depend one way",
        "api.graphql domains depend one way",
    ],
)
def test_dependencies_point_one_way(rule: str) -> None:
    assert forbidden(rule) == []


def test_the_checks_find_what_they_look_for() -> None:
    # given: a made-up graph with an edge against each rule
    GRAPH.update(
        {
            "api.process.fake": {"api.settings"},
            "api.services.accounts.fake": {"api.graphql.schema", "api.services.forecast.service"},
            "guidebook.fake": {"api.services.deals.state"},
            "api.graphql.process.fake": {"api.graphql.deals.types"},
        }
    )
    try:
        # then: every rule reports its edge, and the cycle is found
        assert forbidden("process imports nothing else of ours") == ["api.process.fake -> api.settings"]
        assert "api.services.accounts.fake -> api.graphql.schema" in forbidden(
            "services never import the GraphQL layer, the app or the command line"
        )
        assert forbidden("the guidebook imports only api/process") == ["guidebook.fake -> api.services.deals.state"]
        assert forbidden("api.services domains depend one way") == [
            "api.services.accounts.fake -> api.services.forecast.service"
        ]
        assert forbidden("api.graphql domains depend one way") == [
            "api.graphql.process.fake -> api.graphql.deals.types"
        ]
    finally:
        for fake in ("api.process.fake", "api.services.accounts.fake", "guidebook.fake", "api.graphql.process.fake"):
            GRAPH.pop(fake)
    assert sorted(set(find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}))) == ["a", "b", "c"]


def test_imports_are_read_from_every_module_but_type_checking_blocks() -> None:
    assert "api.graphql.core.context" not in GRAPH["api.graphql.core.loaders"]  # under `if TYPE_CHECKING:`
    assert "api.services.deals.recording" in GRAPH["api.services.deals.working"]
    assert "api.process.guide_urls" in GRAPH["guidebook.hooks"]
