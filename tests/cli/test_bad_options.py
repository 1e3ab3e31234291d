"""Every option of every command, given a bad value, stops with a message naming it and exit
status 2: never a traceback, never a half-done run. The commands are walked from the app,
so a new command or option is covered (and needs a valid base invocation here)."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from stockshift.cli.main import app
from tests.io.test_iowa import _sales as iowa_sales
from tests.io.test_iowa import _stores as iowa_stores

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"
FILES = {"--stores": DEMO / "stores.csv", "--inventory": DEMO / "inventory.csv"}
WITH_SALES = {**FILES, "--sales": DEMO / "sales.csv"}
NUMERIC = {"int", "float"}


def _leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if getattr(command, "commands", None):
        for name, sub in command.commands.items():
            yield from _leaves(sub, (*path, name))
    else:
        yield path, command


COMMANDS = dict(_leaves(typer.main.get_command(app)))


def _base(command: tuple[str, ...], tmp: Path) -> tuple[dict[str, Any], list[str]]:
    """Options and arguments with which ``command`` would succeed (db: a fresh SQLite file)."""
    db = {"--database-url": f"sqlite:///{tmp / 'db.sqlite'}"}
    iowa = {
        "--stores": iowa_stores(tmp / "iowa-stores.csv"),
        "--sales": iowa_sales(tmp / "iowa-sales.csv"),
    }
    small_demo = {"--stores": 5, "--products": 3, "--days": 30}
    bases: dict[tuple[str, ...], tuple[dict[str, Any], list[str]]] = {
        ("clusters",): ({"--stores": FILES["--stores"]}, []),
        ("forecast",): ({**WITH_SALES, "--limit": 1}, []),
        ("backtest",): ({**WITH_SALES, "--weeks": 1, "--policies": "warehouse"}, []),
        ("demo",): (small_demo, [str(tmp / "demo")]),
        ("plan",): ({**WITH_SALES, "--output": tmp / "plan.json"}, []),
        ("serve",): ({**db, "--port": 1}, []),  # only reached with a bad value: never serves
        ("convert", "iowa"): ({**iowa, "--chain": "HY-VEE"}, [str(tmp / "iowa")]),
        ("db", "upgrade"): (db, []),
        ("db", "import"): ({**FILES, **db}, []),
        ("db", "plan"): (db, []),
        ("db", "import-plan"): (db, [str(tmp / "plan.json")]),
        ("keys", "create"): ({"--role": "viewer", **db}, []),
    }
    return bases[command]


def _value_options(command: Any) -> list[tuple[str, str]]:
    return [
        (p.opts[0], str(getattr(p.bare_type(), "__name__", p.bare_type())))
        for p in command.params
        if p.param_type_name == "option" and not p.is_flag and p.name != "help"
    ]


def _bad_values(kind: str, tmp: Path) -> list[str]:
    values = ["nonsense", ""]
    if kind in NUMERIC:
        values.append("-7")
    if kind == "Path":  # under a file, where no folder can be made (missing folders are made)
        (tmp / "a-file").write_text("not a folder")
        values = [str(tmp / "a-file" / "nonsense.csv")]
    return values


FREE_TEXT = {(("keys", "create"), "--name")}  # any text is a name
AS_PATH = {(("plan",), "--output")}  # a path taken as text, so that a trailing / is kept
CASES = [
    (path, flag, "Path" if (path, flag) in AS_PATH else kind)
    for path, command in COMMANDS.items()
    for flag, kind in _value_options(command)
    if (path, flag) not in FREE_TEXT
]


def test_every_command_has_a_base_invocation(tmp_path: Path) -> None:
    for path in COMMANDS:
        _base(path, tmp_path)


def _invoke(args: list[str]) -> Any:
    return CliRunner().invoke(app, args, catch_exceptions=True)


@pytest.mark.parametrize(
    ("path", "flag", "kind"), CASES, ids=[f"{' '.join(p)} {f}" for p, f, _ in CASES]
)
def test_a_bad_option_value_is_a_clear_exit_2(
    path: tuple[str, ...], flag: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def would_serve(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the bad value was accepted: the server would start")

    monkeypatch.setattr("uvicorn.run", would_serve)
    options, arguments = _base(path, tmp_path)
    database = {"--database-url": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    if path[0] in ("db", "keys", "serve"):
        for setup in (["db", "upgrade"], ["db", "import", *_flat(FILES)]):
            done = _invoke([*setup, *_flat(database)])
            assert done.exit_code == 0, done.output
    for bad in _bad_values(kind, tmp_path):
        args = [*path, *_flat({**options, flag: bad}), *arguments]
        result = _invoke(args)
        shown = "".join(traceback.format_exception(result.exception)) if result.exception else ""
        if not isinstance(result.exception, SystemExit):
            assert result.exception is None, f"{args}: traceback\n{shown}"
        assert result.exit_code == 2, f"{args} -> {result.exit_code}\n{result.output}{shown}"
        message = result.output
        assert flag in message or (bad and bad in message), f"{args}: {message!r}"
        assert "Traceback" not in message


def _flat(options: dict[str, Any]) -> list[str]:
    return [str(x) for flag, value in options.items() for x in (flag, value)]
