"""One ``ofsted-tracker`` command as an officer's click starts it, in a fresh process, recording its peak memory.

Run as ``python -m bench.cold PEAK_FILE COMMAND ARGS...``: the command runs exactly as the console script runs it,
and at exit the process's peak resident memory (Linux ``VmHWM``, imports included) is written to PEAK_FILE.
"""

from __future__ import annotations

import atexit
import sys
from pathlib import Path


def _write_peak(target: Path) -> None:
    from bench.worker import peak_memory_mb

    target.write_text(f"{peak_memory_mb():.1f}")


def main() -> None:
    """Run the command named on the command line; its exit code is the process's."""
    target, args = Path(sys.argv[1]), sys.argv[2:]
    atexit.register(_write_peak, target)
    sys.argv = ["ofsted-tracker", *args]
    from ofsted_tracker.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
