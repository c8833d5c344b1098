"""`studio import DIR`: clips into the library for review; an export folder restores its
prompts, reviews and lineage. Exits 2 (bad input) when any file could not be read or a
sidecar was refused, after importing everything else."""

from __future__ import annotations

import argparse
import asyncio
import sys

from studio.commands.common import open_for
from studio.export.importer import import_folder


def run(args: argparse.Namespace) -> int:
    services = asyncio.run(open_for(args, "library"))  # a damaged library: one clear line
    try:
        reviewer = services.settings.reviewer_name
        report = import_folder(services.store, services.library, args.folder, reviewer=reviewer)
    finally:
        services.store.close()
    for line in report.skipped:
        print(f"studio: skipped {line}", file=sys.stderr)
    for line in report.unreadable:
        print(f"studio: could not read {line}", file=sys.stderr)
    for line in report.damaged:
        print(f"studio: imported damaged {line}", file=sys.stderr)
    print(report.summary())
    return 2 if report.unreadable else 0
