"""numba's on-disk cache, keyed by the kernels' sources (core/jit.py).

numba keys a cached function by its own file only; these tests compile a caller and a callee
from two modules in fresh processes, as an upgrade would, and change only the callee.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from stockshift.core import jit

SRC = Path(__file__).parents[2] / "src"

CALLER = """
from callee import value
from stockshift.core.jit import kernel

@kernel()
def caller():
    return value() * 10
"""

CALLEE = """
from stockshift.core.jit import kernel

@kernel()
def value():
    return {}
"""

# The same pair on numba's own cache, next to the sources: what the kernels had before.
PLAIN = {
    "caller.py": "import numba\nfrom callee import value\n\n"
    "@numba.njit(cache=True)\ndef caller():\n    return value() * 10\n",
    "callee.py": "import numba\n\n@numba.njit(cache=True)\ndef value():\n    return {}\n",
}

MAIN = """
import sys
from pathlib import Path
from stockshift.core import jit

here = Path(sys.argv[1])
print(jit.configure([here / "callee.py", here / "caller.py"], here / "cache"))
from caller import caller
print(caller())
"""


def _run(directory: Path, script: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(directory)])
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(directory)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def _write_pair(directory: Path, callee_value: int, files: dict[str, str] | None = None) -> None:
    files = files or {"caller.py": CALLER, "callee.py": CALLEE}
    (directory / "caller.py").write_text(files["caller.py"])
    (directory / "callee.py").write_text(files["callee.py"].format(callee_value))


def test_a_changed_callee_reaches_its_cached_caller(tmp_path: Path) -> None:
    _write_pair(tmp_path, 1)
    first_dir, first = _run(tmp_path, MAIN)
    _write_pair(tmp_path, 2)  # only the callee changes, as in an upgrade
    second_dir, second = _run(tmp_path, MAIN)

    assert (first, second) == ("10", "20")
    assert first_dir != second_dir
    assert Path(first_dir).parent == Path(second_dir).parent == tmp_path / "cache"
    assert list(Path(second_dir).rglob("*.nbi"))  # it is cached, not just uncached
    # And unchanged sources find their cache: the same directory, nothing recompiled.
    stamps = {p: p.stat().st_mtime_ns for p in Path(second_dir).rglob("*.nb*")}
    assert _run(tmp_path, MAIN) == [second_dir, "20"]
    assert {p: p.stat().st_mtime_ns for p in Path(second_dir).rglob("*.nb*")} == stamps


def test_numba_alone_runs_the_stale_callee(tmp_path: Path) -> None:
    """The failure the keyed directory prevents (numba's own cache, by the caller's file)."""
    plain = "from caller import caller\nprint(caller())\n"
    _write_pair(tmp_path, 1, PLAIN)
    assert _run(tmp_path, plain) == ["10"]
    _write_pair(tmp_path, 2, PLAIN)
    assert _run(tmp_path, plain) == ["10"]


def test_without_a_writable_directory_kernels_compile_uncached(tmp_path: Path) -> None:
    _write_pair(tmp_path, 3)
    (tmp_path / "cache").write_text("a file where the directory would go")
    assert _run(tmp_path, MAIN) == ["None", "30"]
    _write_pair(tmp_path, 4)
    assert _run(tmp_path, MAIN) == ["None", "40"]
    assert not list(tmp_path.rglob("*.nbi"))


def test_directories_unused_for_a_week_are_pruned(tmp_path: Path) -> None:
    _write_pair(tmp_path, 5)
    old, recent = tmp_path / "cache" / "numba-old", tmp_path / "cache" / "numba-recent"
    for directory, age in ((old, jit.PRUNE_AFTER + 60), (recent, jit.PRUNE_AFTER - 60)):
        (directory / "core").mkdir(parents=True)
        then = time.time() - age
        os.utime(directory, (then, then))
    used, value = _run(tmp_path, MAIN)
    assert value == "50"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(
        [Path(used).name, "numba-recent"]
    )


def _stockshift_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("stockshift."):
            found.add(node.module or "")
    return found


def test_the_digest_covers_every_kernel_and_what_it_imports() -> None:
    core = SRC / "stockshift" / "core"
    declaring = {
        path
        for path in core.rglob("*.py")
        if "stockshift.core.jit" in _stockshift_imports(path) and path.name != "jit.py"
    }
    needed = set(declaring)
    for path in declaring:
        for module in _stockshift_imports(path) - {"stockshift.core.jit"}:
            needed.add(SRC.joinpath(*module.split(".")).with_suffix(".py"))
    assert {p.relative_to(core).as_posix() for p in needed} == set(jit.SOURCES)
