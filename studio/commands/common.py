"""What every headless command needs: its flags as `RunOptions`, and the services opened
the one way the app opens them (`studio.services.open_services`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from studio.core.errors import ConfigError
from studio.services import Needs, RunOptions, Services, open_services
from studio.sim.state import SimConfig


def run_options(args: argparse.Namespace) -> RunOptions:
    """The flags that override Settings for this run (absent flags leave Settings be)."""
    render = getattr(args, "sim_render_seconds", None)
    command = ["studio", args.command]
    if isinstance(getattr(args, "file", None), Path):
        command.append(args.file.name)
    return RunOptions(
        db=getattr(args, "db", None),
        library=getattr(args, "library", None),
        provider=getattr(args, "provider", None),
        base_url=getattr(args, "base_url", None),
        rpm=getattr(args, "rpm", None),
        max_concurrent=getattr(args, "max_concurrent", None),
        sim_config=SimConfig(render_seconds=render) if render is not None else None,
        origin=" ".join(command),
    )


async def open_for(args: argparse.Namespace, needs: Needs) -> Services:
    """The services a command needs; one that talks to the provider stops at once when it
    has no key (the window opens regardless and lets renders wait)."""
    services = await open_services(None, run_options(args), needs=needs)
    problem = services.connection_.problem if services.connection_ is not None else ""
    if problem:
        await services.close()
        raise ConfigError(problem)
    return services
