"""The compiled kernels' decorator, and numba's on-disk cache keyed by their sources.

numba keys a cached function by its own source file only: a kernel whose callee in another
module changed (greedy's allocation loop calls draws.py's draw) would run the old machine
code from the cache. So every kernel is declared with ``kernel()``, which first points
numba's cache at ``<user cache>/stockshift/numba-<digest>``, the digest of numba's version
and every source the kernels compile (SOURCES): any change to one of them starts a fresh
directory. numba picks a function's cache directory when the function is declared, and
re-reads its configuration from the environment before each compilation, so the directory is
set in both ``numba.config`` and ``NUMBA_CACHE_DIR`` (which child processes inherit) before
the first kernel is declared. If the directory cannot be made, the kernels compile uncached.
Directories no run has used for PRUNE_AFTER are deleted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numba

if TYPE_CHECKING:
    from numba.core.dispatcher import Dispatcher

CORE = Path(__file__).parent
# Every module that declares a kernel, and every stockshift module those import from (whose
# constants and types the kernels compile in); tests/core/test_jit.py keeps the list whole.
SOURCES = (
    "errors.py",
    "forecast/golden.py",
    "geo.py",
    "neighbours.py",
    "types.py",
    "planning/draws.py",
    "planning/greedy.py",
    "planning/optimal.py",
    "planning/transport.py",
)
_F = TypeVar("_F", bound=Callable[..., object])


class _Decorator(Protocol):
    def __call__(self, function: _F, /) -> Dispatcher[_F]: ...


PRUNE_AFTER = 7 * 24 * 3600.0  # seconds

_numba_config: Any = numba.config  # numba's stubs do not declare config.CACHE_DIR

_cache_dir: Path | None = None
_configured = False


def user_cache_root() -> Path:
    """``$XDG_CACHE_HOME/stockshift``, by default ``~/.cache/stockshift``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "stockshift"


def source_digest(sources: Iterable[Path]) -> str:
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def configure(sources: Iterable[Path], root: Path) -> Path | None:
    """Point numba's cache at ``root/numba-<digest of sources>``; None: caching is off.

    Only the first call in a process counts once a kernel has been declared (numba fixes a
    function's cache directory then), so ``kernel()`` calls it with SOURCES if nothing did.
    """
    global _cache_dir, _configured
    try:
        directory = root / f"numba-{source_digest(sources)}"
        directory.mkdir(parents=True, exist_ok=True)
        os.utime(directory)  # marks it used, for _prune
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PermissionError(directory)
    except OSError:
        _cache_dir = None
    else:
        _cache_dir = directory
        os.environ["NUMBA_CACHE_DIR"] = str(directory)
        _numba_config.CACHE_DIR = str(directory)
        _prune(root, directory)
    _configured = True
    return _cache_dir


def _prune(root: Path, keep: Path) -> None:
    """Deletes the directories of older sources that no run has used for PRUNE_AFTER."""
    cutoff = time.time() - PRUNE_AFTER
    for old in root.glob("numba-*"):
        try:
            unused = old != keep and old.stat().st_mtime < cutoff
        except OSError:
            continue
        if unused:
            shutil.rmtree(old, ignore_errors=True)


def kernel(*, nogil: bool = False, parallel: bool = False) -> _Decorator:
    """``numba.njit``, cached in the directory keyed by the kernels' sources."""
    if not _configured:
        configure((CORE / name for name in SOURCES), user_cache_root())
    return numba.njit(cache=_cache_dir is not None, nogil=nogil, parallel=parallel)
