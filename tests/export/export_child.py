"""A child process for the export tests (`python -m tests.export.export_child MODE …`).

go ARGS…         import everything, print "ready", wait for a line on stdin, then run
                 `studio ARGS…` (studio.cli.main, as `python -m studio` does): two of
                 these told to go at once race for real
stall DB LIB OUT  export the approved takes of library DB/LIB into OUT, print
                 "copying" once the first clip is under way and wait there for ever
                 (for the parent to kill it: a killed export, .part and all)
"""

from __future__ import annotations

import sys
from pathlib import Path


def go(argv: list[str]) -> int:
    from studio import cli
    from studio.commands import export  # noqa: F401 - imported before the start, not after

    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    return cli.main(argv)


def stall(db: Path, library: Path, out: Path) -> int:
    from studio.export import export_takes, takes_to_export
    from studio.store import Store

    store = Store(db)

    def progress(done: int, total: int, name: str) -> None:
        sys.stdout.write("copying\n")
        sys.stdout.flush()
        sys.stdin.readline()  # nobody writes: the parent kills us here, mid-copy

    export_takes(store, library, takes_to_export(store), out, progress=progress)
    return 0


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    if mode == "go":
        raise SystemExit(go(rest))
    raise SystemExit(stall(*(Path(a) for a in rest)))
