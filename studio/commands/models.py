"""`studio models`: what each model the provider serves allows, and its price."""

from __future__ import annotations

import argparse
import asyncio

from studio.commands.common import open_for


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_models(args))


async def _models(args: argparse.Namespace) -> int:
    services = await open_for(args, "provider")
    try:
        profiles = await services.connection.provider.models()
        for p in profiles:
            frames = ", ".join(p.sizes) or (
                f"{'/'.join(p.resolutions)} at {'/'.join(p.aspect_ratios)}"
            )
            prices = ", ".join(f"{k} ${v:.2f}/s" for k, v in p.price_per_second.items())
            print(f"{p.id:<16} {'/'.join(map(str, p.durations))} s  {frames}  [{prices}]")
        if profiles.note:
            print(f"note: {profiles.note}")
    finally:
        await services.close()
    return 0
