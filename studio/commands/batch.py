"""`studio batch specs.jsonl`: every line rendered into the library, resumably."""

from __future__ import annotations

import argparse
import asyncio
from contextlib import nullcontext

from studio.commands.batch_run import run_batch
from studio.commands.common import open_for
from studio.commands.follow import exit_code
from studio.core.errors import StudioError, TimeUp, worst
from studio.library.ops import ops_for


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_batch(args))


async def _batch(args: argparse.Namespace) -> int:
    services = await open_for(args, "engine")  # a damaged, locked or newer library: one line
    store = services.store
    try:
        if args.daily_cap is not None:
            ops_for(store).set_cap("daily", "*", args.daily_cap)
        if args.project_cap:
            name, _, amount = args.project_cap.partition("=")
            try:
                ops_for(store).set_cap("project", name, float(amount))
            except ValueError:
                raise StudioError("--project-cap takes PROJECT=USD, e.g. launch=25") from None
        limit = asyncio.timeout(args.timeout) if args.timeout is not None else nullcontext()
        try:
            async with limit:
                await services.take_library(wait=not args.no_wait)
                result = await run_batch(
                    services, args.file, resend_unsure=args.resend_unsure, wait=not args.no_wait
                )
        except TimeoutError:
            raise TimeUp(
                f"The batch did not finish within {args.timeout:.0f} s; its jobs stay in the "
                "library and go on when Studio or 'studio batch' runs again.",
            ) from None
    finally:
        await services.close()
    deleted = f" ({len(result.deleted)} deleted on purpose)" if result.deleted else ""
    print(f"{result.ready} of {len(result.jobs)} ready in {services.library}{deleted}")
    codes = set(result.refused_codes)  # 2 for a bad line, 6 for one over a budget cap
    codes.update(exit_code(job) for job in result.jobs)
    return worst(codes - {0})
