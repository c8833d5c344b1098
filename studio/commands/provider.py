"""What every headless command needs to reach a provider and the library."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from studio.connect import Connection, open_provider
from studio.errors import LibraryBusy
from studio.jobs import Engine
from studio.sim.state import SimConfig


def connect(args: argparse.Namespace, *, state_dir: Path | None = None) -> Connection:
    """The provider the flags name (`--provider`, `--base-url`, `--rpm`); the built-in
    simulator keeps its jobs beside the library when there is one."""
    return open_provider(
        args.provider,
        base_url=args.base_url,
        rpm=args.rpm,
        sim_config=SimConfig(render_seconds=getattr(args, "sim_render_seconds", 6.0)),
        sim_state=state_dir / "simulator" / "state.json" if state_dir else None,
    )


async def take_library(engine: Engine, *, wait: bool, stream: TextIO = sys.stderr) -> None:
    """Wait (saying for whom) until no other engine drives the library, then hold it;
    with `wait=False` (--no-wait) give up at once with the "library busy" exit code."""
    announced = False
    while (holder := engine.claim_library()) is not None:
        if not wait:
            raise LibraryBusy(
                f"The library is in use by {holder}. Run again when it finishes, or without "
                "--no-wait to wait for it."
            )
        if not announced:
            print(f"Waiting for {holder} to finish with this library…", file=stream, flush=True)
            announced = True
        await asyncio.sleep(1.0)
