"""The layers of docs/architecture.md, enforced: who may import whom, and no import cycles.

STYLE: core/ never imports io, db, api or cli; data flows one way, files or database ->
io/db -> core -> io/db/api -> user.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).parents[1] / "src"
PACKAGE = SRC / "stockshift"


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield base
            yield from (f"{base}.{a.name}" for a in node.names)


MODULES = {_module(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {
    name: sorted({m for m in _imports(path) if m in MODULES and m != name})
    for name, path in MODULES.items()
}


def _offenders(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if name == f"stockshift.{layer}" or name.startswith(f"stockshift.{layer}.")
        for target in targets
        if target.startswith(forbidden)
    ]


def _third_party(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.name}: {name}"
        for module, path in MODULES.items()
        if module.startswith(f"stockshift.{layer}")
        for name in _imports(path)
        if name.startswith(forbidden)
    ]


def test_core_is_pure() -> None:
    outside = ("stockshift.io", "stockshift.db", "stockshift.api", "stockshift.cli")
    assert _offenders("core", (*outside, "stockshift.service", "stockshift.document")) == []
    assert _third_party("core", ("fastapi", "sqlalchemy", "typer", "rich")) == []


def test_db_imports_neither_io_nor_api() -> None:
    forbidden = ("stockshift.io", "stockshift.api", "stockshift.cli", "stockshift.service")
    assert _offenders("db", forbidden) == []


def test_io_imports_neither_db_nor_api() -> None:
    forbidden = ("stockshift.db", "stockshift.api", "stockshift.cli", "stockshift.service")
    assert _offenders("io", forbidden) == []
    assert _third_party("io", ("fastapi", "sqlalchemy", "typer", "rich")) == []


def test_engines_are_below_api_and_cli() -> None:
    forbidden = ("stockshift.db", "stockshift.api", "stockshift.cli", "stockshift.service")
    assert _offenders("engine", forbidden) == []


def test_service_is_below_api_and_cli() -> None:
    assert _offenders("service", ("stockshift.api", "stockshift.cli")) == []


def test_the_plan_document_needs_only_core() -> None:
    assert [t for t in GRAPH["stockshift.document"] if not t.startswith("stockshift.core")] == []


def test_api_never_imports_cli() -> None:
    assert _offenders("api", ("stockshift.cli",)) == []


def test_cli_imports_api_only_for_the_app_factory() -> None:
    used = [o for o in _offenders("cli", ("stockshift.api",)) if not o.endswith(".create_app")]
    assert [o for o in used if not o.endswith("imports stockshift.api.app")] == []


def test_no_import_cycles() -> None:
    """Depth-first search for a back edge in the module graph (imports inside functions too)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in GRAPH[name]:
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert cycles == []
