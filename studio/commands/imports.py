"""`studio import DIR`: clips into the library for review; an export folder restores its
prompts, reviews and lineage."""

from __future__ import annotations

import argparse
import sys

from studio.export.importer import import_folder
from studio.settings import load_settings
from studio.store import Store


def run(args: argparse.Namespace) -> int:
    store = Store(args.db)  # StoreError (damaged, locked, newer) is a clear one-liner
    try:
        library = args.library or store.db.path.parent / "library"
        reviewer = load_settings()[0].reviewer_name
        report = import_folder(store, library, args.folder, reviewer=reviewer)
    finally:
        store.close()
    for line in report.skipped:
        print(f"studio: skipped {line}", file=sys.stderr)
    print(f"{report.summary()}; {len(report.skipped)} skipped")
    return 2 if report.skipped and not (report.added or report.known) else 0
