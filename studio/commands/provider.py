"""What every headless command needs to reach a provider and the library."""

from __future__ import annotations

import argparse
from pathlib import Path

from studio.connect import Connection, open_provider
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
