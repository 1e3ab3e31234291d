"""Entry point of the ``stockshift`` command: the app with every command registered."""

from __future__ import annotations

from stockshift.cli import analyse, backtest, demo, forecast, plan, service  # noqa: F401  (commands register on import)
from stockshift.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
