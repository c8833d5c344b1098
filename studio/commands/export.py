"""`studio export --out DIR`: the approved takes (or with --all every ready take) copied byte
for byte with their sidecars, a manifest and SHA256SUMS."""

from __future__ import annotations

import argparse
import asyncio
import sys

from studio.commands.common import open_for
from studio.core.errors import StudioError
from studio.export import export_takes, takes_to_export
from studio.store.search import parse, search_ids


def run(args: argparse.Namespace) -> int:
    if args.query and (problems := parse(args.query).problems):
        # A term left out would widen what is exported: refused before anything is opened.
        raise StudioError(f"--query: {'; '.join(problems)}; nothing was exported.")
    services = asyncio.run(open_for(args, "library"))  # a damaged library: one clear line
    store, library = services.store, services.library
    try:
        jobs = takes_to_export(store, everything=args.all)
        if args.query:
            wanted = set(search_ids(store.db, args.query))
            jobs = [j for j in jobs if j.id in wanted]
        if not jobs:
            what = "ready takes" if args.all else "approved takes"
            print(f"No {what} to export.", file=sys.stderr)
            return 0
        shown = [-1]

        def progress(done: int, total: int, name: str) -> None:
            percent = 100 * done // max(total, 1)
            if percent != shown[0]:
                shown[0] = percent
                end = "\n" if percent == 100 or not sys.stderr.isatty() else ""
                if sys.stderr.isatty() or percent % 10 == 0:
                    print(f"\rexporting {percent:3d}%  {name[:60]}", end=end, file=sys.stderr)

        def waiting(line: str) -> None:
            print(f"studio: {line}", file=sys.stderr)

        report = export_takes(
            store,
            library,
            jobs,
            args.out,
            template=args.name,
            reviewer=services.settings.reviewer_name,
            progress=progress,
            waiting=waiting,
        )
    finally:
        store.close()
    for line in report.missing:
        print(f"studio: not exported: {line}", file=sys.stderr)
    for line in report.warnings():
        print(f"studio: {line}", file=sys.stderr)
    print(report.summary())
    return 1 if report.missing else 0
