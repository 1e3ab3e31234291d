"""The command line starts without the planner: each command imports what it runs, so that
``db plan`` can read its snapshot while the planner's modules load (cli/service.py)."""

from __future__ import annotations

import subprocess
import sys

# the planner and the libraries behind it; none is needed to parse a command line
HEAVY = (
    "stockshift.core.pipeline",
    "stockshift.core.clustering",
    "stockshift.core.backtest",
    "stockshift.engine.dask_plan",
    "numba",
    "scipy.stats",
    "statsforecast",
    "sklearn",
    "dask",
    "matplotlib",
)


def test_the_command_line_loads_without_the_planner() -> None:
    code = (
        "import sys, stockshift.cli.main\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
