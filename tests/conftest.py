"""Shared test setup."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockshift.cli.main import app

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


class Cli:
    """Runs ``stockshift`` in-process and keeps stdout and stderr apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, cwd: Path | None = None):  # type: ignore[no-untyped-def]
        import os

        old = Path.cwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            return self.runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        finally:
            os.chdir(old)


@pytest.fixture
def cli() -> Cli:
    return Cli()
