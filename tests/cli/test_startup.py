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


def test_db_plan_loads_what_the_planner_loads_on_first_use_meanwhile() -> None:
    # kneed (and matplotlib through it) and scikit-learn load when a plan first clusters;
    # db plan loads them while it reads the database instead
    code = (
        "import sys\n"
        "from stockshift.cli.service import _load_planner\n"
        "_load_planner()\n"
        "print(' '.join(m for m in ('stockshift.core.pipeline', 'kneed', 'sklearn.cluster') "
        "if m not in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_the_planner_loads_statsforecast_and_scipy_stats_only_when_used() -> None:
    # statsforecast (with statsmodels and dask.dataframe) and scipy.stats cost seconds of
    # start-up; a plan on the default moving average and the greedy policy needs neither
    code = (
        "import sys\n"
        "import stockshift.core.pipeline\n"
        "lazy = ('statsforecast', 'statsmodels', 'scipy.stats', 'scipy.optimize')\n"
        "print(' '.join(m for m in lazy if m in sys.modules))\n"
        "from stockshift.core.forecast.intermittent import CrostonClassic\n"
        "print('statsforecast' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["", "False"]
