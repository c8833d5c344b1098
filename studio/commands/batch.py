"""`studio batch specs.jsonl`: every line rendered into the library, resumably."""

from __future__ import annotations

import argparse
import asyncio

from studio.batch import run_batch
from studio.commands.provider import connect, take_library
from studio.errors import StudioError, worst
from studio.jobs import Engine, EngineConfig
from studio.store import FailureClass, JobStatus, Store

# A job that ended without a clip → the exit code its failure means.
FAILURE_CODES = {FailureClass.TRANSPORT: 3, FailureClass.REQUEST: 4, FailureClass.STORAGE: 5}


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_batch(args))


async def _batch(args: argparse.Namespace) -> int:
    store = Store(args.db)  # StoreError (damaged, locked, newer) is a clear one-liner
    library = args.library or store.db.path.parent / "library"
    if args.daily_cap is not None:
        store.budgets.set_cap("daily", "*", args.daily_cap)
    if args.project_cap:
        name, _, amount = args.project_cap.partition("=")
        try:
            store.budgets.set_cap("project", name, float(amount))
        except ValueError:
            raise StudioError("--project-cap takes PROJECT=USD, e.g. launch=25") from None
    connection = connect(args, state_dir=store.db.path.parent)
    config = EngineConfig(max_concurrent=args.max_concurrent or connection.max_concurrent)
    engine = Engine(
        store, connection.provider, provider_key=connection.key, library=library, config=config
    )
    try:
        await take_library(engine, wait=not args.no_wait)
        result = await run_batch(engine, args.file)
    finally:
        await engine.stop()
        await connection.aclose()
        store.close()
    deleted = f" ({len(result.deleted)} deleted on purpose)" if result.deleted else ""
    print(f"{result.ready} of {len(result.jobs)} ready in {library}{deleted}")
    codes = set(result.refused_codes)  # 2 for a bad line, 6 for one over a budget cap
    for job in result.jobs:
        if job.status is not JobStatus.READY:
            codes.add(FAILURE_CODES.get(job.failure_class, 1) if job.failure_class else 1)
    return worst(codes)
