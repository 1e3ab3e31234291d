"""Run one command and write its own peak RSS, wall and CPU time as JSON: a clean-memory launcher.

``python -m benchmarks.child RESULT.json CMD ...``. Linux carries a process's RSS high-water
mark across fork and exec, so a child forked by the benchmark runner (which holds plans
it has read, hundreds of MiB) would report at least the runner's size. Forking from this
small process instead keeps each measurement the command's own. Exits with the command's
status; its stdout and stderr pass through.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    result_path, cmd = argv[0], argv[1:]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    with open(result_path, "w", encoding="utf-8") as fh:
        cpu = usage.ru_utime + usage.ru_stime  # its own and its reaped workers'
        json.dump({"seconds": seconds, "peak_mib": usage.ru_maxrss / 1024, "cpu": cpu}, fh)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
