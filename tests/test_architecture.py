"""STYLE: core/ never imports io, db, api or cli."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).parents[1] / "src" / "stockshift" / "core"
FORBIDDEN = (
    "stockshift.io",
    "stockshift.db",
    "stockshift.api",
    "stockshift.cli",
    "fastapi",
    "sqlalchemy",
    "typer",
    "rich",
)


def test_core_is_pure() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert offenders == []
