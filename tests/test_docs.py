"""Every CLI command and option (docs/cli.md) and every setting (docs/*.md) is documented."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from stockshift.cli.main import app

DOCS = Path(__file__).parents[1] / "docs"


def _commands(cmd: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    subs = getattr(cmd, "commands", None)
    if subs:
        for name, sub in subs.items():
            yield from _commands(sub, [*path, name])
    else:
        yield path, cmd


def test_every_command_and_option_is_in_docs_cli() -> None:
    text = (DOCS / "cli.md").read_text()
    missing = []
    for path, cmd in _commands(typer.main.get_command(app), []):
        name = "stockshift " + " ".join(path)
        if f"`{name}" not in text:
            missing.append(name)
        for param in cmd.params:
            if param.param_type_name == "option":
                opt = max(param.opts, key=len)
                if opt != "--help" and not re.search(re.escape(opt) + r"(?![\w-])", text):
                    missing.append(f"{name} {opt}")
    assert missing == []


def test_every_setting_is_documented() -> None:
    from stockshift.config import Settings

    text = "\n".join(p.read_text() for p in DOCS.glob("*.md"))
    missing = [
        f"STOCKSHIFT_{name.upper()}"
        for name in Settings.model_fields
        if f"STOCKSHIFT_{name.upper()}" not in text
    ]
    assert missing == []
