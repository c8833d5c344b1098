"""`studio report`: the Metrics tab's table, headless (or as CSV)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys

from studio.commands.common import open_for
from studio.core.errors import StudioError
from studio.metrics import compute
from studio.metrics.table import text, to_csv


def _day(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise StudioError(f"{flag} {value!r} is not a date (YYYY-MM-DD).") from None


def run(args: argparse.Namespace) -> int:
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    services = asyncio.run(open_for(args, "library"))
    try:
        table = compute(services.store, by=args.by, start=start, end=end)
    finally:
        services.store.close()
    if not table:
        print("No takes in that range.", file=sys.stderr)
        return 0
    sys.stdout.write(to_csv(table) if args.csv else text(table) + "\n")
    return 0
